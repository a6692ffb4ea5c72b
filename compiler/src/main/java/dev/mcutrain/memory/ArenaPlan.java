package dev.mcutrain.memory;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * An immutable assignment of arena offsets to buffers, as produced by a {@link MemoryPlanner}.
 *
 * <p>Besides the offsets, a plan answers questions about the workload it was planned for: which
 * buffers are live at an operator, how many bytes they need ({@link #liveBytesAt}), where the
 * peak is ({@link #peakOp}), and the lower bound no plan can beat ({@link #lowerBound}).
 *
 * <p>{@link #verify()} re-checks the plan from scratch; the planners in this package call it on
 * every plan they return.
 */
public final class ArenaPlan {
  private final String planner;
  private final int alignment;
  private final ImmutableList<Lifetime> lifetimes;
  private final ImmutableMap<Integer, Lifetime> byId;
  private final ImmutableMap<Integer, Long> offsets;
  private final long arenaSize;
  private final int peakOp;
  private final long peakBytes;
  private final long lowerBound;

  ArenaPlan(String planner, List<Lifetime> lifetimes, Map<Integer, Long> offsets, int alignment,
      long arenaSize) {
    Align.checkAlignment(alignment);
    this.planner = Objects.requireNonNull(planner, "planner");
    this.alignment = alignment;
    this.lifetimes = ImmutableList.copyOf(lifetimes);
    Align.checkUniqueIds(this.lifetimes);
    ImmutableMap.Builder<Integer, Lifetime> ids = ImmutableMap.builder();
    ImmutableMap.Builder<Integer, Long> offs = ImmutableMap.builder();
    for (Lifetime b : this.lifetimes) {
      Long off = offsets.get(b.id());
      if (off == null) {
        throw new IllegalArgumentException("no offset for buffer " + b.id() + " (" + b.name() + ")");
      }
      ids.put(b.id(), b);
      offs.put(b.id(), off);
    }
    this.byId = ids.buildOrThrow();
    this.offsets = offs.buildOrThrow();
    if (offsets.size() != this.offsets.size()) {
      throw new IllegalArgumentException("offsets given for unknown buffer ids: "
          + offsets.keySet().stream().filter(k -> !byId.containsKey(k)).toList());
    }
    this.arenaSize = arenaSize;

    // The live set only grows when a buffer starts, so the peaks are found at first uses.
    int bestOp = -1;
    long best = -1;
    long bound = 0;
    for (int op : new TreeSet<>(this.lifetimes.stream().map(Lifetime::firstUse).toList())) {
      long live = liveBytesAt(op);
      if (live > best) {
        best = live;
        bestOp = op;
      }
      bound = Math.max(bound, alignedLiveBytesAt(op));
    }
    this.peakOp = bestOp;
    this.peakBytes = Math.max(best, 0);
    this.lowerBound = bound;
  }

  /**
   * A plan whose {@link #arenaSize()} is the high-water mark of the given offsets, rounded up to
   * {@code alignment}.
   *
   * @param planner name of the algorithm that produced the plan (shown by {@link #describe()})
   * @param lifetimes the buffers, with unique ids
   * @param offsets byte offset of every buffer, by id
   * @param alignment positive power of two
   * @throws IllegalArgumentException if ids repeat, an offset is missing or extra, or the
   *     alignment is not a positive power of two
   */
  public static ArenaPlan of(String planner, List<Lifetime> lifetimes, Map<Integer, Long> offsets,
      int alignment) {
    Align.checkAlignment(alignment);
    long highWater = 0;
    for (Lifetime b : lifetimes) {
      Long off = offsets.get(b.id());
      if (off != null && b.size() > 0) {
        highWater = Math.max(highWater, Math.addExact(off, b.size()));
      }
    }
    return new ArenaPlan(planner, lifetimes, offsets, alignment, Align.up(highWater, alignment));
  }

  /** Name of the algorithm that produced this plan. */
  public String planner() {
    return planner;
  }

  /** The alignment (bytes) every offset and the arena size are multiples of. */
  public int alignment() {
    return alignment;
  }

  /** The buffers this plan was made for, in the order they were given. */
  public ImmutableList<Lifetime> lifetimes() {
    return lifetimes;
  }

  /** The buffer with the given id. */
  public Lifetime lifetime(int id) {
    Lifetime b = byId.get(id);
    if (b == null) {
      throw new IllegalArgumentException("no buffer with id " + id + " in this plan");
    }
    return b;
  }

  /** Byte offset of buffer {@code id} from the start of the arena. */
  public long offset(int id) {
    Long off = offsets.get(id);
    if (off == null) {
      throw new IllegalArgumentException("no buffer with id " + id + " in this plan");
    }
    return off;
  }

  /** Every buffer's offset, by id, in the order of {@link #lifetimes()}. */
  public ImmutableMap<Integer, Long> offsets() {
    return offsets;
  }

  /** Total arena size in bytes: the high-water mark, rounded up to the alignment. */
  public long arenaSize() {
    return arenaSize;
  }

  /** The buffers live while operator {@code opIndex} runs (zero-size ones included). */
  public List<Lifetime> liveAt(int opIndex) {
    return lifetimes.stream().filter(b -> b.isLiveAt(opIndex)).toList();
  }

  /** Sum of the sizes of the buffers live while operator {@code op} runs. */
  public long liveBytesAt(int op) {
    long sum = 0;
    for (Lifetime b : lifetimes) {
      if (b.isLiveAt(op)) {
        sum = Math.addExact(sum, b.size());
      }
    }
    return sum;
  }

  /**
   * An operator index at which {@link #liveBytesAt} is maximal: the earliest such index at which
   * some buffer is live, or -1 if the plan has no buffers.
   */
  public int peakOp() {
    return peakOp;
  }

  /** {@link #liveBytesAt} at {@link #peakOp()} (0 if the plan has no buffers). */
  public long peakLiveBytes() {
    return peakBytes;
  }

  /**
   * A size no plan with this alignment can beat: the maximum over operators of the live buffers'
   * sizes, each rounded up to the alignment. (Buffers live at the same operator are disjoint and
   * start at aligned offsets, so each occupies at least its aligned size.)
   */
  public long lowerBound() {
    return lowerBound;
  }

  private long alignedLiveBytesAt(int op) {
    long sum = 0;
    for (Lifetime b : lifetimes) {
      if (b.isLiveAt(op)) {
        sum = Math.addExact(sum, Align.up(b.size(), alignment));
      }
    }
    return sum;
  }

  /**
   * Checks the plan from scratch.
   *
   * @throws IllegalStateException if the arena size or an offset is not a multiple of the
   *     alignment, an offset is negative, a buffer extends past {@link #arenaSize()}, or two
   *     buffers with intersecting lifetimes (both non-empty) intersect in memory
   */
  public void verify() {
    if (arenaSize < 0 || arenaSize % alignment != 0) {
      throw new IllegalStateException(
          "arena size " + arenaSize + " is not a multiple of the alignment " + alignment);
    }
    for (Lifetime b : lifetimes) {
      long off = offsets.get(b.id());
      if (off < 0) {
        throw new IllegalStateException(label(b) + " has negative offset " + off);
      }
      if (off % alignment != 0) {
        throw new IllegalStateException(
            label(b) + " offset " + off + " is not " + alignment + "-byte aligned");
      }
      if (b.size() > 0 && off + b.size() > arenaSize) {
        throw new IllegalStateException(label(b) + " [" + off + ", " + (off + b.size())
            + ") extends past the arena size " + arenaSize);
      }
    }
    // Sweep in offset order: a buffer can only collide with earlier ones that end after it starts.
    List<Lifetime> byOffset = new ArrayList<>(lifetimes);
    byOffset.removeIf(b -> b.size() == 0);
    byOffset.sort(Comparator.comparingLong((Lifetime b) -> offsets.get(b.id())));
    for (int i = 0; i < byOffset.size(); i++) {
      Lifetime a = byOffset.get(i);
      long aEnd = offsets.get(a.id()) + a.size();
      for (int j = i + 1; j < byOffset.size() && offsets.get(byOffset.get(j).id()) < aEnd; j++) {
        Lifetime b = byOffset.get(j);
        if (a.conflictsWith(b)) {
          long bOff = offsets.get(b.id());
          throw new IllegalStateException(String.format(Locale.ROOT,
              "%s [%d, %d) ops %d..%d and %s [%d, %d) ops %d..%d overlap in memory while both"
                  + " are live",
              label(a), offsets.get(a.id()), aEnd, a.firstUse(), a.lastUse(),
              label(b), bOff, bOff + b.size(), b.firstUse(), b.lastUse()));
        }
      }
    }
  }

  private static String label(Lifetime b) {
    return "buffer " + b.id() + " (" + b.name() + ")";
  }

  /**
   * A small text table of the plan: a summary line, then one row per buffer (id, name, offset,
   * size, first and last use) in offset order (ties by id). Names are sanitised so the text can
   * be pasted into a C block comment.
   */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT,
        "arena %d bytes (%s, %d-byte aligned); %d buffers; peak live %d bytes at op %d;"
            + " lower bound %d bytes%n",
        arenaSize, planner, alignment, lifetimes.size(), peakBytes, peakOp, lowerBound));
    List<Lifetime> rows = new ArrayList<>(lifetimes);
    rows.sort(Comparator.comparingLong((Lifetime b) -> offsets.get(b.id()))
        .thenComparingInt(Lifetime::id));
    int nameWidth = 4;
    for (Lifetime b : rows) {
      nameWidth = Math.max(nameWidth, Math.min(40, safeName(b.name()).length()));
    }
    String fmt = "%5s  %-" + nameWidth + "s  %10s  %10s  %5s  %5s%n";
    sb.append(String.format(Locale.ROOT, fmt, "id", "name", "offset", "size", "first", "last"));
    for (Lifetime b : rows) {
      String name = safeName(b.name());
      if (name.length() > 40) {
        name = name.substring(0, 37) + "...";
      }
      sb.append(String.format(Locale.ROOT, fmt, b.id(), name, offsets.get(b.id()), b.size(),
          b.firstUse(), b.lastUse()));
    }
    return sb.toString();
  }

  private static String safeName(String name) {
    StringBuilder sb = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      sb.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return sb.toString().replace("*/", "*_").replace("/*", "_*");
  }

  @Override
  public String toString() {
    return "ArenaPlan[" + planner + ", " + arenaSize + " bytes, " + lifetimes.size() + " buffers]";
  }
}
