package dev.mcutrain.lower;

import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Shape;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.quant.FixedPoint;
import dev.mcutrain.quant.Multiplier;

/**
 * Computes each operator's kernel parameters exactly as TensorFlow Lite Micro's Prepare step
 * does (multipliers in double from float32 scales, activation bounds in float32).
 */
public final class Lowering {
  private Lowering() {}

  public static KernelParams lower(Graph g, Op op) {
    if (op instanceof Op.Conv2D c) {
      Tensor x = g.tensor(c.input());
      Tensor f = g.tensor(c.filter());
      Tensor y = g.tensor(c.output());
      return conv(x, f, y, c.padTop(x.shape().dim(1), f.shape().dim(1), y.shape().dim(1)),
          c.padLeft(x.shape().dim(2), f.shape().dim(2), y.shape().dim(2)), c.strideH(),
          c.strideW(), 0, f.shape().dim(0),
          c.activation());
    }
    if (op instanceof Op.DepthwiseConv2D c) {
      Tensor x = g.tensor(c.input());
      Tensor f = g.tensor(c.filter());
      Tensor y = g.tensor(c.output());
      return conv(x, f, y, c.padTop(x.shape().dim(1), f.shape().dim(1), y.shape().dim(1)),
          c.padLeft(x.shape().dim(2), f.shape().dim(2), y.shape().dim(2)), c.strideH(),
          c.strideW(), c.depthMultiplier(),
          f.shape().dim(3), c.activation());
    }
    if (op instanceof Op.FullyConnected fc) {
      return fullyConnected(g, fc);
    }
    if (op instanceof Op.Add a) {
      return add(g.tensor(a.input1()), g.tensor(a.input2()), g.tensor(a.output()),
          a.activation());
    }
    if (op instanceof Op.Pool2D p) {
      Tensor x = g.tensor(p.input());
      Tensor y = g.tensor(p.output());
      int padH = p.padding().padBefore(x.shape().dim(1), p.filterH(), p.strideH(),
          y.shape().dim(1));
      int padW = p.padding().padBefore(x.shape().dim(2), p.filterW(), p.strideW(),
          y.shape().dim(2));
      int[] range = activationRange(y.q(), p.activation());
      return new KernelParams.Pool(p.strideH(), p.strideW(), p.filterH(), p.filterW(), padH,
          padW, range[0], range[1]);
    }
    if (op instanceof Op.Mean m) {
      return mean(g.tensor(m.input()), g.tensor(m.output()));
    }
    if (op instanceof Op.Softmax s) {
      return softmax(g.tensor(s.input()), s.beta());
    }
    if (op instanceof Op.Pad p) {
      Tensor y = g.tensor(p.output());
      int r = p.before().length();
      int[] before = new int[4];
      int[] after = new int[4];
      for (int i = 0; i < r; i++) {
        before[4 - r + i] = p.before().get(i);
        after[4 - r + i] = p.after().get(i);
      }
      return new KernelParams.Pad(ImmutableIntArray.copyOf(before),
          ImmutableIntArray.copyOf(after), y.q().zeroPoint());
    }
    if (op instanceof Op.Quantize q) {
      Tensor x = g.tensor(q.input());
      Tensor y = g.tensor(q.output());
      int size = y.shape().size();
      if (x.quant().isPresent()) {
        Multiplier m = Multiplier.quantize((double) x.q().scale() / (double) y.q().scale());
        return new KernelParams.Quantize(y.q().scale(), x.q().zeroPoint(), y.q().zeroPoint(),
            m.multiplier(), m.shift(), size);
      }
      return new KernelParams.Quantize(y.q().scale(), 0, y.q().zeroPoint(), 0, 0, size);
    }
    if (op instanceof Op.Dequantize d) {
      Tensor x = g.tensor(d.input());
      return new KernelParams.Quantize(x.q().scale(), x.q().zeroPoint(), 0, 0, 0,
          x.shape().size());
    }
    if (op instanceof Op.Reshape) {
      return new KernelParams.Alias();
    }
    throw new IllegalArgumentException("no lowering for " + op.kind());
  }

  /**
   * TFLite's CalculateActivationRangeQuantized for int8: bounds from {@code zp + round(f / s)}
   * in float32, intersected with [-128, 127].
   */
  public static int[] activationRange(QuantParams out, Activation act) {
    int lo = -128;
    int hi = 127;
    switch (act) {
      case RELU -> lo = Math.max(lo, quantize(out, 0f));
      case RELU6 -> {
        lo = Math.max(lo, quantize(out, 0f));
        hi = Math.min(hi, quantize(out, 6f));
      }
      case RELU_N1_TO_1 -> {
        lo = Math.max(lo, quantize(out, -1f));
        hi = Math.min(hi, quantize(out, 1f));
      }
      case NONE -> {}
    }
    return new int[] {lo, hi};
  }

