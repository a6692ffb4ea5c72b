package dev.mcutrain.passes;

import com.google.common.collect.ImmutableList;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Ops;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.ir.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Folds a PAD into the convolution that consumes it. Converters write TFLite's asymmetric
 * "pad top/left before a stride-2 layer" as an explicit PAD followed by a VALID convolution; run
 * as written, the padded copy and its source are live together (MobileNetV2-w0.35: 196 KB + 203
 * KB). Folded, the convolution reads the unpadded tensor with {@link Op.ExplicitPad} and skips the
 * taps that fall outside it.
 *
 * <p>Exact for int8: TFLite's integer convolution adds {@code (x - zp_in) * w} per tap and PAD
 * fills with the zero point, so a padded tap adds 0 — the same as skipping it. The backward pass
 * is exact too: the gradient of PAD only drops the padded positions, which the folded
 * convolution never computes.
 *
 * <p>A PAD folds when it pads only height and width, keeps its input's quantization, is not a
 * graph output, and its only reader is a CONV_2D or DEPTHWISE_CONV_2D with VALID padding that reads
 * it as its input. The PAD's output tensor is removed and tensor ids are renumbered.
 */
public final class FoldPad {
  private FoldPad() {}

  public static Graph apply(Graph g) {
    List<Op> ops = new ArrayList<>(g.ops());
    boolean[] dropTensor = new boolean[g.tensors().size()];
    boolean[] dropOp = new boolean[ops.size()];
    for (int i = 0; i < ops.size(); i++) {
      if (!(ops.get(i) instanceof Op.Pad pad) || !foldable(g, pad)) {
        continue;
      }
      int reader = onlyReader(g, pad.output());
      if (reader < 0) {
        continue;
      }
      Op r = ops.get(reader);
      int top = pad.before().get(1);
      int left = pad.before().get(2);
      if (r instanceof Op.Conv2D c && c.input() == pad.output() && c.padding() == Padding.VALID
          && c.explicitPad() == null) {
        ops.set(reader, new Op.Conv2D(pad.input(), c.filter(), c.bias(), c.output(),
            Padding.VALID, c.strideH(), c.strideW(), c.activation(),
            new Op.ExplicitPad(top, left)));
      } else if (r instanceof Op.DepthwiseConv2D c && c.input() == pad.output()
          && c.padding() == Padding.VALID && c.explicitPad() == null) {
        ops.set(reader, new Op.DepthwiseConv2D(pad.input(), c.filter(), c.bias(), c.output(),
            Padding.VALID, c.strideH(), c.strideW(), c.depthMultiplier(), c.activation(),
            new Op.ExplicitPad(top, left)));
      } else {
        continue;
      }
      dropOp[i] = true;
      dropTensor[pad.output()] = true;
    }
    int[] newId = new int[g.tensors().size()];
    List<Tensor> tensors = new ArrayList<>();
    for (Tensor t : g.tensors()) {
      if (dropTensor[t.id()]) {
        newId[t.id()] = -1;
        continue;
      }
      newId[t.id()] = tensors.size();
      tensors.add(new Tensor(tensors.size(), t.name(), t.dtype(), t.shape(), t.quant(),
          t.data()));
    }
    List<Op> kept = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      if (!dropOp[i]) {
        kept.add(Ops.remap(ops.get(i), id -> newId[id]));
      }
    }
    return new Graph(g.name(), ImmutableList.copyOf(tensors), ImmutableList.copyOf(kept),
        remap(g.inputs(), newId), remap(g.outputs(), newId));
  }

  private static ImmutableList<Integer> remap(List<Integer> ids, int[] newId) {
    return ids.stream().map(i -> newId[i]).collect(ImmutableList.toImmutableList());
  }

  private static boolean foldable(Graph g, Op.Pad pad) {
    Tensor in = g.tensor(pad.input());
    Tensor out = g.tensor(pad.output());
    if (in.dtype() != DType.INT8 || out.dtype() != DType.INT8 || in.shape().rank() != 4
        || !in.quant().equals(out.quant()) || g.isGraphOutput(pad.output())) {
      return false;
    }
    return pad.before().get(0) == 0 && pad.after().get(0) == 0 && pad.before().get(3) == 0
        && pad.after().get(3) == 0;
  }

  /** The index of the only operator reading {@code tensor}, or -1. */
  private static int onlyReader(Graph g, int tensor) {
    int found = -1;
    for (int i = 0; i < g.ops().size(); i++) {
      for (int in : g.ops().get(i).inputs()) {
        if (in == tensor) {
          if (found >= 0 && found != i) {
            return -1;
          }
          found = i;
        }
      }
    }
    return found;
  }
}
