package dev.mcutrain.train;

import com.google.common.collect.ImmutableList;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The exported training-state blob, identical from Java and from the generated C:
 *
 * <pre>
 *   header   "MTS1", u32 version (1), u32 model id, u32 payload bytes      (16 bytes)
 *   payload  for each updated layer in operator order: its int8 filter (if weights are updated;
 *            when only the first k of the filter's innermost channels are, just that slice,
 *            [rows][k] — see {@link #slicedWeights}), then its int32 bias (if the bias is updated); the new head's fp32 weights and
 *            biases; the PRNG state and increment (u64 each); the u32 step count; with
 *            --accumulate B > 1 the fp32 accumulators (layers in order, then the head)
 *                                                                            (little-endian)
 *   trailer  u32 CRC-32 of header and payload
 * </pre>
 *
 * The model id is the FNV-1a hash of the model name and of every item's name and size, so a blob
 * from another model or another update scheme is rejected.
 */
public record StateLayout(ImmutableList<Item> items, int modelId) {
  public static final int VERSION = 1;
  public static final int HEADER_BYTES = 16;
  public static final int TRAILER_BYTES = 4;

  /** Kinds of state items. */
  public enum Kind {
    WEIGHTS,
    BIAS,
    HEAD_WEIGHTS,
    HEAD_BIAS,
    PRNG,
    STEP,
    ACC_WEIGHTS,
    ACC_BIAS,
    ACC_HEAD_WEIGHTS,
    ACC_HEAD_BIAS
  }

  /** One item: {@code op} is the operator index for WEIGHTS and BIAS, else -1. */
  public record Item(Kind kind, int op, int bytes, String name) {}

  public static StateLayout of(TrainingProgram p) {
    Graph g = p.graph();
    List<Item> items = new ArrayList<>();
    for (TrainingProgram.LayerUpdate u : p.updates().values().stream()
        .sorted((a, b) -> Integer.compare(a.op(), b.op())).toList()) {
      Op op = g.ops().get(u.op());
      if (u.weightChannels() > 0) {
        items.add(new Item(Kind.WEIGHTS, u.op(), weightStateBytes(g, u),
            "op" + u.op() + ".weights"));
      }
      if (u.bias() && op.inputs().size() > 2 && op.inputs().get(2) >= 0) {
        items.add(new Item(Kind.BIAS, u.op(), (int) g.tensor(op.inputs().get(2)).byteSize(),
            "op" + u.op() + ".bias"));
      }
    }
    p.head().ifPresent(h -> {
      items.add(new Item(Kind.HEAD_WEIGHTS, -1, 4 * h.units() * h.depth(), "head.weights"));
      items.add(new Item(Kind.HEAD_BIAS, -1, 4 * h.units(), "head.bias"));
    });
    items.add(new Item(Kind.PRNG, -1, 16, "prng"));
    items.add(new Item(Kind.STEP, -1, 4, "step"));
    if (p.options().accumulate() > 1) {
      for (TrainingProgram.LayerUpdate u : p.updates().values().stream()
          .sorted((a, b) -> Integer.compare(a.op(), b.op())).toList()) {
        Op op = g.ops().get(u.op());
        if (u.weightChannels() > 0) {
          items.add(new Item(Kind.ACC_WEIGHTS, u.op(), 4 * accumulatorLength(g, u),
              "op" + u.op() + ".weights.acc"));
        }
        if (u.bias() && op.inputs().size() > 2 && op.inputs().get(2) >= 0) {
          items.add(new Item(Kind.ACC_BIAS, u.op(),
              4 * (int) g.tensor(op.inputs().get(2)).shape().elementCount(),
              "op" + u.op() + ".bias.acc"));
        }
      }
      p.head().ifPresent(h -> {
        items.add(new Item(Kind.ACC_HEAD_WEIGHTS, -1, 4 * h.units() * h.depth(),
            "head.weights.acc"));
        items.add(new Item(Kind.ACC_HEAD_BIAS, -1, 4 * h.units(), "head.bias.acc"));
      });
    }
    int hash = 0x811c9dc5;
    StringBuilder desc = new StringBuilder(g.name());
    for (Item i : items) {
      desc.append(';').append(i.name()).append('=').append(i.bytes());
    }
    for (byte b : desc.toString().getBytes(StandardCharsets.UTF_8)) {
      hash ^= b & 0xff;
      hash *= 0x01000193;
    }
    return new StateLayout(ImmutableList.copyOf(items), hash);
  }

  /**
   * Floats of a layer's weight accumulator: conv [oc][kh][kw][channels], depthwise
   * [channels][kh][kw], fully connected [units][channels].
   */
  public static int accumulatorLength(Graph g, TrainingProgram.LayerUpdate u) {
    Op op = g.ops().get(u.op());
    var f = g.tensor(op.inputs().get(1)).shape();
    if (op instanceof Op.Conv2D) {
      return f.dim(0) * f.dim(1) * f.dim(2) * u.weightChannels();
    }
    if (op instanceof Op.DepthwiseConv2D) {
      return u.weightChannels() * f.dim(1) * f.dim(2);
    }
    return f.dim(0) * u.weightChannels();
  }

  /**
   * True when a layer updates only the first {@code k < D} of its filter's innermost channels
   * (conv input channels, depthwise channels, fully connected depth): then only the {@code
   * [rows][k]} slice of updated weights is trainable state in SRAM, and the whole filter is
   * assembled from it and from flash in the arena while the layer's forward or backward step
   * runs.
   */
  public static boolean slicedWeights(Graph g, TrainingProgram.LayerUpdate u) {
    Op op = g.ops().get(u.op());
    return u.weightChannels() > 0
        && u.weightChannels() < g.tensor(op.inputs().get(1)).shape().fromEnd(1);
  }

  /** The filter's innermost channel count D (rows = elements / D). */
  public static int filterDepth(Graph g, int op) {
    return g.tensor(g.ops().get(op).inputs().get(1)).shape().fromEnd(1);
  }

  /** Rows of the filter viewed as [rows][D]. */
  public static int filterRows(Graph g, int op) {
    return (int) (g.tensor(g.ops().get(op).inputs().get(1)).shape().elementCount()
        / filterDepth(g, op));
  }

  /** Bytes of a layer's updated weights in SRAM: the slice, or the whole filter. */
  public static int weightStateBytes(Graph g, TrainingProgram.LayerUpdate u) {
    if (slicedWeights(g, u)) {
      return filterRows(g, u.op()) * u.weightChannels();
    }
    return (int) g.tensor(g.ops().get(u.op()).inputs().get(1)).byteSize();
  }

  public int payloadBytes() {
    return items.stream().mapToInt(Item::bytes).sum();
  }

  public int totalBytes() {
    return HEADER_BYTES + payloadBytes() + TRAILER_BYTES;
  }
}