  private static int quantize(QuantParams q, float f) {
    return q.zeroPoint() + (int) FixedPoint.roundHalfAwayFromZero(f / q.scale());
  }

  private static KernelParams.Conv conv(Tensor x, Tensor f, Tensor y, int padH, int padW,
      int strideH, int strideW, int depthMultiplier, int channels, Activation act) {
    int[] range = activationRange(y.q(), act);
    return new KernelParams.Conv(-x.q().zeroPoint(), y.q().zeroPoint(), strideH, strideW, padH,
        padW, depthMultiplier, range[0], range[1], perChannel(x, f, y, channels));
  }

  /** PopulateConvolutionQuantizationParams: (double) s_in * (double) s_w[c] / (double) s_out. */
  private static KernelParams.Requant perChannel(Tensor x, Tensor f, Tensor y, int channels) {
    QuantParams fq = f.q();
    int n = fq.isPerChannel() ? channels : 1;
    int[] mult = new int[n];
    int[] shift = new int[n];
    for (int c = 0; c < n; c++) {
      double eff = (double) x.q().scale() * (double) fq.scale(c) / (double) y.q().scale();
      Multiplier m = Multiplier.quantize(eff);
      mult[c] = m.multiplier();
      shift[c] = m.shift();
    }
    return new KernelParams.Requant(ImmutableIntArray.copyOf(mult),
        ImmutableIntArray.copyOf(shift));
  }

  private static KernelParams.FullyConnected fullyConnected(Graph g, Op.FullyConnected fc) {
    Tensor x = g.tensor(fc.input());
    Tensor f = g.tensor(fc.filter());
    Tensor y = g.tensor(fc.output());
    int units = f.shape().dim(0);
    int depth = f.shape().dim(1);
    int batches = (int) (x.shape().elementCount() / depth);
    int[] range = activationRange(y.q(), fc.activation());
    return new KernelParams.FullyConnected(-x.q().zeroPoint(), y.q().zeroPoint(), range[0],
        range[1], perChannel(x, f, y, units), batches, depth, units);
  }

  /** TFLite's int8 ADD preparation with a left shift of 20. */
  private static KernelParams.Add add(Tensor a, Tensor b, Tensor y, Activation act) {
    int leftShift = 20;
    double twiceMax = 2 * (double) Math.max(a.q().scale(), b.q().scale());
    Multiplier m1 = Multiplier.quantize((double) a.q().scale() / twiceMax);
    Multiplier m2 = Multiplier.quantize((double) b.q().scale() / twiceMax);
    Multiplier mo = Multiplier.quantize(twiceMax / ((1 << leftShift) * (double) y.q().scale()));
    int[] range = activationRange(y.q(), act);
    return new KernelParams.Add(-a.q().zeroPoint(), -b.q().zeroPoint(), y.q().zeroPoint(),
        leftShift, m1.multiplier(), m1.shift(), m2.multiplier(), m2.shift(), mo.multiplier(),
        mo.shift(), range[0], range[1]);
  }

  /**
   * TFLite Micro's int8 MEAN: QuantizeMultiplier(s_in / s_out), then 1/count folded in as
   * {@code shift = min(floor(log2 n), 32, 31 + shift); m = (m << shift) / n}.
   */
  private static KernelParams.Mean mean(Tensor x, Tensor y) {
    Multiplier m = Multiplier.quantize((double) x.q().scale() / (double) y.q().scale());
    long n = (long) x.shape().dim(1) * x.shape().dim(2);
    int shift = 63 - Long.numberOfLeadingZeros(n);
    shift = Math.min(shift, 32);
    shift = Math.min(shift, 31 + m.shift());
    int multiplier = (int) (((long) m.multiplier() << shift) / n);
    return new KernelParams.Mean(x.q().zeroPoint(), y.q().zeroPoint(), multiplier,
        m.shift() - shift);
  }

  /** PreprocessSoftmaxScaling with 5 integer bits, and CalculateInputRadius for diff_min. */
  private static KernelParams.Softmax softmax(Tensor x, float beta) {
    final int integerBits = 5;
    double real = Math.min((double) beta * (double) x.q().scale() * (1 << (31 - integerBits)),
        (double) ((1L << 31) - 1));
    Multiplier m = Multiplier.quantizeGreaterThanOne(real);
    double maxInputRescaled = 1.0 * ((1 << integerBits) - 1)
        * (double) (1L << (31 - integerBits)) / (double) (1L << m.shift());
    int diffMin = -(int) Math.floor(maxInputRescaled);
    int depth = x.shape().fromEnd(1);
    int outer = x.shape().size() / depth;
    return new KernelParams.Softmax(m.multiplier(), m.shift(), diffMin, outer, depth);
  }
}
