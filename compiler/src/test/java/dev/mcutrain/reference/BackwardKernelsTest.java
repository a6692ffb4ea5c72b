package dev.mcutrain.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each backward kernel is the exact adjoint of its forward rule in the real domain: for a random
 * linear loss L = sum(r * y), the kernel's gradients equal central finite differences of a double
 * precision forward of the same operator. L is linear in every operand here, so finite
 * differences are exact up to rounding; the tolerance (1e-4 relative to the largest gradient)
 * only absorbs float32 accumulation in the kernels.
 */
class BackwardKernelsTest {
  private static final double H = 1e-3;
  private final Random rnd = new Random(1234);

  private byte[] int8(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (rnd.nextInt(255) - 127);
    }
    return b;
  }

  private float[] floats(int n) {
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = (float) rnd.nextGaussian();
    }
    return f;
  }

  private static void assertClose(double expected, double actual, double scale, String what) {
    assertTrue(Math.abs(expected - actual) <= 1e-4 * Math.max(scale, 1e-3),
        what + ": expected " + expected + " but was " + actual);
  }

  private static double maxAbs(double[] v) {
    double m = 0;
    for (double d : v) {
      m = Math.max(m, Math.abs(d));
    }
    return m;
  }

  /** Real-domain conv (double), input x, weights w[oc,kh,kw,ic] already real. */
  private static double[] conv(double[] x, int[] in, double[] w, int[] f, int[] out, int sh,
      int sw, int ph, int pw) {
    double[] y = new double[out[0] * out[1] * out[2] * out[3]];
    for (int b = 0; b < out[0]; b++) {
      for (int oy = 0; oy < out[1]; oy++) {
        for (int ox = 0; ox < out[2]; ox++) {
          for (int c = 0; c < out[3]; c++) {
            double acc = 0;
            for (int ky = 0; ky < f[1]; ky++) {
              for (int kx = 0; kx < f[2]; kx++) {
                int iy = oy * sh - ph + ky;
                int ix = ox * sw - pw + kx;
                if (iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2]) {
                  continue;
                }
                for (int i = 0; i < in[3]; i++) {
                  acc += w[((c * f[1] + ky) * f[2] + kx) * in[3] + i]
                      * x[((b * in[1] + iy) * in[2] + ix) * in[3] + i];
                }
              }
            }
            y[((b * out[1] + oy) * out[2] + ox) * out[3] + c] = acc;
          }
        }
      }
    }
    return y;
  }

  private static double dot(double[] a, float[] r) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * r[i];
    }
    return s;
  }

  @Test
  void conv2dGradientsAreTheAdjointOfTheForward() {
    int[] in = {1, 7, 6, 3};
    int[] f = {4, 3, 3, 3};
    int[] out = {1, 4, 3, 4}; // SAME, stride 2: pad top 1, left 1 (6 wide: pad 0 left? see below)
    int sh = 2;
    int sw = 2;
    int ph = 1;
    int pw = 0;
    byte[] xq = int8(7 * 6 * 3);
    float xs = 0.05f;
    int xzp = -3;
    byte[] wq = int8(4 * 3 * 3 * 3);
    float[] ws = {0.01f, 0.02f, 0.015f, 0.005f};
    float[] r = floats(out[0] * out[1] * out[2] * out[3]);
    double[] x = new double[xq.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = BackwardKernels.dequantize(xq[i], xs, xzp);
    }
    double[] w = new double[wq.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = ws[i / 27] * (float) wq[i];
    }
    float[] dx = new float[x.length];
    BackwardKernels.conv2dGradInput(sh, sw, ph, pw, ws, in, f, wq, out, r, dx);
    double[] fdx = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double keep = x[i];
      x[i] = keep + H;
      double lp = dot(conv(x, in, w, f, out, sh, sw, ph, pw), r);
      x[i] = keep - H;
      double lm = dot(conv(x, in, w, f, out, sh, sw, ph, pw), r);
      x[i] = keep;
      fdx[i] = (lp - lm) / (2 * H);
    }
    for (int i = 0; i < x.length; i++) {
      assertClose(fdx[i], dx[i], maxAbs(fdx), "dx[" + i + "]");
    }
    double[] fdw = new double[w.length];
    for (int i = 0; i < w.length; i++) {
      double keep = w[i];
      w[i] = keep + H;
      double lp = dot(conv(x, in, w, f, out, sh, sw, ph, pw), r);
      w[i] = keep - H;
      double lm = dot(conv(x, in, w, f, out, sh, sw, ph, pw), r);
      w[i] = keep;
      fdw[i] = (lp - lm) / (2 * H);
    }
    for (int c = 0; c < 4; c++) {
      for (int ky = 0; ky < 3; ky++) {
        for (int kx = 0; kx < 3; kx++) {
          for (int i = 0; i < 3; i++) {
            float g = BackwardKernels.conv2dGradWeight(sh, sw, ph, pw, xs, xzp, in, xq, out, r, c,
                ky, kx, i);
            assertClose(fdw[((c * 3 + ky) * 3 + kx) * 3 + i], g, maxAbs(fdw), "dw");
          }
        }
      }
      double sum = 0;
      for (int p = 0; p < 12; p++) {
        sum += r[p * 4 + c];
      }
      assertClose(sum, BackwardKernels.biasGrad(out, r, c), 10, "db");
    }
  }

  @Test
  void depthwiseGradientsAreTheAdjointOfTheForward() {
    int mult = 2;
    int[] in = {1, 5, 5, 2};
    int[] f = {1, 3, 3, 4};
    int[] out = {1, 3, 3, 4};
    byte[] xq = int8(50);
    float xs = 0.1f;
    int xzp = 5;
    byte[] wq = int8(36);
    float[] ws = {0.01f, 0.02f, 0.03f, 0.04f};
    float[] r = floats(36);
    // Forward in double: y[oy,ox,c] = sum_k w[ky,kx,c] * x[iy,ix,c/mult], stride 2, pad 1.
    java.util.function.BiFunction<double[], double[], Double> loss = (x, w) -> {
      double l = 0;
      for (int oy = 0; oy < 3; oy++) {
        for (int ox = 0; ox < 3; ox++) {
          for (int c = 0; c < 4; c++) {
            double acc = 0;
            for (int ky = 0; ky < 3; ky++) {
              for (int kx = 0; kx < 3; kx++) {
                int iy = oy * 2 - 1 + ky;
                int ix = ox * 2 - 1 + kx;
                if (iy < 0 || iy >= 5 || ix < 0 || ix >= 5) {
                  continue;
                }
                acc += w[(ky * 3 + kx) * 4 + c] * x[(iy * 5 + ix) * 2 + c / mult];
              }
            }
            l += acc * r[(oy * 3 + ox) * 4 + c];
          }
        }
      }
      return l;
    };
    double[] x = new double[50];
    for (int i = 0; i < 50; i++) {
      x[i] = BackwardKernels.dequantize(xq[i], xs, xzp);
    }
    double[] w = new double[36];
    for (int i = 0; i < 36; i++) {
      w[i] = ws[i % 4] * (float) wq[i];
    }
    float[] dx = new float[50];
    BackwardKernels.depthwiseGradInput(2, 2, 1, 1, mult, ws, in, f, wq, out, r, dx);
    for (int i = 0; i < 50; i++) {
      double keep = x[i];
      x[i] = keep + H;
      double lp = loss.apply(x, w);
      x[i] = keep - H;
      double lm = loss.apply(x, w);
      x[i] = keep;
      assertClose((lp - lm) / (2 * H), dx[i], 1, "dx[" + i + "]");
    }
    for (int i = 0; i < 36; i++) {
      double keep = w[i];
      w[i] = keep + H;
      double lp = loss.apply(x, w);
      w[i] = keep - H;
      double lm = loss.apply(x, w);
      w[i] = keep;
      int c = i % 4;
      int kx = (i / 4) % 3;
      int ky = i / 12;
      float g = BackwardKernels.depthwiseGradWeight(2, 2, 1, 1, mult, xs, xzp, in, xq, out, r, c,
          ky, kx);
      assertClose((lp - lm) / (2 * H), g, 10, "dw[" + i + "]");
    }
  }

  @Test
  void fullyConnectedGradients() {
    int batches = 2;
    int depth = 5;
    int units = 3;
    byte[] xq = int8(batches * depth);
    byte[] wq = int8(units * depth);
    float[] ws = {0.01f, 0.02f, 0.03f};
    float[] r = floats(batches * units);
    float[] dx = new float[batches * depth];
    BackwardKernels.fullyConnectedGradInput(batches, depth, units, ws, wq, r, dx);
    for (int b = 0; b < batches; b++) {
      for (int d = 0; d < depth; d++) {
        double expected = 0;
        for (int u = 0; u < units; u++) {
          expected += r[b * units + u] * ws[u] * wq[u * depth + d];
        }
        assertClose(expected, dx[b * depth + d], 1, "dx");
      }
    }
    for (int u = 0; u < units; u++) {
      for (int d = 0; d < depth; d++) {
        double expected = 0;
        for (int b = 0; b < batches; b++) {
          expected += r[b * units + u] * BackwardKernels.dequantize(xq[b * depth + d], 0.1f, 2);
        }
        assertClose(expected, BackwardKernels.fullyConnectedGradWeight(batches, depth, units, 0.1f,
            2, xq, r, u, d), 10, "dw");
      }
    }
  }

  @Test
  void addSumsTheGradientOverBroadcastDims() {
    int[] out = {1, 2, 3, 4};
    float[] g = floats(24);
    float[] da = new float[4];
    BackwardKernels.addGradInput(new int[] {1, 1, 1, 4}, out, g, da);
    for (int c = 0; c < 4; c++) {
      double s = 0;
      for (int p = 0; p < 6; p++) {
        s += g[p * 4 + c];
      }
      assertClose(s, da[c], 1, "da");
    }
    float[] same = new float[24];
    BackwardKernels.addGradInput(out, out, g, same);
    assertEquals(g[17], same[17]);
  }

  @Test
  void averagePoolSpreadsTheGradientOverInBoundsTaps() {
    // 3x3 input, 2x2 filter, stride 2, SAME: output 2x2; windows at the edge have fewer taps.
    int[] in = {1, 3, 3, 1};
    int[] out = {1, 2, 2, 1};
    float[] g = {1f, 2f, 3f, 4f};
    float[] dx = new float[9];
    BackwardKernels.avgPoolGradInput(2, 2, 2, 2, 0, 0, in, out, g, dx);
    float[] expected = {0.25f, 0.25f, 1f, 0.25f, 0.25f, 1f, 1.5f, 1.5f, 4f};
    for (int i = 0; i < 9; i++) {
      assertEquals(expected[i], dx[i], 1e-7, "dx[" + i + "]");
    }
  }

  @Test
  void meanAndPadGradients() {
    float[] dx = new float[2 * 2 * 2];
    BackwardKernels.meanGradInput(new int[] {1, 2, 2, 2}, new float[] {4f, 8f}, dx);
    assertEquals(1f, dx[0]);
    assertEquals(2f, dx[7]);
    float[] g = new float[4 * 4];
    for (int i = 0; i < g.length; i++) {
      g[i] = i;
    }
    float[] px = new float[4];
    BackwardKernels.padGradInput(new int[] {0, 1, 1, 0}, new int[] {1, 2, 2, 1},
        new int[] {1, 4, 4, 1}, g, px);
    assertEquals(5f, px[0]);
    assertEquals(10f, px[3]);
  }

  @Test
  void maskKeepsOnlyUnclampedOutputs() {
    boolean[] m = BackwardKernels.mask(new byte[] {-128, -127, 0, 126, 127}, -128, 127);
    assertEquals(false, m[0]);
    assertEquals(true, m[1]);
    assertEquals(true, m[3]);
    assertEquals(false, m[4]);
    float[] g = BackwardKernels.applyMask(new float[] {1, 2, 3, 4, 5}, m);
    assertEquals(0f, g[0]);
    assertEquals(2f, g[1]);
  }
}
