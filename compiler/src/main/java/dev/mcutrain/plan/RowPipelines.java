package dev.mcutrain.plan;

import com.google.common.collect.ImmutableList;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.lower.KernelParams;
import dev.mcutrain.lower.Lowering;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * Which runs of consecutive convolutions execute as one row pipeline ({@code
 * mt_conv_pipeline_s8}): the chain is computed row by row through small line buffers, so the
 * tensors between its stages never exist whole. This is how an inverted-residual block (expand →
 * depthwise → project) runs without its expanded tensors, which dominate the activation memory
 * of MobileNet-style models at high resolution.
 *
 * <p>A schedule decision, not a graph rewrite: the graph, and therefore the Java reference, is
 * unchanged, and the pipeline computes every element with the same kernels and the same terms,
 * so its output is bit for bit the unfused one. Consumers: the memory plans (an internal tensor
 * takes no arena space; the pipeline's line buffers take {@link Group#scratchBytes()} while it
 * runs) and the C emitters.
 *
 * <p>Stages are CONV_2D or DEPTHWISE_CONV_2D on int8 rank-4 tensors with batch 1, whose every
 * output row touches at least one input row. Stage k+1 must be operator k+1 and the only reader
 * of stage k's output, which must not be a graph output. Among the possible groupings (at most
 * {@link #MAX_STAGES} stages each) the planner picks the one that materializes the fewest bytes
 * of linkable tensors (a dynamic program over the operator sequence).
 *
 * @param groups disjoint groups in operator order
 */
public record RowPipelines(ImmutableList<Group> groups) {
  /** Most stages per pipeline (the runtime allows MT_PIPELINE_MAX_STAGES = 4). */
  public static final int MAX_STAGES = 3;

  /** Alignment of each stage's line buffer inside the scratch, as the runtime lays it out. */
  public static final int WINDOW_ALIGNMENT = 16;

  /**
   * Operators {@code first..last} run as one pipeline needing {@code scratchBytes} of line
   * buffers.
   */
  public record Group(int first, int last, long scratchBytes) {
    public int stages() {
      return last - first + 1;
    }

    public boolean contains(int op) {
      return op >= first && op <= last;
    }
  }

  /** No pipelines: every operator runs whole. */
  public static RowPipelines none() {
    return new RowPipelines(ImmutableList.of());
  }

  /** Pipelines over operators 0..{@code lastOp}, using only operators {@code eligible} accepts. */
  public static RowPipelines plan(Graph g, int lastOp, IntPredicate eligible) {
    int n = Math.min(lastOp + 1, g.ops().size());
    boolean[] stage = new boolean[n];
    for (int i = 0; i < n; i++) {
      stage[i] = eligible.test(i) && isStage(g, i);
    }
    // link[i]: operator i's output may stay inside a pipeline that continues with operator i+1.
    boolean[] link = new boolean[n];
    for (int i = 0; i + 1 < n; i++) {
      link[i] = stage[i] && stage[i + 1] && linked(g, i);
    }
    // best[i]: fewest linkable bytes materialized by a grouping of operators i..n-1.
    long[] best = new long[n + 1];
    int[] choice = new int[n + 1];
    for (int i = n - 1; i >= 0; i--) {
      best[i] = Long.MAX_VALUE;
      for (int len = 1; len <= MAX_STAGES && i + len <= n; len++) {
        if (len > 1 && !link[i + len - 2]) {
          break;
        }
        int end = i + len - 1;
        long cost = best[i + len] + (link[end] ? g.tensor(g.ops().get(end).output()).byteSize()
            : 0);
        if (cost < best[i] || (cost == best[i] && len > choice[i])) {
          best[i] = cost;
          choice[i] = len;
        }
      }
    }
    ImmutableList.Builder<Group> groups = ImmutableList.builder();
    for (int i = 0; i < n; i += choice[i]) {
      if (choice[i] > 1) {
        int last = i + choice[i] - 1;
        groups.add(new Group(i, last, scratchBytes(g, i, last)));
      }
    }
    return new RowPipelines(groups.build());
  }

  /** The group operator {@code op} belongs to, if any. */
  public Optional<Group> groupOf(int op) {
    for (Group gr : groups) {
      if (gr.contains(op)) {
        return Optional.of(gr);
      }
    }
    return Optional.empty();
  }

  /** True when tensor {@code t}, the output of operator {@code producer}, never exists whole. */
  public boolean isInternal(int producer) {
    return groupOf(producer).map(gr -> producer < gr.last()).orElse(false);
  }

  /** Bytes of the line buffers of stages {@code first+1..last} (each 16-byte aligned). */
  public static long scratchBytes(Graph g, int first, int last) {
    long total = 0;
    for (int s = first + 1; s <= last; s++) {
      Tensor in = g.tensor(g.ops().get(s - 1).output());
      int kh = g.tensor(g.ops().get(s).inputs().get(1)).shape().dim(1);
      long bytes = (long) kh * in.shape().dim(2) * in.shape().dim(3);
      total += (bytes + WINDOW_ALIGNMENT - 1) / WINDOW_ALIGNMENT * WINDOW_ALIGNMENT;
    }
    return total;
  }

  private static boolean isStage(Graph g, int i) {
    Op op = g.ops().get(i);
    if (!(op instanceof Op.Conv2D || op instanceof Op.DepthwiseConv2D)) {
      return false;
    }
    Tensor x = g.tensor(op.inputs().get(0));
    Tensor y = g.tensor(op.output());
    if (x.dtype() != DType.INT8 || y.dtype() != DType.INT8 || x.shape().rank() != 4
        || y.shape().rank() != 4 || x.shape().dim(0) != 1 || y.shape().dim(0) != 1) {
      return false;
    }
    KernelParams.Conv p = (KernelParams.Conv) Lowering.lower(g, op);
    int kh = g.tensor(op.inputs().get(1)).shape().dim(1);
    int ih = x.shape().dim(1);
    for (int r = 0; r < y.shape().dim(1); r++) {
      int top = r * p.strideH() - p.padH();
      if (Math.min(ih, top + kh) <= Math.max(0, top)) {
        return false; // a row of padding only
      }
    }
    return true;
  }

  private static boolean linked(Graph g, int i) {
    int t = g.ops().get(i).output();
    if (g.isGraphOutput(t) || g.ops().get(i + 1).inputs().get(0) != t) {
      return false;
    }
    int readers = 0;
    for (Op op : g.ops()) {
      for (int in : op.inputs()) {
        if (in == t) {
          readers++;
        }
      }
    }
    return readers == 1;
  }
}
