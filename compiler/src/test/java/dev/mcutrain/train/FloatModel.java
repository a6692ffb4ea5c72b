package dev.mcutrain.train;

import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Shape;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.lower.Lowering;
import java.util.HashMap;
import java.util.Map;

/**
 * The dequantized float model of an int8 graph, in double precision: real weights (s_w * w),
 * real biases (s_b * b), and each output clamped to the real range of its int8 activation bounds
 * but not rounded. Finite differences of this model are what the training graph's gradients are
 * checked against. Supports the differentiable operators of {@link TrainingProgram}.
 */
final class FloatModel {
  final Graph graph;
  /** Real weights and biases by tensor id (mutable for finite differences). */
  final Map<Integer, double[]> params = new HashMap<>();

  FloatModel(Graph graph, dev.mcutrain.reference.Parameters p) {
    this.graph = graph;
    for (Tensor t : graph.tensors()) {
      if (!t.isConstant() || t.quant().isEmpty()) {
        continue;
      }
      QuantParams q = t.q();
      int axis = q.axis();
      double[] v;
      if (t.dtype() == dev.mcutrain.ir.DType.INT8) {
        byte[] b = p.int8(t.id());
        v = new double[b.length];
        for (int i = 0; i < b.length; i++) {
          v[i] = (double) q.scale(channel(t.shape(), axis, i, q)) * b[i];
        }
      } else {
        int[] b = p.int32(t.id());
        v = new double[b.length];
        for (int i = 0; i < b.length; i++) {
          v[i] = (double) q.scale(q.isPerChannel() ? i : 0) * b[i];
        }
      }
      params.put(t.id(), v);
    }
  }

  private static int channel(Shape s, int axis, int flat, QuantParams q) {
    if (!q.isPerChannel()) {
      return 0;
    }
    int inner = 1;
    for (int d = axis + 1; d < s.rank(); d++) {
      inner *= s.dim(d);
    }
    return (flat / inner) % s.dim(axis);
  }

  private static int[] dims(Shape s) {
    int[] d = {1, 1, 1, 1};
    for (int i = 1; i <= s.rank(); i++) {
      d[4 - i] = s.fromEnd(i);
    }
    return d;
  }

