package dev.mcutrain.pretrain;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.ConstData;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Shape;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.train.update.Prng;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The small MobileNet-like CNN that {@code mcutrain pretrain} trains: a strided 3x3 stem, a
 * depthwise-separable block, a strided separable block, one inverted-residual block (expand 1x1,
 * depthwise 3x3, linear project 1x1, residual ADD), a 1x1 feature layer, global average pooling
 * (MEAN) and a fully connected classifier followed by SOFTMAX. ReLU6 everywhere except the linear
 * projection. Channel counts scale with {@code width}.
 *
 * <p>The result is a float graph in the IR: the input is the int8 model input (scale 1/255, zero
 * point -128, i.e. pixel/255 in [0, 1]); activations are float32 without quantization; weights
 * and biases are float32 constants holding their initial values (He-uniform from the project
 * PRNG; biases 0). {@link PostTrainingQuantizer} turns it into the int8 model.
 */
public final class TinyMobileNet {
  /** The input quantization of every pretrained model: real = (q + 128) / 255. */
  public static final QuantParams INPUT_QUANT = QuantParams.perTensor(1f / 255f, -128);

  private final List<Tensor> tensors = new ArrayList<>();
  private final List<Op> ops = new ArrayList<>();
  private final Prng rng;

  private TinyMobileNet(int seed) {
    this.rng = new Prng(seed ^ 0x1417);
  }

  /**
   * Builds the float graph for {@code [1, height, width, channels]} inputs and {@code classes}
   * outputs. {@code widthMultiplier} scales every channel count (1.0 = 16/24/40/80/64 channels).
   */
  public static Graph build(int height, int width, int channels, int classes,
      double widthMultiplier, int seed) {
    if (height < 8 || width < 8 || channels < 1 || classes < 2 || widthMultiplier <= 0) {
      throw new IllegalArgumentException("bad architecture parameters");
    }
    TinyMobileNet b = new TinyMobileNet(seed);
    int x = b.tensor("input", DType.INT8, Shape.of(1, height, width, channels),
        Optional.of(INPUT_QUANT), Optional.empty());
    int c1 = ch(16, widthMultiplier);
    int c2 = ch(24, widthMultiplier);
    int c3 = ch(40, widthMultiplier);
    int c4 = ch(80, widthMultiplier);
    int c5 = ch(64, widthMultiplier);
    x = b.conv("stem", x, c1, 3, 2, Activation.RELU6);
    x = b.depthwise("block1/dw", x, 1, Activation.RELU6);
    x = b.conv("block1/pw", x, c2, 1, 1, Activation.RELU6);
    x = b.depthwise("block2/dw", x, 2, Activation.RELU6);
    int skip = b.conv("block2/pw", x, c3, 1, 1, Activation.RELU6);
    x = b.conv("block3/expand", skip, c4, 1, 1, Activation.RELU6);
    x = b.depthwise("block3/dw", x, 1, Activation.RELU6);
    x = b.conv("block3/project", x, c3, 1, 1, Activation.NONE);
    x = b.add("block3/add", skip, x);
    x = b.conv("features", x, c5, 1, 1, Activation.RELU6);
    x = b.mean("pool", x);
    x = b.fullyConnected("classifier", x, classes);
    int out = b.tensor("probabilities", DType.FLOAT32, Shape.of(1, classes), Optional.empty(),
        Optional.empty());
    b.ops.add(new Op.Softmax(x, out, 1f));
    return new Graph("tiny_mobilenet", ImmutableList.copyOf(b.tensors), ImmutableList.copyOf(b.ops),
        ImmutableList.of(0), ImmutableList.of(out));
  }

  private static int ch(int base, double m) {
    return Math.max(4, (int) Math.round(base * m));
  }

  private int tensor(String name, DType t, Shape s, Optional<QuantParams> q,
      Optional<ConstData> d) {
    int id = tensors.size();
    tensors.add(new Tensor(id, name, t, s, q, d));
    return id;
  }

  private int weights(String name, Shape s, int fanIn, float gain) {
    float limit = gain * (float) Math.sqrt(6.0 / fanIn);
    int n = (int) s.elementCount();
    ByteBuffer b = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putFloat((2f * rng.nextFloat() - 1f) * limit);
    }
    return tensor(name, DType.FLOAT32, s, Optional.empty(),
        Optional.of(ConstData.copyOf(b.array())));
  }

  private int zeros(String name, int n) {
    return tensor(name, DType.FLOAT32, Shape.of(n), Optional.empty(),
        Optional.of(ConstData.copyOf(new byte[4 * n])));
  }

  private Shape shape(int t) {
    return tensors.get(t).shape();
  }

  private int activation(String name, Shape s) {
    return tensor(name, DType.FLOAT32, s, Optional.empty(), Optional.empty());
  }

  private int conv(String name, int in, int outC, int k, int stride, Activation a) {
    Shape x = shape(in);
    int inC = x.dim(3);
    int w = weights(name + "/weights", Shape.of(outC, k, k, inC), k * k * inC,
        a == Activation.NONE ? 0.5f : 1f);
    int b = zeros(name + "/bias", outC);
    int out = activation(name, Shape.of(1, ceilDiv(x.dim(1), stride), ceilDiv(x.dim(2), stride),
        outC));
    ops.add(new Op.Conv2D(in, w, b, out, Padding.SAME, stride, stride, a));
    return out;
  }

  private int depthwise(String name, int in, int stride, Activation a) {
    Shape x = shape(in);
    int c = x.dim(3);
    int w = weights(name + "/weights", Shape.of(1, 3, 3, c), 9, 1f);
    int b = zeros(name + "/bias", c);
    int out = activation(name, Shape.of(1, ceilDiv(x.dim(1), stride), ceilDiv(x.dim(2), stride),
        c));
    ops.add(new Op.DepthwiseConv2D(in, w, b, out, Padding.SAME, stride, stride, 1, a));
    return out;
  }

  private int add(String name, int a, int b) {
    int out = activation(name, shape(a));
    ops.add(new Op.Add(a, b, out, Activation.NONE));
    return out;
  }

  private int mean(String name, int in) {
    int out = activation(name, Shape.of(1, shape(in).dim(3)));
    ops.add(new Op.Mean(in, out, ImmutableIntArray.of(1, 2), false));
    return out;
  }

  private int fullyConnected(String name, int in, int units) {
    int depth = shape(in).dim(1);
    int w = weights(name + "/weights", Shape.of(units, depth), depth, 1f);
    int b = zeros(name + "/bias", units);
    int out = activation(name, Shape.of(1, units));
    ops.add(new Op.FullyConnected(in, w, b, out, Activation.NONE));
    return out;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }
}
