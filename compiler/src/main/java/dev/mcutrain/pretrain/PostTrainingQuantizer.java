package dev.mcutrain.pretrain;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.fp32.FloatGraph;
import dev.mcutrain.ir.ConstData;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Post-training quantization of a trained float graph into a full-integer int8 graph with TFLite's
 * conventions: weights of CONV_2D (axis 0) and DEPTHWISE_CONV_2D (axis 3) symmetric per channel,
 * FULLY_CONNECTED weights symmetric per tensor, int32 biases with scale s_in * s_w and zero point
 * 0, activations asymmetric per tensor from the min/max seen on calibration inputs (the range
 * always includes 0), RESHAPE sharing its input's quantization, SOFTMAX output at scale 1/256 and
 * zero point -128.
 */
public final class PostTrainingQuantizer {
  private PostTrainingQuantizer() {}

  /**
   * Quantizes {@code net} (whose graph's input already carries the int8 input quantization),
   * calibrating activation ranges on {@code calibration} (real-valued inputs).
   */
  public static Graph quantize(FloatGraph net, List<float[]> calibration) {
    Graph g = net.graph();
    int n = g.tensors().size();
    float[] lo = new float[n];
    float[] hi = new float[n];
    for (float[] x : calibration) {
      float[][] acts = net.forward(x);
      for (int t = 0; t < n; t++) {
        if (acts[t] != null) {
          for (float a : acts[t]) {
            lo[t] = Math.min(lo[t], a);
            hi[t] = Math.max(hi[t], a);
          }
        }
      }
    }
    QuantParams[] q = new QuantParams[n];
    int input = g.inputs().get(0);
    q[input] = g.tensor(input).q();
    for (Op op : g.ops()) {
      int out = op.output();
      if (op instanceof Op.Reshape r) {
        q[out] = q[r.input()];
      } else if (op instanceof Op.Softmax) {
        q[out] = QuantParams.perTensor(1f / 256f, -128);
      } else if (op instanceof Op.Pool2D p) {
        q[out] = q[p.input()];
      } else {
        q[out] = rangeQuant(lo[out], hi[out]);
      }
    }
    Tensor[] tensors = new Tensor[n];
    for (Tensor t : g.tensors()) {
      if (!t.isConstant()) {
        tensors[t.id()] = new Tensor(t.id(), t.name(), DType.INT8, t.shape(),
            Optional.of(q[t.id()]), Optional.empty());
      }
    }
    for (Op op : g.ops()) {
      int in = op.inputs().get(0);
      if (op instanceof Op.Conv2D c) {
        weightsAndBias(net, tensors, g, c.filter(), c.bias(), 0, q[in]);
      } else if (op instanceof Op.DepthwiseConv2D c) {
        weightsAndBias(net, tensors, g, c.filter(), c.bias(), 3, q[in]);
      } else if (op instanceof Op.FullyConnected c) {
        weightsAndBias(net, tensors, g, c.filter(), c.bias(), -1, q[in]);
      }
    }
    for (int t = 0; t < n; t++) {
      if (tensors[t] == null) {
        tensors[t] = g.tensor(t); // constants no weight layer owns (none in our architectures)
      }
    }
    return new Graph(g.name(), ImmutableList.copyOf(tensors), g.ops(), g.inputs(), g.outputs());
  }

  /** Asymmetric int8 quantization of [lo, hi] widened to contain 0 (TFLite's nudging). */
  static QuantParams rangeQuant(float lo, float hi) {
    lo = Math.min(lo, 0f);
    hi = Math.max(hi, 0f);
    if (hi - lo < 1e-6f) {
      hi = lo + 1e-6f;
    }
    float scale = (hi - lo) / 255f;
    long zp = Math.round(-128.0 - lo / scale);
    zp = Math.max(-128, Math.min(127, zp));
    return QuantParams.perTensor(scale, (int) zp);
  }

  private static void weightsAndBias(FloatGraph net, Tensor[] out, Graph g, int filter, int bias,
      int axis, QuantParams inQ) {
    Tensor f = g.tensor(filter);
    float[] w = net.param(filter);
    int channels = axis < 0 ? 1 : f.shape().dim(axis);
    int inner = 1;
    if (axis >= 0) {
      for (int a = axis + 1; a < f.shape().rank(); a++) {
        inner *= f.shape().dim(a);
      }
    }
    float[] maxAbs = new float[channels];
    for (int i = 0; i < w.length; i++) {
      int c = axis < 0 ? 0 : (i / inner) % channels;
      maxAbs[c] = Math.max(maxAbs[c], Math.abs(w[i]));
    }
    float[] scales = new float[channels];
    for (int c = 0; c < channels; c++) {
      scales[c] = maxAbs[c] > 0 ? maxAbs[c] / 127f : 1e-8f;
    }
    byte[] qw = new byte[w.length];
    for (int i = 0; i < w.length; i++) {
      int c = axis < 0 ? 0 : (i / inner) % channels;
      long v = Math.round(w[i] / scales[c]);
      qw[i] = (byte) Math.max(-127, Math.min(127, v));
    }
    int[] zeros = new int[channels];
    out[filter] = new Tensor(filter, f.name(), DType.INT8, f.shape(),
        Optional.of(new QuantParams(scales, ImmutableIntArray.copyOf(zeros), Math.max(axis, 0))),
        Optional.of(ConstData.ofInt8(qw)));
    if (bias >= 0) {
      Tensor bt = g.tensor(bias);
      float[] b = net.param(bias);
      float[] bs = new float[b.length];
      int[] qb = new int[b.length];
      for (int c = 0; c < b.length; c++) {
        bs[c] = inQ.scale() * scales[channels == 1 ? 0 : c];
        double v = Math.rint((double) b[c] / bs[c]);
        qb[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
      }
      QuantParams bq = channels == 1
          ? QuantParams.perTensor(bs[0], 0)
          : new QuantParams(bs, ImmutableIntArray.copyOf(new int[b.length]), 0);
      out[bias] = new Tensor(bias, bt.name(), DType.INT32, bt.shape(), Optional.of(bq),
          Optional.of(ConstData.ofInt32(qb)));
    }
  }
}