  /** Runs operators 0..lastOp on a real input and returns every tensor's real value. */
  double[][] forward(double[] input, int lastOp) {
    double[][] v = new double[graph.tensors().size()][];
    v[graph.inputs().get(0)] = input;
    for (int i = 0; i <= lastOp; i++) {
      Op op = graph.ops().get(i);
      Tensor y = graph.tensor(op.output());
      double[] out = new double[y.shape().size()];
      int[] od = dims(y.shape());
      if (op instanceof Op.Conv2D || op instanceof Op.DepthwiseConv2D) {
        boolean dw = op instanceof Op.DepthwiseConv2D;
        int xi = op.inputs().get(0);
        int fi = op.inputs().get(1);
        int bi = op.inputs().size() > 2 ? op.inputs().get(2) : -1;
        int[] id = dims(graph.tensor(xi).shape());
        int[] fd = dims(graph.tensor(fi).shape());
        Padding pad = dw ? ((Op.DepthwiseConv2D) op).padding() : ((Op.Conv2D) op).padding();
        int sh = dw ? ((Op.DepthwiseConv2D) op).strideH() : ((Op.Conv2D) op).strideH();
        int sw = dw ? ((Op.DepthwiseConv2D) op).strideW() : ((Op.Conv2D) op).strideW();
        int ph = pad.padBefore(id[1], fd[1], sh, od[1]);
        int pw = pad.padBefore(id[2], fd[2], sw, od[2]);
        int mult = od[3] / id[3];
        double[] x = v[xi];
        double[] w = params.get(fi);
        double[] b = bi >= 0 ? params.get(bi) : null;
        for (int n = 0; n < od[0]; n++) {
          for (int oy = 0; oy < od[1]; oy++) {
            for (int ox = 0; ox < od[2]; ox++) {
              for (int c = 0; c < od[3]; c++) {
                double acc = b == null ? 0 : b[c];
                for (int ky = 0; ky < fd[1]; ky++) {
                  for (int kx = 0; kx < fd[2]; kx++) {
                    int iy = oy * sh - ph + ky;
                    int ix = ox * sw - pw + kx;
                    if (iy < 0 || iy >= id[1] || ix < 0 || ix >= id[2]) {
                      continue;
                    }
                    int xb = ((n * id[1] + iy) * id[2] + ix) * id[3];
                    if (dw) {
                      acc += w[(ky * fd[2] + kx) * od[3] + c] * x[xb + c / mult];
                    } else {
                      for (int ic = 0; ic < id[3]; ic++) {
                        acc += w[((c * fd[1] + ky) * fd[2] + kx) * id[3] + ic] * x[xb + ic];
                      }
                    }
                  }
                }
                out[((n * od[1] + oy) * od[2] + ox) * od[3] + c] = acc;
              }
            }
          }
        }
      } else if (op instanceof Op.FullyConnected fc) {
        double[] x = v[fc.input()];
        double[] w = params.get(fc.filter());
        double[] b = fc.bias() >= 0 ? params.get(fc.bias()) : null;
        int depth = graph.tensor(fc.filter()).shape().dim(1);
        int units = graph.tensor(fc.filter()).shape().dim(0);
        for (int bt = 0; bt < x.length / depth; bt++) {
          for (int u = 0; u < units; u++) {
            double acc = b == null ? 0 : b[u];
            for (int d = 0; d < depth; d++) {
              acc += w[u * depth + d] * x[bt * depth + d];
            }
            out[bt * units + u] = acc;
          }
        }
      } else if (op instanceof Op.Add a) {
        int[] ad = dims(graph.tensor(a.input1()).shape());
        int[] bd = dims(graph.tensor(a.input2()).shape());
        int k = 0;
        for (int n = 0; n < od[0]; n++) {
          for (int h = 0; h < od[1]; h++) {
            for (int w = 0; w < od[2]; w++) {
              for (int c = 0; c < od[3]; c++) {
                out[k++] = v[a.input1()][idx(ad, n, h, w, c)] + v[a.input2()][idx(bd, n, h, w, c)];
              }
            }
          }
        }
      } else if (op instanceof Op.Pool2D p && !p.max()) {
        int[] id = dims(graph.tensor(p.input()).shape());
        int ph = p.padding().padBefore(id[1], p.filterH(), p.strideH(), od[1]);
        int pw = p.padding().padBefore(id[2], p.filterW(), p.strideW(), od[2]);
        for (int n = 0; n < od[0]; n++) {
          for (int oy = 0; oy < od[1]; oy++) {
            for (int ox = 0; ox < od[2]; ox++) {
              for (int c = 0; c < od[3]; c++) {
                double s = 0;
                int cnt = 0;
                for (int fy = 0; fy < p.filterH(); fy++) {
                  for (int fx = 0; fx < p.filterW(); fx++) {
                    int iy = oy * p.strideH() - ph + fy;
                    int ix = ox * p.strideW() - pw + fx;
                    if (iy >= 0 && iy < id[1] && ix >= 0 && ix < id[2]) {
                      s += v[p.input()][((n * id[1] + iy) * id[2] + ix) * id[3] + c];
                      cnt++;
                    }
                  }
                }
                out[((n * od[1] + oy) * od[2] + ox) * od[3] + c] = s / cnt;
              }
            }
          }
        }
      } else if (op instanceof Op.Reshape r) {
        out = v[r.input()].clone();
      } else {
        throw new IllegalArgumentException("FloatModel: " + op.kind());
      }
      clamp(op, i, out);
      v[op.output()] = out;
    }
    return v;
  }

  private static int idx(int[] d, int n, int h, int w, int c) {
    return (((d[0] == 1 ? 0 : n) * d[1] + (d[1] == 1 ? 0 : h)) * d[2] + (d[2] == 1 ? 0 : w))
        * d[3] + (d[3] == 1 ? 0 : c);
  }

  /** Clamp to the real range of the op's int8 bounds (fused activation + int8 saturation). */
  private void clamp(Op op, int i, double[] out) {
    if (op instanceof Op.Reshape) {
      return;
    }
    Tensor y = graph.tensor(op.output());
    dev.mcutrain.ir.Activation act = dev.mcutrain.ir.Activation.NONE;
    if (op instanceof Op.Conv2D c) {
      act = c.activation();
    } else if (op instanceof Op.DepthwiseConv2D c) {
      act = c.activation();
    } else if (op instanceof Op.FullyConnected c) {
      act = c.activation();
    } else if (op instanceof Op.Add c) {
      act = c.activation();
    } else if (op instanceof Op.Pool2D c) {
      act = c.activation();
    }
    int[] range = Lowering.activationRange(y.q(), act);
    double lo = (double) y.q().scale() * (range[0] - y.q().zeroPoint());
    double hi = (double) y.q().scale() * (range[1] - y.q().zeroPoint());
    for (int k = 0; k < out.length; k++) {
      out[k] = Math.max(lo, Math.min(hi, out[k]));
    }
  }
}
