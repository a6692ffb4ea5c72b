package dev.mcutrain.memory;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Greedy first-fit planner in the style of TensorFlow Lite Micro's greedy memory planner, run
 * over several buffer orderings.
 *
 * <p>Algorithm, for one ordering:
 *
 * <ol>
 *   <li>Give every zero-size buffer offset 0; it never conflicts with anything and is skipped
 *       below.
 *   <li>Sort the remaining buffers by the ordering. The primary ordering, {@link Ordering#SIZE},
 *       is size descending, ties by earlier {@code firstUse}, then by smaller id. Every ordering
 *       ends with the id tie-break, so it is total and the result does not depend on the order
 *       of the input list.
 *   <li>Take the next buffer {@code b}. Collect the already placed buffers whose lifetimes
 *       intersect {@code b}'s, sorted by offset (then end).
 *   <li>Scan them with a candidate offset starting at 0: if {@code b} fits entirely below the
 *       next placed buffer, stop; otherwise move the candidate to that buffer's end rounded up to
 *       the alignment (if that is higher). The result is the lowest aligned offset in a gap
 *       between conflicting buffers where {@code b} fits (first fit), or the aligned end of the
 *       highest one.
 *   <li>Place {@code b} there and repeat from step 3 until every buffer is placed.
 *   <li>The arena size is the highest end offset, rounded up to the alignment.
 * </ol>
 *
 * <p>Greedy first-fit is sensitive to the order in which buffers are placed, so the planner runs
 * the steps above once for each configured {@link Ordering} (by default all of them, in
 * declaration order) and keeps the plan with the smallest arena; on a tie the earlier ordering
 * wins. It stops early as soon as an ordering reaches {@link ArenaPlan#lowerBound()}, because no
 * plan can be smaller. The whole procedure is deterministic. Each run costs O(n² log n) for n
 * buffers.
 *
 * <p>Any single ordering never needs more than {@link LinearPlanner}: each buffer is placed at
 * or below the aligned total of the buffers placed before it.
 */
public final class GreedyBySizePlanner implements MemoryPlanner {
  /** The name of the default configuration, as returned by {@link #name()}. */
  public static final String NAME = "greedy";

  /** An order in which buffers are handed to the first-fit placement. */
  public enum Ordering {
    /** Size descending, then earlier first use, then id (TensorFlow Lite Micro's order). */
    SIZE,
    /**
     * Size × lifetime length descending, then size descending, then earlier first use, then id:
     * big long-lived buffers first, so short ones can fill the gaps around them.
     */
    AREA,
    /**
     * Number of other buffers the buffer conflicts with, descending, then size descending, then
     * earlier first use, then id: the most constrained buffers first.
     */
    CONFLICTS,
    /**
     * Earlier first use, then size descending, then id: placement in execution order, which
     * suits chains where each tensor dies soon after it is born.
     */
    FIRST_USE
  }

  private final ImmutableList<Ordering> orderings;

  /** The default configuration: every {@link Ordering}, best result kept. */
  public GreedyBySizePlanner() {
    this(Arrays.asList(Ordering.values()));
  }

  /**
   * A planner that tries the given orderings in the given order and keeps the first smallest
   * result.
   *
   * @throws IllegalArgumentException if {@code orderings} is empty
   */
  public GreedyBySizePlanner(List<Ordering> orderings) {
    if (orderings.isEmpty()) {
      throw new IllegalArgumentException("at least one ordering is needed");
    }
    this.orderings = ImmutableList.copyOf(orderings);
  }

  /** Plain greedy by size, as in TensorFlow Lite Micro (only {@link Ordering#SIZE}). */
  public static GreedyBySizePlanner sizeOrderOnly() {
    return new GreedyBySizePlanner(List.of(Ordering.SIZE));
  }

  /** The orderings tried, in order. */
  public ImmutableList<Ordering> orderings() {
    return orderings;
  }

  @Override
  public String name() {
    if (orderings.equals(Arrays.asList(Ordering.values()))) {
      return NAME;
    }
    return NAME + orderings.stream().map(o -> o.name().toLowerCase(Locale.ROOT))
        .collect(Collectors.joining(",", "[", "]"));
  }

  @Override
  public String toString() {
    return name();
  }

  @Override
  public ArenaPlan plan(List<Lifetime> buffers, int alignment) {
    Align.checkInputs(buffers, alignment);
    Problem p = new Problem(buffers, alignment);
    ArenaPlan best = null;
    for (Ordering ordering : orderings) {
      long[] offsets = p.place(p.order(ordering));
      Map<Integer, Long> byId = new LinkedHashMap<>();
      for (int i = 0; i < p.n; i++) {
        byId.put(p.buffers.get(i).id(), offsets[i]);
      }
      String label = name() + ", " + ordering.name().toLowerCase(Locale.ROOT) + " order";
      ArenaPlan candidate = ArenaPlan.of(label, buffers, byId, alignment);
      if (best == null || candidate.arenaSize() < best.arenaSize()) {
        best = candidate;
      }
      if (best.arenaSize() <= best.lowerBound()) {
        break;
      }
    }
    best.verify();
    return best;
  }

  /** One planning problem, indexed by position in the input list. */
  private static final class Problem {
    final List<Lifetime> buffers;
    final int n;
    final int alignment;

    Problem(List<Lifetime> buffers, int alignment) {
      this.buffers = buffers;
      this.n = buffers.size();
      this.alignment = alignment;
    }

    /** Indices of the non-empty buffers, sorted by {@code ordering}. */
    List<Integer> order(Ordering ordering) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        if (buffers.get(i).size() > 0) {
          idx.add(i);
        }
      }
      Comparator<Integer> bySizeDesc =
          Comparator.comparingLong((Integer i) -> buffers.get(i).size()).reversed();
      Comparator<Integer> byFirst = Comparator.comparingInt(i -> buffers.get(i).firstUse());
      Comparator<Integer> byId = Comparator.comparingInt(i -> buffers.get(i).id());
      Comparator<Integer> cmp;
      switch (ordering) {
        case SIZE:
          cmp = bySizeDesc.thenComparing(byFirst).thenComparing(byId);
          break;
        case AREA:
          cmp = Comparator.comparingLong((Integer i) -> area(buffers.get(i))).reversed()
              .thenComparing(bySizeDesc).thenComparing(byFirst).thenComparing(byId);
          break;
        case CONFLICTS:
          int[] degree = conflictCounts();
          cmp = Comparator.comparingInt((Integer i) -> degree[i]).reversed()
              .thenComparing(bySizeDesc).thenComparing(byFirst).thenComparing(byId);
          break;
        case FIRST_USE:
          cmp = byFirst.thenComparing(bySizeDesc).thenComparing(byId);
          break;
        default:
          throw new AssertionError(ordering);
      }
      idx.sort(cmp);
      return idx;
    }

    private static long area(Lifetime b) {
      long hi = Math.multiplyHigh(b.size(), b.span());
      long lo = b.size() * b.span();
      return hi != 0 || lo < 0 ? Long.MAX_VALUE : lo;
    }

    private int[] conflictCounts() {
      int[] degree = new int[n];
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          if (buffers.get(i).conflictsWith(buffers.get(j))) {
            degree[i]++;
            degree[j]++;
          }
        }
      }
      return degree;
    }

    /** First-fit placement in the given order; returns offsets by input index. */
    long[] place(List<Integer> order) {
      long[] offset = new long[n];
      List<Integer> placed = new ArrayList<>();
      List<long[]> conflicts = new ArrayList<>();
      for (int i : order) {
        Lifetime b = buffers.get(i);
        conflicts.clear();
        for (int j : placed) {
          Lifetime other = buffers.get(j);
          if (b.overlapsInTime(other)) {
            conflicts.add(new long[] {offset[j], offset[j] + other.size()});
          }
        }
        conflicts.sort(Comparator.<long[]>comparingLong(r -> r[0]).thenComparingLong(r -> r[1]));
        long candidate = 0;
        for (long[] r : conflicts) {
          if (candidate + b.size() <= r[0]) {
            break;
          }
          candidate = Math.max(candidate, Align.up(r[1], alignment));
        }
        offset[i] = candidate;
        placed.add(i);
      }
      return offset;
    }
  }
}
