package dev.mcutrain.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Invariants of both planners on random lifetime sets. */
class PlannerPropertiesTest {
  private static final int MAX_OP = 40;

  private final GreedyBySizePlanner greedy = new GreedyBySizePlanner();
  private final LinearPlanner linear = new LinearPlanner();

  @Provide
  Arbitrary<List<Lifetime>> lifetimes() {
    Arbitrary<long[]> one = Combinators.combine(
            Arbitraries.longs().between(0, 100_000),
            Arbitraries.integers().between(0, MAX_OP),
            Arbitraries.integers().between(0, MAX_OP))
        .as((size, a, b) -> new long[] {size, Math.min(a, b), Math.max(a, b)});
    return one.list().ofMaxSize(60).map(raw -> {
      List<Lifetime> out = new ArrayList<>();
      for (int i = 0; i < raw.size(); i++) {
        long[] r = raw.get(i);
        // Sparse, unordered ids, so nothing relies on ids being list indices.
        out.add(new Lifetime(1000 - 7 * i, r[0], (int) r[1], (int) r[2]));
      }
      return out;
    });
  }

  @Provide
  Arbitrary<Integer> alignments() {
    return Arbitraries.of(1, 4, 8, 16);
  }

  @Property(tries = 400)
  void bothPlansVerify(@ForAll("lifetimes") List<Lifetime> bufs,
      @ForAll("alignments") int alignment) {
    greedy.plan(bufs, alignment).verify();
    linear.plan(bufs, alignment).verify();
    GreedyBySizePlanner.sizeOrderOnly().plan(bufs, alignment).verify();
  }

  @Property(tries = 400)
  void greedyNeverNeedsMoreThanLinear(@ForAll("lifetimes") List<Lifetime> bufs,
      @ForAll("alignments") int alignment) {
    long lin = linear.plan(bufs, alignment).arenaSize();
    assertTrue(greedy.plan(bufs, alignment).arenaSize() <= lin);
    assertTrue(GreedyBySizePlanner.sizeOrderOnly().plan(bufs, alignment).arenaSize() <= lin);
  }

  @Property(tries = 400)
  void tryingMoreOrderingsNeverHurts(@ForAll("lifetimes") List<Lifetime> bufs,
      @ForAll("alignments") int alignment) {
    assertTrue(greedy.plan(bufs, alignment).arenaSize()
        <= GreedyBySizePlanner.sizeOrderOnly().plan(bufs, alignment).arenaSize());
  }

  @Property(tries = 400)
  void arenaIsAtLeastTheAlignedLiveBytesAtEveryOp(@ForAll("lifetimes") List<Lifetime> bufs,
      @ForAll("alignments") int alignment) {
    long bound = 0;
    for (int op = 0; op <= MAX_OP; op++) {
      long live = 0;
      for (Lifetime b : bufs) {
        if (b.firstUse() <= op && op <= b.lastUse()) {
          live += (b.size() + alignment - 1) / alignment * alignment;
        }
      }
      bound = Math.max(bound, live);
    }
    for (MemoryPlanner p : List.of(greedy, linear)) {
      ArenaPlan plan = p.plan(bufs, alignment);
      assertEquals(bound, plan.lowerBound(), p.name());
      assertTrue(plan.arenaSize() >= bound, p.name());
      assertEquals(0, plan.arenaSize() % alignment, p.name());
    }
  }

  @Property(tries = 200)
  void linearArenaIsTheSumOfAlignedSizes(@ForAll("lifetimes") List<Lifetime> bufs,
      @ForAll("alignments") int alignment) {
    long sum = 0;
    for (Lifetime b : bufs) {
      sum += (b.size() + alignment - 1) / alignment * alignment;
    }
    assertEquals(sum, linear.plan(bufs, alignment).arenaSize());
  }

  @Property(tries = 200)
  void peakOpHasTheMostLiveBytes(@ForAll("lifetimes") List<Lifetime> bufs) {
    ArenaPlan plan = greedy.plan(bufs, 1);
    if (bufs.isEmpty()) {
      assertEquals(-1, plan.peakOp());
      return;
    }
    long peak = plan.liveBytesAt(plan.peakOp());
    assertEquals(peak, plan.peakLiveBytes());
    for (int op = 0; op <= MAX_OP; op++) {
      assertTrue(plan.liveBytesAt(op) <= peak);
      assertEquals(plan.liveBytesAt(op),
          plan.liveAt(op).stream().mapToLong(Lifetime::size).sum());
    }
  }

  @Property(tries = 200)
  void greedyIsDeterministicAndIgnoresInputOrder(@ForAll("lifetimes") List<Lifetime> bufs,
      @ForAll("alignments") int alignment) {
    ArenaPlan a = greedy.plan(bufs, alignment);
    List<Lifetime> reversed = new ArrayList<>(bufs);
    Collections.reverse(reversed);
    ArenaPlan b = greedy.plan(reversed, alignment);
    assertEquals(a.offsets(), greedy.plan(bufs, alignment).offsets());
    for (Lifetime l : bufs) {
      assertEquals(a.offset(l.id()), b.offset(l.id()));
    }
  }

  @Property(tries = 200)
  void zeroSizeBuffersSitAtOffsetZero(@ForAll("lifetimes") List<Lifetime> bufs,
      @ForAll("alignments") int alignment) {
    for (MemoryPlanner p : List.of(greedy, linear)) {
      ArenaPlan plan = p.plan(bufs, alignment);
      for (Lifetime l : bufs) {
        if (l.size() == 0) {
          assertEquals(0, plan.offset(l.id()));
        }
      }
    }
  }
}
