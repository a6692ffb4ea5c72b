package dev.mcutrain.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PlannerExamplesTest {
  private final MemoryPlanner greedy = new GreedyBySizePlanner();
  private final MemoryPlanner linear = new LinearPlanner();

  @Test
  void nonOverlappingLifetimesShareMemory() {
    List<Lifetime> bufs = List.of(new Lifetime(0, 100, 0, 1), new Lifetime(1, 100, 2, 3));
    ArenaPlan plan = greedy.plan(bufs, 16);
    assertEquals(0, plan.offset(0));
    assertEquals(0, plan.offset(1));
    assertEquals(112, plan.arenaSize());
  }

  @Test
  void overlappingLifetimesGetDisjointMemory() {
    List<Lifetime> bufs = List.of(new Lifetime(0, 100, 0, 2), new Lifetime(1, 50, 2, 3));
    ArenaPlan plan = greedy.plan(bufs, 1);
    assertEquals(0, plan.offset(0), "the bigger buffer is placed first");
    assertEquals(100, plan.offset(1));
    assertEquals(150, plan.arenaSize());
  }

  @Test
  void offsetsAreAlignedAndArenaIsRoundedUp() {
    List<Lifetime> bufs = List.of(new Lifetime(0, 10, 0, 0), new Lifetime(1, 3, 0, 0));
    ArenaPlan plan = greedy.plan(bufs, 8);
    assertEquals(0, plan.offset(0));
    assertEquals(16, plan.offset(1));
    assertEquals(24, plan.arenaSize());
    assertEquals(24, plan.lowerBound());
  }

  @Test
  void linearPlannerGivesEveryBufferItsOwnSlot() {
    List<Lifetime> bufs = List.of(new Lifetime(5, 10, 0, 0), new Lifetime(2, 20, 1, 1),
        new Lifetime(9, 0, 0, 1), new Lifetime(4, 30, 2, 2));
    ArenaPlan plan = linear.plan(bufs, 16);
    assertEquals(0, plan.offset(5));
    assertEquals(16, plan.offset(2));
    assertEquals(0, plan.offset(9));
    assertEquals(48, plan.offset(4));
    assertEquals(80, plan.arenaSize());
  }

  @Test
  void greedyPlacesBiggestFirstAndStacksConflictingBuffers() {
    // Size order (ties by first use, then id): A, C, E, B, D.
    List<Lifetime> bufs = List.of(
        new Lifetime(0, 100, 0, 1, "A"),
        new Lifetime(1, 100, 1, 2, "B"),
        new Lifetime(2, 100, 0, 0, "C"),
        new Lifetime(3, 60, 1, 2, "D"),
        new Lifetime(4, 100, 0, 0, "E"));
    ArenaPlan plan = GreedyBySizePlanner.sizeOrderOnly().plan(bufs, 4);
    assertEquals(0, plan.offset(0)); // A
    assertEquals(100, plan.offset(2)); // C above A
    assertEquals(200, plan.offset(4)); // E above A and C
    assertEquals(100, plan.offset(1)); // B conflicts with A only
    assertEquals(200, plan.offset(3)); // D above A and B
    assertEquals(300, plan.arenaSize());
  }

  @Test
  void greedySkipsHolesTooSmallForTheBuffer() {
    List<Lifetime> bufs = List.of(
        new Lifetime(0, 1000, 0, 0, "X"),
        new Lifetime(1, 400, 1, 1, "Y"),
        new Lifetime(2, 500, 1, 2, "Z"),
        new Lifetime(3, 80, 1, 2, "W"));
    ArenaPlan plan = GreedyBySizePlanner.sizeOrderOnly().plan(bufs, 16);
    // X @0; Z conflicts with nothing placed -> @0; Y conflicts with Z [0,500) -> @512;
    // W conflicts with Z [0,500) and Y [512,912): the 12-byte hole is too small -> @912.
    assertEquals(0, plan.offset(0));
    assertEquals(0, plan.offset(2));
    assertEquals(512, plan.offset(1));
    assertEquals(912, plan.offset(3));
    assertEquals(1008, plan.arenaSize());
  }

  @Test
  void smallBufferFitsBetweenTwoPlacedBuffers() {
    // P [0,64) and Q [128,192) both overlap R in time, and are separated by a 64-byte hole that
    // only exists because S (which does not overlap R) sits at [64,128) next to P.
    List<Lifetime> bufs = List.of(
        new Lifetime(0, 64, 0, 3, "P"),
        new Lifetime(1, 64, 0, 0, "S"),
        new Lifetime(2, 64, 0, 3, "Q"),
        new Lifetime(3, 48, 2, 3, "R"));
    ArenaPlan plan = GreedyBySizePlanner.sizeOrderOnly().plan(bufs, 16);
    assertEquals(0, plan.offset(0));
    assertEquals(64, plan.offset(1));
    assertEquals(128, plan.offset(2));
    assertEquals(64, plan.offset(3), "R reuses S's slot between P and Q");
    assertEquals(192, plan.arenaSize());
  }

  @Test
  void zeroSizeBuffersGetOffsetZeroAndNeverConflict() {
    List<Lifetime> bufs = List.of(new Lifetime(0, 0, 0, 5), new Lifetime(1, 32, 0, 5),
        new Lifetime(2, 0, 2, 3));
    for (MemoryPlanner p : List.of(greedy, linear)) {
      ArenaPlan plan = p.plan(bufs, 16);
      assertEquals(0, plan.offset(0), p.name());
      assertEquals(0, plan.offset(1), p.name());
      assertEquals(0, plan.offset(2), p.name());
      assertEquals(32, plan.arenaSize(), p.name());
      plan.verify();
    }
  }

  @Test
  void onlyZeroSizeBuffersNeedNoArena() {
    ArenaPlan plan = greedy.plan(List.of(new Lifetime(0, 0, 0, 1)), 16);
    assertEquals(0, plan.arenaSize());
    assertEquals(0, plan.peakOp());
  }

  @Test
  void emptyInputGivesEmptyPlan() {
    for (MemoryPlanner p : List.of(greedy, linear)) {
      ArenaPlan plan = p.plan(List.of(), 16);
      assertEquals(0, plan.arenaSize());
      assertEquals(-1, plan.peakOp());
      assertEquals(0, plan.peakLiveBytes());
      assertTrue(plan.liveAt(0).isEmpty());
      plan.verify();
    }
  }

  @Test
  void rejectsDuplicateIds() {
    List<Lifetime> bufs = List.of(new Lifetime(1, 10, 0, 0), new Lifetime(1, 20, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> greedy.plan(bufs, 4));
    assertThrows(IllegalArgumentException.class, () -> linear.plan(bufs, 4));
  }

  @Test
  void rejectsAlignmentThatIsNotAPowerOfTwo() {
    List<Lifetime> bufs = List.of(new Lifetime(0, 10, 0, 0));
    for (int a : new int[] {0, -4, 3, 12}) {
      assertThrows(IllegalArgumentException.class, () -> greedy.plan(bufs, a), "" + a);
      assertThrows(IllegalArgumentException.class, () -> linear.plan(bufs, a), "" + a);
    }
  }

  @Test
  void unknownIdIsRejected() {
    ArenaPlan plan = greedy.plan(List.of(new Lifetime(0, 10, 0, 0)), 4);
    assertThrows(IllegalArgumentException.class, () -> plan.offset(1));
    assertThrows(IllegalArgumentException.class, () -> plan.lifetime(1));
  }

  @Test
  void verifyRejectsBuffersThatOverlapInMemoryWhileBothLive() {
    List<Lifetime> bufs = List.of(new Lifetime(0, 32, 0, 1, "a"), new Lifetime(1, 32, 1, 2, "b"));
    ArenaPlan bad = ArenaPlan.of("test", bufs, Map.of(0, 0L, 1, 16L), 16);
    IllegalStateException e = assertThrows(IllegalStateException.class, bad::verify);
    assertTrue(e.getMessage().contains("(a)") && e.getMessage().contains("(b)"), e.getMessage());
    // The same offsets are fine when the lifetimes do not meet.
    List<Lifetime> apart = List.of(new Lifetime(0, 32, 0, 0), new Lifetime(1, 32, 1, 2));
    ArenaPlan.of("test", apart, Map.of(0, 0L, 1, 16L), 16).verify();
  }

  @Test
  void verifyRejectsMisalignedOffsets() {
    List<Lifetime> bufs = List.of(new Lifetime(0, 32, 0, 1));
    ArenaPlan bad = ArenaPlan.of("test", bufs, Map.of(0, 4L), 16);
    assertThrows(IllegalStateException.class, bad::verify);
  }

  @Test
  void verifyRejectsBuffersPastTheArenaEnd() {
    List<Lifetime> bufs = List.of(new Lifetime(0, 32, 0, 1));
    ArenaPlan bad = new ArenaPlan("test", bufs, Map.of(0, 16L), 16, 32);
    assertThrows(IllegalStateException.class, bad::verify);
  }

  @Test
  void planRequiresAnOffsetForEveryBufferAndNoOthers() {
    List<Lifetime> bufs = List.of(new Lifetime(0, 32, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> ArenaPlan.of("t", bufs, Map.of(), 16));
    assertThrows(IllegalArgumentException.class,
        () -> ArenaPlan.of("t", bufs, Map.of(0, 0L, 1, 0L), 16));
  }

  @Test
  void liveAtAndPeakOpReportWhatIsLiveAtThePeak() {
    List<Lifetime> bufs = List.of(
        new Lifetime(0, 100, 0, 1, "in"),
        new Lifetime(1, 300, 1, 2, "mid"),
        new Lifetime(2, 50, 2, 3, "out"),
        new Lifetime(3, 0, 1, 1, "empty"));
    ArenaPlan plan = greedy.plan(bufs, 1);
    assertEquals(1, plan.peakOp());
    assertEquals(400, plan.peakLiveBytes());
    assertEquals(400, plan.liveBytesAt(1));
    assertEquals(350, plan.liveBytesAt(2));
    assertEquals(0, plan.liveBytesAt(9));
    assertEquals(List.of("in", "mid", "empty"),
        plan.liveAt(1).stream().map(Lifetime::name).toList());
    assertEquals(400, plan.arenaSize(), "this chain reaches its lower bound");
  }

  @Test
  void peakOpIsTheEarliestOfEqualPeaks() {
    List<Lifetime> bufs = List.of(new Lifetime(0, 10, 2, 2), new Lifetime(1, 10, 5, 7));
    assertEquals(2, greedy.plan(bufs, 1).peakOp());
  }

  @Test
  void describeListsEveryBufferInOffsetOrder() {
    List<Lifetime> bufs = List.of(
        new Lifetime(0, 100, 0, 1, "input"),
        new Lifetime(1, 300, 1, 2, "conv/out*/"),
        new Lifetime(2, 50, 2, 3, "softmax"));
    String text = greedy.plan(bufs, 16).describe();
    assertTrue(text.startsWith("arena 416 bytes (greedy"), text);
    assertTrue(text.contains("softmax") && text.contains("input"), text);
    assertFalse(text.contains("*/"), "must be safe inside a C comment: " + text);
    String[] lines = text.split("\n");
    assertEquals(5, lines.length, text);
    assertTrue(lines[2].contains("conv/out"), "the 300-byte buffer is at offset 0: " + text);
  }

  @Test
  void greedyIgnoresTheInputOrder() {
    Random rnd = new Random(42);
    List<Lifetime> bufs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      int first = rnd.nextInt(20);
      bufs.add(new Lifetime(i, rnd.nextInt(5000), first, first + rnd.nextInt(6)));
    }
    ArenaPlan a = greedy.plan(bufs, 8);
    Collections.shuffle(bufs, rnd);
    ArenaPlan b = greedy.plan(bufs, 8);
    for (Lifetime l : bufs) {
      assertEquals(a.offset(l.id()), b.offset(l.id()));
    }
    assertEquals(a.arenaSize(), b.arenaSize());
  }

  @Test
  void plannersCanBeChosenByName() {
    assertInstanceOf(GreedyBySizePlanner.class, MemoryPlanner.byName("greedy"));
    assertInstanceOf(LinearPlanner.class, MemoryPlanner.byName("Linear"));
    assertInstanceOf(GreedyBySizePlanner.class, MemoryPlanner.defaultPlanner());
    assertThrows(IllegalArgumentException.class, () -> MemoryPlanner.byName("best"));
    for (String n : MemoryPlanner.names()) {
      assertEquals(n, MemoryPlanner.byName(n).name());
    }
    assertEquals("greedy[size]", GreedyBySizePlanner.sizeOrderOnly().name());
  }
}
