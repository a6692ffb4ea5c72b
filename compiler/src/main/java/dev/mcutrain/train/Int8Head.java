package dev.mcutrain.train;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.ConstData;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Shape;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.train.update.Prng;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A fresh int8 classifier ({@code --head int8}): a graph-to-graph rewrite that replaces the
 * model's classifier and everything after it by a FULLY_CONNECTED layer with {@code classes}
 * outputs, whose output is the graph's new output (int8 logits).
 *
 * <p>Initial weights are Glorot-uniform in ±a, a = sqrt(6 / (depth + classes)), drawn from the
 * project PRNG seeded with {@code seed ^ 0x5EED} and quantized symmetrically with the scale
 * a / 127 for every output channel; biases start at 0 with scale s_x·s_w. The logits are int8
 * with scale 8/127 and zero point 0, so they cover ±8, ample for a softmax over a few classes.
 */
public final class Int8Head {
  /** Real range covered by the int8 logits: ±LOGIT_RANGE. */
  public static final float LOGIT_RANGE = 8f;

  private Int8Head() {}

  public static Graph replaceClassifier(Graph g, int classes, int seed) {
    int classifier = TrainingProgram.classifierOf(g);
    int features = g.ops().get(classifier).inputs().get(0);
    Tensor f = g.tensor(features);
    int batch = f.shape().rank() > 0 ? f.shape().dim(0) : 1;
    int depth = (int) (f.shape().elementCount() / batch);
    List<Tensor> tensors = new ArrayList<>(g.tensors());

    float limit = (float) Math.sqrt(6.0 / (depth + classes));
    float sw = limit / 127f;
    Prng rng = new Prng(seed ^ 0x5EED);
    byte[] w = new byte[classes * depth];
    for (int i = 0; i < w.length; i++) {
      float u = 2f * rng.nextFloat() - 1f;
      w[i] = (byte) Math.max(-127, Math.min(127, Math.round(u * 127f)));
    }
    float[] scales = new float[classes];
    float[] biasScales = new float[classes];
    int[] zeros = new int[classes];
    for (int c = 0; c < classes; c++) {
      scales[c] = sw;
      biasScales[c] = f.q().scale() * sw;
    }
    int wId = tensors.size();
    tensors.add(new Tensor(wId, "head/weights", DType.INT8, Shape.of(classes, depth),
        Optional.of(new QuantParams(scales, ImmutableIntArray.copyOf(zeros), 0)),
        Optional.of(ConstData.ofInt8(w))));
    int bId = tensors.size();
    tensors.add(new Tensor(bId, "head/bias", DType.INT32, Shape.of(classes),
        Optional.of(new QuantParams(biasScales, ImmutableIntArray.copyOf(zeros), 0)),
        Optional.of(ConstData.ofInt32(new int[classes]))));
    int yId = tensors.size();
    tensors.add(new Tensor(yId, "head/logits", DType.INT8, Shape.of(batch, classes),
        Optional.of(QuantParams.perTensor(LOGIT_RANGE / 127f, 0)), Optional.empty()));
    List<Op> ops = new ArrayList<>(g.ops().subList(0, classifier));
    ops.add(new Op.FullyConnected(features, wId, bId, yId, Activation.NONE));
    return new Graph(g.name(), ImmutableList.copyOf(tensors), ImmutableList.copyOf(ops),
        g.inputs(), ImmutableList.of(yId));
  }
}
