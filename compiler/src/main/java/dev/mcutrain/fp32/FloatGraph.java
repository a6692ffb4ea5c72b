package dev.mcutrain.fp32;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Shape;
import dev.mcutrain.ir.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * Float32 execution of an IR graph — the "cloud" side of the project: forward and backward passes
 * of the differentiable operators on real-valued weights and activations, with no quantization in
 * between (or, with {@link #forward(float[], boolean) fake quantization}, every int8 activation
 * rounded to its grid, which is how the pretrainer predicts its own int8 model).
 *
 * <p>Parameters are the real values of the graph's weight and bias constants: float32 constants
 * as stored, int8/int32 constants dequantized ({@code s * (q - zp)}, per channel where the
 * quantization is). Operators run in graph order up to {@code lastOp}; RESHAPE, QUANTIZE and
 * DEQUANTIZE are copies, SOFTMAX is the float softmax. The loops have a fixed order, so a run is
 * deterministic; results are not meant to equal the int8 engines bit for bit.
 *
 * <p>An instance is immutable apart from its parameter arrays ({@link #param}), which training
 * updates in place; concurrent {@link #forward}/{@link #backward} calls are safe while no update
 * runs.
 */
public final class FloatGraph {
  private final Graph graph;
  private final int lastOp;
  private final Map<Integer, float[]> params;
  private final int[][] dims;

  private FloatGraph(Graph graph, int lastOp, Map<Integer, float[]> params) {
    if (lastOp < 0 || lastOp >= graph.ops().size()) {
      throw new IllegalArgumentException("lastOp " + lastOp);
    }
    this.graph = graph;
    this.lastOp = lastOp;
    this.params = params;
    this.dims = new int[graph.tensors().size()][];
    for (Tensor t : graph.tensors()) {
      dims[t.id()] = nhwc(t.shape());
    }
    for (int i = 0; i <= lastOp; i++) {
      Op op = graph.ops().get(i);
      if (op instanceof Op.Pool2D p && p.max()) {
        continue; // forward only; backward rejects it
      }
      if (op instanceof Op.Add a && graph.tensor(a.input1()).shape().elementCount()
          != graph.tensor(a.input2()).shape().elementCount()) {
        throw new McuTrainException("operator " + i + " (ADD) broadcasts; the float engine "
            + "supports ADD of equal shapes only");
      }
    }
  }

  /** The float view of an int8 graph: every quantized constant dequantized. */
  public static FloatGraph dequantized(Graph g, int lastOp) {
    Map<Integer, float[]> p = new HashMap<>();
    for (Tensor t : g.tensors()) {
      if (t.isConstant() && (t.dtype() == DType.FLOAT32 || t.quant().isPresent())
          && t.dtype() != DType.INT64) {
        p.put(t.id(), realValues(t));
      }
    }
    return new FloatGraph(g, lastOp, p);
  }

  /** A float graph whose parameters (by tensor id) are given; they are used, not copied. */
  public static FloatGraph of(Graph g, int lastOp, Map<Integer, float[]> params) {
    return new FloatGraph(g, lastOp, new HashMap<>(params));
  }

  /** The real values of a constant tensor (float32 as stored, else dequantized per channel). */
  public static float[] realValues(Tensor t) {
    var d = t.data().orElseThrow();
    int n = (int) t.shape().elementCount();
    float[] v = new float[n];
    if (t.dtype() == DType.FLOAT32) {
      for (int i = 0; i < n; i++) {
        v[i] = d.float32(i);
      }
      return v;
    }
    QuantParams q = t.q();
    int inner = 1;
    if (q.isPerChannel()) {
      for (int a = q.axis() + 1; a < t.shape().rank(); a++) {
        inner *= t.shape().dim(a);
      }
    }
    for (int i = 0; i < n; i++) {
      int c = q.isPerChannel() ? (i / inner) % q.channelCount() : 0;
      int raw = switch (t.dtype()) {
        case INT8 -> d.int8(i);
        case INT32 -> d.int32(i);
        default -> throw new McuTrainException("tensor '" + t.name() + "': a " + t.dtype()
            + " constant cannot be a float parameter");
      };
      v[i] = q.scale(c) * (raw - q.zeroPoint(c));
    }
    return v;
  }

  public Graph graph() {
    return graph;
  }

  public int lastOp() {
    return lastOp;
  }

  /** The live parameter array of constant tensor {@code tensorId} (updated in place). */
  public float[] param(int tensorId) {
    float[] p = params.get(tensorId);
    if (p == null) {
      throw new IllegalArgumentException("tensor " + tensorId + " is not a parameter");
    }
    return p;
  }

  /** The parameter tensor ids, in id order. */
  public int[] paramIds() {
    return params.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
  }

  /** Runs operators 0..lastOp; returns the activations by tensor id (constants and unused: null). */
  public float[][] forward(float[] input) {
    return forward(input, false);
  }

  /**
   * Runs operators 0..lastOp. With {@code fakeQuant}, the input and every operator output that is
   * an int8 tensor is rounded to its quantization grid (half away from zero) and clamped to
   * [-128, 127] — a float simulation of the int8 model.
   */
  public float[][] forward(float[] input, boolean fakeQuant) {
    int in = graph.inputs().get(0);
    if (input.length != graph.tensor(in).shape().elementCount()) {
      throw new IllegalArgumentException("input has " + input.length + " values, the model "
          + graph.tensor(in).shape().elementCount());
    }
    float[][] v = new float[graph.tensors().size()][];
    v[in] = input.clone();
    if (fakeQuant) {
      fakeQuantize(v[in], graph.tensor(in));
    }
    for (int i = 0; i <= lastOp; i++) {
      Op op = graph.ops().get(i);
      float[] out = new float[(int) graph.tensor(op.output()).shape().elementCount()];
      run(op, v, out);
      if (fakeQuant) {
        fakeQuantize(out, graph.tensor(op.output()));
      }
      v[op.output()] = out;
    }
    return v;
  }

  private static void fakeQuantize(float[] x, Tensor t) {
    if (t.dtype() != DType.INT8 || t.quant().isEmpty()) {
      return;
    }
    float s = t.q().scale();
    int zp = t.q().zeroPoint();
    for (int i = 0; i < x.length; i++) {
      long q = Math.round(Math.abs(x[i] / s)) * (x[i] < 0 ? -1 : 1) + zp;
      q = Math.max(-128, Math.min(127, q));
      x[i] = s * (q - zp);
    }
  }

  private void run(Op op, float[][] v, float[] out) {
    if (op instanceof Op.Conv2D c) {
      int[] x = dims[c.input()];
      int[] f = dims[c.filter()];
      int[] y = dims[c.output()];
      conv(v[c.input()], x, param(c.filter()), f, c.bias() < 0 ? null : param(c.bias()), out,
          y, c.strideH(), c.strideW(), c.padTop(x[1], f[1], y[1]),
          c.padLeft(x[2], f[2], y[2]));
      activate(out, c.activation());
    } else if (op instanceof Op.DepthwiseConv2D c) {
      int[] x = dims[c.input()];
      int[] f = dims[c.filter()];
      int[] y = dims[c.output()];
      depthwise(v[c.input()], x, param(c.filter()), f, c.bias() < 0 ? null : param(c.bias()),
          out, y, c.strideH(), c.strideW(), c.depthMultiplier(),
          c.padTop(x[1], f[1], y[1]),
          c.padLeft(x[2], f[2], y[2]));
      activate(out, c.activation());
    } else if (op instanceof Op.FullyConnected c) {
      float[] w = param(c.filter());
      float[] b = c.bias() < 0 ? null : param(c.bias());
      float[] in = v[c.input()];
      int units = graph.tensor(c.filter()).shape().dim(0);
      int depth = graph.tensor(c.filter()).shape().dim(1);
      int batches = in.length / depth;
      for (int n = 0; n < batches; n++) {
        for (int u = 0; u < units; u++) {
          float acc = 0f;
          for (int d = 0; d < depth; d++) {
            acc += in[n * depth + d] * w[u * depth + d];
          }
          out[n * units + u] = acc + (b == null ? 0f : b[u]);
        }
      }
      activate(out, c.activation());
    } else if (op instanceof Op.Add a) {
      float[] p = v[a.input1()];
      float[] q = v[a.input2()];
      for (int i = 0; i < out.length; i++) {
        out[i] = p[i] + q[i];
      }
      activate(out, a.activation());
    } else if (op instanceof Op.Pool2D p) {
      int[] x = dims[p.input()];
      int[] y = dims[p.output()];
      pool(p.max(), v[p.input()], x, out, y, p.strideH(), p.strideW(), p.filterH(),
          p.filterW(), pad(p.padding(), x[1], y[1], p.filterH(), p.strideH()),
          pad(p.padding(), x[2], y[2], p.filterW(), p.strideW()));
      activate(out, p.activation());
    } else if (op instanceof Op.Mean m) {
      int[] x = dims[m.input()];
      float[] in = v[m.input()];
      int hw = x[1] * x[2];
      for (int n = 0; n < x[0]; n++) {
        for (int c = 0; c < x[3]; c++) {
          float acc = 0f;
          for (int i = 0; i < hw; i++) {
            acc += in[(n * hw + i) * x[3] + c];
          }
          out[n * x[3] + c] = acc / hw;
        }
      }
    } else if (op instanceof Op.Reshape r) {
      System.arraycopy(v[r.input()], 0, out, 0, out.length);
    } else if (op instanceof Op.Quantize q) {
      System.arraycopy(v[q.input()], 0, out, 0, out.length);
    } else if (op instanceof Op.Dequantize q) {
      System.arraycopy(v[q.input()], 0, out, 0, out.length);
    } else if (op instanceof Op.Pad p) {
      int[] x = dims[p.input()];
      int[] y = dims[p.output()];
      int[] before = padBefore(p);
      float[] in = v[p.input()];
      for (int n = 0; n < x[0]; n++) {
        for (int h = 0; h < x[1]; h++) {
          for (int w = 0; w < x[2]; w++) {
            System.arraycopy(in, ((n * x[1] + h) * x[2] + w) * x[3], out,
                (((n + before[0]) * y[1] + h + before[1]) * y[2] + w + before[2]) * y[3]
                    + before[3], x[3]);
          }
        }
      }
    } else if (op instanceof Op.Softmax s) {
      float[] in = v[s.input()];
      int depth = dims[s.input()][3];
      for (int n = 0; n < in.length / depth; n++) {
        float max = Float.NEGATIVE_INFINITY;
        for (int d = 0; d < depth; d++) {
          max = Math.max(max, in[n * depth + d]);
        }
        float sum = 0f;
        for (int d = 0; d < depth; d++) {
          out[n * depth + d] = (float) Math.exp(s.beta() * (in[n * depth + d] - max));
          sum += out[n * depth + d];
        }
        for (int d = 0; d < depth; d++) {
          out[n * depth + d] /= sum;
        }
      }
    }
  }

  /** PAD's before-padding per NHWC axis (the IR keeps it per axis of the tensor's rank). */
  private int[] padBefore(Op.Pad p) {
    int rank = graph.tensor(p.input()).shape().rank();
    int[] b = new int[4];
    for (int a = 0; a < rank; a++) {
      b[4 - rank + a] = p.before().get(a);
    }
    return b;
  }

  /**
   * Back-propagates {@code dOut}, the gradient of the loss with respect to tensor {@code from}
   * (the output of an operator at or before lastOp), through operators down to 0. Parameter
   * gradients are added into {@code paramGrads[tensorId]} where that array is not null; activation
   * gradients flow only as far as some requested parameter gradient needs them.
   */
  public void backward(float[][] acts, int from, float[] dOut, float[][] paramGrads) {
    int first = Integer.MAX_VALUE;
    for (int i = 0; i <= lastOp; i++) {
      for (int in : graph.ops().get(i).inputs()) {
        if (paramGrads[in] != null) {
          first = Math.min(first, i);
        }
      }
    }
    if (first == Integer.MAX_VALUE) {
      return;
    }
    float[][] g = new float[graph.tensors().size()][];
    g[from] = dOut;
    for (int i = lastOp; i >= first; i--) {
      Op op = graph.ops().get(i);
      float[] dy = g[op.output()];
      if (dy == null) {
        continue;
      }
      backwardOp(i, op, acts, dy, g, paramGrads, first);
    }
  }

  private float[] grad(float[][] g, int tensor, int first) {
    int p = graph.producer(tensor);
    if (p < first) {
      return null; // graph input, constant or below every trained layer: not needed
    }
    if (g[tensor] == null) {
      g[tensor] = new float[(int) graph.tensor(tensor).shape().elementCount()];
    }
    return g[tensor];
  }

  private void backwardOp(int index, Op op, float[][] v, float[] dyIn, float[][] g,
      float[][] pg, int first) {
    if (op instanceof Op.Conv2D c) {
      float[] dy = masked(dyIn, v[c.output()], c.activation());
      int[] x = dims[c.input()];
      int[] f = dims[c.filter()];
      int[] y = dims[c.output()];
      convBackward(v[c.input()], x, param(c.filter()), f, dy, y, c.strideH(), c.strideW(),
          c.padTop(x[1], f[1], y[1]),
          c.padLeft(x[2], f[2], y[2]), grad(g, c.input(), first),
          pg[c.filter()], c.bias() < 0 ? null : pg[c.bias()]);
    } else if (op instanceof Op.DepthwiseConv2D c) {
      float[] dy = masked(dyIn, v[c.output()], c.activation());
      int[] x = dims[c.input()];
      int[] f = dims[c.filter()];
      int[] y = dims[c.output()];
      depthwiseBackward(v[c.input()], x, param(c.filter()), f, dy, y, c.strideH(),
          c.strideW(), c.depthMultiplier(), c.padTop(x[1], f[1], y[1]),
          c.padLeft(x[2], f[2], y[2]), grad(g, c.input(), first),
          pg[c.filter()], c.bias() < 0 ? null : pg[c.bias()]);
    } else if (op instanceof Op.FullyConnected c) {
      float[] dy = masked(dyIn, v[c.output()], c.activation());
      float[] w = param(c.filter());
      float[] in = v[c.input()];
      int units = graph.tensor(c.filter()).shape().dim(0);
      int depth = graph.tensor(c.filter()).shape().dim(1);
      float[] dx = grad(g, c.input(), first);
      float[] dw = pg[c.filter()];
      float[] db = c.bias() < 0 ? null : pg[c.bias()];
      for (int n = 0; n < in.length / depth; n++) {
        for (int u = 0; u < units; u++) {
          float d = dy[n * units + u];
          if (db != null) {
            db[u] += d;
          }
          for (int k = 0; k < depth; k++) {
            if (dw != null) {
              dw[u * depth + k] += d * in[n * depth + k];
            }
            if (dx != null) {
              dx[n * depth + k] += d * w[u * depth + k];
            }
          }
        }
      }
    } else if (op instanceof Op.Add a) {
      float[] dy = masked(dyIn, v[a.output()], a.activation());
      for (int in : new int[] {a.input1(), a.input2()}) {
        float[] dx = grad(g, in, first);
        if (dx != null) {
          for (int i = 0; i < dy.length; i++) {
            dx[i] += dy[i];
          }
        }
      }
    } else if (op instanceof Op.Pool2D p) {
      if (p.max()) {
        throw new McuTrainException("operator " + index + " (MAX_POOL_2D) has no gradient "
            + "rule in the float engine");
      }
      float[] dy = masked(dyIn, v[p.output()], p.activation());
      float[] dx = grad(g, p.input(), first);
      if (dx != null) {
        int[] x = dims[p.input()];
        int[] y = dims[p.output()];
        avgPoolBackward(dy, y, dx, x, p.strideH(), p.strideW(), p.filterH(), p.filterW(),
            pad(p.padding(), x[1], y[1], p.filterH(), p.strideH()),
            pad(p.padding(), x[2], y[2], p.filterW(), p.strideW()));
      }
    } else if (op instanceof Op.Mean m) {
      float[] dx = grad(g, m.input(), first);
      if (dx != null) {
        int[] x = dims[m.input()];
        int hw = x[1] * x[2];
        for (int n = 0; n < x[0]; n++) {
          for (int i = 0; i < hw; i++) {
            for (int c = 0; c < x[3]; c++) {
              dx[(n * hw + i) * x[3] + c] += dyIn[n * x[3] + c] / hw;
            }
          }
        }
      }
    } else if (op instanceof Op.Reshape r) {
      addInto(grad(g, r.input(), first), dyIn);
    } else if (op instanceof Op.Quantize q) {
      addInto(grad(g, q.input(), first), dyIn);
    } else if (op instanceof Op.Dequantize q) {
      addInto(grad(g, q.input(), first), dyIn);
    } else if (op instanceof Op.Pad p) {
      float[] dx = grad(g, p.input(), first);
      if (dx != null) {
        int[] x = dims[p.input()];
        int[] y = dims[p.output()];
        int[] before = padBefore(p);
        for (int n = 0; n < x[0]; n++) {
          for (int h = 0; h < x[1]; h++) {
            for (int w = 0; w < x[2]; w++) {
              int src = (((n + before[0]) * y[1] + h + before[1]) * y[2] + w + before[2]) * y[3]
                  + before[3];
              int dst = ((n * x[1] + h) * x[2] + w) * x[3];
              for (int c = 0; c < x[3]; c++) {
                dx[dst + c] += dyIn[src + c];
              }
            }
          }
        }
      }
    } else if (op instanceof Op.Softmax) {
      throw new McuTrainException("operator " + index + " (SOFTMAX): train on the logits before "
          + "it");
    }
  }

  private static void addInto(float[] dst, float[] src) {
    if (dst != null) {
      for (int i = 0; i < src.length; i++) {
        dst[i] += src[i];
      }
    }
  }

  /** The gradient through a fused activation, given the activation's output. */
  private static float[] masked(float[] dy, float[] y, Activation a) {
    if (a == Activation.NONE) {
      return dy;
    }
    float lo = a == Activation.RELU_N1_TO_1 ? -1f : 0f;
    float hi = a == Activation.RELU6 ? 6f : a == Activation.RELU_N1_TO_1 ? 1f
        : Float.POSITIVE_INFINITY;
    float[] r = new float[dy.length];
    for (int i = 0; i < dy.length; i++) {
      r[i] = y[i] > lo && y[i] < hi ? dy[i] : 0f;
    }
    return r;
  }

  private static void activate(float[] x, Activation a) {
    switch (a) {
      case NONE -> { }
      case RELU -> {
        for (int i = 0; i < x.length; i++) {
          x[i] = Math.max(0f, x[i]);
        }
      }
      case RELU6 -> {
        for (int i = 0; i < x.length; i++) {
          x[i] = Math.min(6f, Math.max(0f, x[i]));
        }
      }
      case RELU_N1_TO_1 -> {
        for (int i = 0; i < x.length; i++) {
          x[i] = Math.min(1f, Math.max(-1f, x[i]));
        }
      }
    }
  }

  /** TFLite's padding before the first row/column (SAME: half the total, rounded down). */
  static int pad(Padding p, int in, int out, int k, int stride) {
    if (p == Padding.VALID) {
      return 0;
    }
    return Math.max(0, ((out - 1) * stride + k - in) / 2);
  }

  private static int[] nhwc(Shape s) {
    int[] d = {1, 1, 1, 1};
    for (int i = 1; i <= Math.min(4, s.rank()); i++) {
      d[4 - i] = s.fromEnd(i);
    }
    return d;
  }

  // x: [N,H,W,C], f: [O,KH,KW,C], y: [N,OH,OW,O]
  private static void conv(float[] in, int[] x, float[] w, int[] f, float[] b, float[] out,
      int[] y, int sh, int sw, int ph, int pw) {
    int ci = x[3];
    for (int n = 0; n < y[0]; n++) {
      for (int oy = 0; oy < y[1]; oy++) {
        for (int ox = 0; ox < y[2]; ox++) {
          int o = ((n * y[1] + oy) * y[2] + ox) * y[3];
          for (int oc = 0; oc < y[3]; oc++) {
            float acc = 0f;
            for (int ky = 0; ky < f[1]; ky++) {
              int iy = oy * sh - ph + ky;
              if (iy < 0 || iy >= x[1]) {
                continue;
              }
              for (int kx = 0; kx < f[2]; kx++) {
                int ix = ox * sw - pw + kx;
                if (ix < 0 || ix >= x[2]) {
                  continue;
                }
                int ib = ((n * x[1] + iy) * x[2] + ix) * ci;
                int wb = ((oc * f[1] + ky) * f[2] + kx) * ci;
                for (int c = 0; c < ci; c++) {
                  acc += in[ib + c] * w[wb + c];
                }
              }
            }
            out[o + oc] = acc + (b == null ? 0f : b[oc]);
          }
        }
      }
    }
  }

  private static void convBackward(float[] in, int[] x, float[] w, int[] f, float[] dy, int[] y,
      int sh, int sw, int ph, int pw, float[] dx, float[] dw, float[] db) {
    int ci = x[3];
    for (int n = 0; n < y[0]; n++) {
      for (int oy = 0; oy < y[1]; oy++) {
        for (int ox = 0; ox < y[2]; ox++) {
          int o = ((n * y[1] + oy) * y[2] + ox) * y[3];
          for (int oc = 0; oc < y[3]; oc++) {
            float d = dy[o + oc];
            if (d == 0f) {
              continue;
            }
            if (db != null) {
              db[oc] += d;
            }
            for (int ky = 0; ky < f[1]; ky++) {
              int iy = oy * sh - ph + ky;
              if (iy < 0 || iy >= x[1]) {
                continue;
              }
              for (int kx = 0; kx < f[2]; kx++) {
                int ix = ox * sw - pw + kx;
                if (ix < 0 || ix >= x[2]) {
                  continue;
                }
                int ib = ((n * x[1] + iy) * x[2] + ix) * ci;
                int wb = ((oc * f[1] + ky) * f[2] + kx) * ci;
                if (dw != null) {
                  for (int c = 0; c < ci; c++) {
                    dw[wb + c] += d * in[ib + c];
                  }
                }
                if (dx != null) {
                  for (int c = 0; c < ci; c++) {
                    dx[ib + c] += d * w[wb + c];
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  // x: [N,H,W,C], f: [1,KH,KW,C*M], y: [N,OH,OW,C*M]
  private static void depthwise(float[] in, int[] x, float[] w, int[] f, float[] b, float[] out,
      int[] y, int sh, int sw, int mult, int ph, int pw) {
    int c = x[3];
    int cm = y[3];
    for (int n = 0; n < y[0]; n++) {
      for (int oy = 0; oy < y[1]; oy++) {
        for (int ox = 0; ox < y[2]; ox++) {
          int o = ((n * y[1] + oy) * y[2] + ox) * cm;
          for (int oc = 0; oc < cm; oc++) {
            out[o + oc] = b == null ? 0f : b[oc];
          }
          for (int ky = 0; ky < f[1]; ky++) {
            int iy = oy * sh - ph + ky;
            if (iy < 0 || iy >= x[1]) {
              continue;
            }
            for (int kx = 0; kx < f[2]; kx++) {
              int ix = ox * sw - pw + kx;
              if (ix < 0 || ix >= x[2]) {
                continue;
              }
              int ib = ((n * x[1] + iy) * x[2] + ix) * c;
              int wb = (ky * f[2] + kx) * cm;
              for (int oc = 0; oc < cm; oc++) {
                out[o + oc] += in[ib + oc / mult] * w[wb + oc];
              }
            }
          }
        }
      }
    }
  }

  private static void depthwiseBackward(float[] in, int[] x, float[] w, int[] f, float[] dy,
      int[] y, int sh, int sw, int mult, int ph, int pw, float[] dx, float[] dw, float[] db) {
    int c = x[3];
    int cm = y[3];
    for (int n = 0; n < y[0]; n++) {
      for (int oy = 0; oy < y[1]; oy++) {
        for (int ox = 0; ox < y[2]; ox++) {
          int o = ((n * y[1] + oy) * y[2] + ox) * cm;
          if (db != null) {
            for (int oc = 0; oc < cm; oc++) {
              db[oc] += dy[o + oc];
            }
          }
          for (int ky = 0; ky < f[1]; ky++) {
            int iy = oy * sh - ph + ky;
            if (iy < 0 || iy >= x[1]) {
              continue;
            }
            for (int kx = 0; kx < f[2]; kx++) {
              int ix = ox * sw - pw + kx;
              if (ix < 0 || ix >= x[2]) {
                continue;
              }
              int ib = ((n * x[1] + iy) * x[2] + ix) * c;
              int wb = (ky * f[2] + kx) * cm;
              for (int oc = 0; oc < cm; oc++) {
                float d = dy[o + oc];
                if (dw != null) {
                  dw[wb + oc] += d * in[ib + oc / mult];
                }
                if (dx != null) {
                  dx[ib + oc / mult] += d * w[wb + oc];
                }
              }
            }
          }
        }
      }
    }
  }

  private static void pool(boolean max, float[] in, int[] x, float[] out, int[] y, int sh,
      int sw, int fh, int fw, int ph, int pw) {
    for (int n = 0; n < y[0]; n++) {
      for (int oy = 0; oy < y[1]; oy++) {
        for (int ox = 0; ox < y[2]; ox++) {
          for (int c = 0; c < y[3]; c++) {
            float acc = max ? Float.NEGATIVE_INFINITY : 0f;
            int count = 0;
            for (int ky = 0; ky < fh; ky++) {
              int iy = oy * sh - ph + ky;
              for (int kx = 0; kx < fw; kx++) {
                int ix = ox * sw - pw + kx;
                if (iy < 0 || iy >= x[1] || ix < 0 || ix >= x[2]) {
                  continue;
                }
                float val = in[((n * x[1] + iy) * x[2] + ix) * x[3] + c];
                acc = max ? Math.max(acc, val) : acc + val;
                count++;
              }
            }
            out[((n * y[1] + oy) * y[2] + ox) * y[3] + c] = max ? acc : acc / count;
          }
        }
      }
    }
  }

  private static void avgPoolBackward(float[] dy, int[] y, float[] dx, int[] x, int sh, int sw,
      int fh, int fw, int ph, int pw) {
    for (int n = 0; n < y[0]; n++) {
      for (int oy = 0; oy < y[1]; oy++) {
        for (int ox = 0; ox < y[2]; ox++) {
          int count = 0;
          for (int ky = 0; ky < fh; ky++) {
            for (int kx = 0; kx < fw; kx++) {
              int iy = oy * sh - ph + ky;
              int ix = ox * sw - pw + kx;
              if (iy >= 0 && iy < x[1] && ix >= 0 && ix < x[2]) {
                count++;
              }
            }
          }
          for (int c = 0; c < y[3]; c++) {
            float d = dy[((n * y[1] + oy) * y[2] + ox) * y[3] + c] / count;
            for (int ky = 0; ky < fh; ky++) {
              int iy = oy * sh - ph + ky;
              for (int kx = 0; kx < fw; kx++) {
                int ix = ox * sw - pw + kx;
                if (iy >= 0 && iy < x[1] && ix >= 0 && ix < x[2]) {
                  dx[((n * x[1] + iy) * x[2] + ix) * x[3] + c] += d;
                }
              }
            }
          }
        }
      }
    }
  }
}
