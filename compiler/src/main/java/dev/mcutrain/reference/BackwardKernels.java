package dev.mcutrain.reference;

/**
 * The Java reference backward kernels: fp32 activation gradients through int8 layers, in the real
 * (dequantized) domain. Each fixes its loop nest and summation order, which the C kernels follow
 * exactly, so both produce the same bits. Dims are NHWC {n, h, w, c}.
 *
 * <p>Conventions: {@code g} is the gradient of the loss with respect to the operator's real-valued
 * output, already multiplied by the output's clamp mask (see {@link #applyMask}). Every input
 * gradient kernel <em>accumulates</em> ({@code +=}) into the input's gradient buffer in the order
 * stated per kernel; the buffer starts at zero and a tensor read by several operators (a residual
 * branch) receives their contributions in reverse operator order.
 */
public final class BackwardKernels {
  private BackwardKernels() {}

  /**
   * The clamp mask of an int8 output: 1 where {@code actMin < q < actMax} (the output was not
   * clamped by the fused activation or int8 saturation), else 0. Returns one boolean per element.
   */
  public static boolean[] mask(byte[] q, int actMin, int actMax) {
    boolean[] m = new boolean[q.length];
    for (int i = 0; i < q.length; i++) {
      m[i] = q[i] > actMin && q[i] < actMax;
    }
    return m;
  }

  /** g[i] = mask[i] ? dy[i] : 0. */
  public static float[] applyMask(float[] dy, boolean[] mask) {
    float[] g = new float[dy.length];
    for (int i = 0; i < dy.length; i++) {
      g[i] = mask[i] ? dy[i] : 0f;
    }
    return g;
  }

  /** x_real[i] = scale * (float) (q[i] - zeroPoint). */
  public static float dequantize(byte q, float scale, int zeroPoint) {
    return scale * (float) (q - zeroPoint);
  }

  /**
   * CONV_2D input gradient. Order: for b, oy, ox, oc (skipping g == 0), for in-bounds ky, kx, for
   * ic: dx[b,iy,ix,ic] += g * (s_w[oc] * (float) w[oc,ky,kx,ic]).
   */
  public static void conv2dGradInput(int strideH, int strideW, int padH, int padW,
      float[] wScale, int[] inDims, int[] fDims, byte[] filter, int[] outDims, float[] g,
      float[] dx) {
    int ih = inDims[1];
    int iw = inDims[2];
    int ic = inDims[3];
    int kh = fDims[1];
    int kw = fDims[2];
    int oh = outDims[1];
    int ow = outDims[2];
    int oc = outDims[3];
    for (int b = 0; b < outDims[0]; b++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          for (int c = 0; c < oc; c++) {
            float gv = g[((b * oh + oy) * ow + ox) * oc + c];
            if (gv == 0f) {
              continue;
            }
            float s = wScale[wScale.length == 1 ? 0 : c];
            for (int ky = 0; ky < kh; ky++) {
              int iy = oy * strideH - padH + ky;
              if (iy < 0 || iy >= ih) {
                continue;
              }
              for (int kx = 0; kx < kw; kx++) {
                int ix = ox * strideW - padW + kx;
                if (ix < 0 || ix >= iw) {
                  continue;
                }
                int xBase = ((b * ih + iy) * iw + ix) * ic;
                int fBase = ((c * kh + ky) * kw + kx) * ic;
                for (int i = 0; i < ic; i++) {
                  dx[xBase + i] += gv * (s * (float) filter[fBase + i]);
                }
              }
            }
          }
        }
      }
    }
  }

  /**
   * CONV_2D weight gradient for output channel {@code c}, filter tap (ky, kx) and input channel
   * {@code i}: sum over b, oy, ox (in-bounds taps only, in that order) of g[b,oy,ox,c] *
   * x_real[b,iy,ix,i], starting from 0.
   */
  public static float conv2dGradWeight(int strideH, int strideW, int padH, int padW,
      float xScale, int xZeroPoint, int[] inDims, byte[] x, int[] outDims, float[] g, int c,
      int ky, int kx, int i) {
    int ih = inDims[1];
    int iw = inDims[2];
    int ic = inDims[3];
    int oh = outDims[1];
    int ow = outDims[2];
    int oc = outDims[3];
    float acc = 0f;
    for (int b = 0; b < outDims[0]; b++) {
      for (int oy = 0; oy < oh; oy++) {
        int iy = oy * strideH - padH + ky;
        if (iy < 0 || iy >= ih) {
          continue;
        }
        for (int ox = 0; ox < ow; ox++) {
          int ix = ox * strideW - padW + kx;
          if (ix < 0 || ix >= iw) {
            continue;
          }
          float gv = g[((b * oh + oy) * ow + ox) * oc + c];
          acc += gv * dequantize(x[((b * ih + iy) * iw + ix) * ic + i], xScale, xZeroPoint);
        }
      }
    }
    return acc;
  }

  /** Bias gradient of channel c: sum over b, oy, ox (in order) of g[b,oy,ox,c]. */
  public static float biasGrad(int[] outDims, float[] g, int c) {
    int oc = outDims[3];
    int positions = outDims[0] * outDims[1] * outDims[2];
    float acc = 0f;
    for (int p = 0; p < positions; p++) {
      acc += g[p * oc + c];
    }
    return acc;
  }

  /**
   * DEPTHWISE_CONV_2D input gradient. Order: for b, oy, ox, ic, m (oc = ic*M + m; skipping g ==
   * 0), for in-bounds ky, kx: dx[b,iy,ix,ic] += g * (s_w[oc] * (float) w[ky,kx,oc]).
   */
  public static void depthwiseGradInput(int strideH, int strideW, int padH, int padW,
      int multiplier, float[] wScale, int[] inDims, int[] fDims, byte[] filter, int[] outDims,
      float[] g, float[] dx) {
    int ih = inDims[1];
    int iw = inDims[2];
    int ic = inDims[3];
    int kh = fDims[1];
    int kw = fDims[2];
    int oh = outDims[1];
    int ow = outDims[2];
    int oc = outDims[3];
    for (int b = 0; b < outDims[0]; b++) {
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          for (int i = 0; i < ic; i++) {
            for (int m = 0; m < multiplier; m++) {
              int c = i * multiplier + m;
              float gv = g[((b * oh + oy) * ow + ox) * oc + c];
              if (gv == 0f) {
                continue;
              }
              float s = wScale[wScale.length == 1 ? 0 : c];
              for (int ky = 0; ky < kh; ky++) {
                int iy = oy * strideH - padH + ky;
                if (iy < 0 || iy >= ih) {
                  continue;
                }
                for (int kx = 0; kx < kw; kx++) {
                  int ix = ox * strideW - padW + kx;
                  if (ix < 0 || ix >= iw) {
                    continue;
                  }
                  dx[((b * ih + iy) * iw + ix) * ic + i] +=
                      gv * (s * (float) filter[(ky * kw + kx) * oc + c]);
                }
              }
            }
          }
        }
      }
    }
  }

  /**
   * DEPTHWISE_CONV_2D weight gradient of tap (ky, kx), output channel c (input channel c / M):
   * sum over b, oy, ox (in-bounds, in order) of g[b,oy,ox,c] * x_real[b,iy,ix,c/M].
   */
  public static float depthwiseGradWeight(int strideH, int strideW, int padH, int padW,
      int multiplier, float xScale, int xZeroPoint, int[] inDims, byte[] x, int[] outDims,
      float[] g, int c, int ky, int kx) {
    int ih = inDims[1];
    int iw = inDims[2];
    int ic = inDims[3];
    int oh = outDims[1];
    int ow = outDims[2];
    int oc = outDims[3];
    int i = c / multiplier;
    float acc = 0f;
    for (int b = 0; b < outDims[0]; b++) {
      for (int oy = 0; oy < oh; oy++) {
        int iy = oy * strideH - padH + ky;
        if (iy < 0 || iy >= ih) {
          continue;
        }
        for (int ox = 0; ox < ow; ox++) {
          int ix = ox * strideW - padW + kx;
          if (ix < 0 || ix >= iw) {
            continue;
          }
          acc += g[((b * oh + oy) * ow + ox) * oc + c]
              * dequantize(x[((b * ih + iy) * iw + ix) * ic + i], xScale, xZeroPoint);
        }
      }
    }
    return acc;
  }

  /**
   * FULLY_CONNECTED input gradient. Order: for b, u (skipping g == 0), for d: dx[b,d] += g[b,u]
   * * (s_w[u] * (float) w[u,d]).
   */
  public static void fullyConnectedGradInput(int batches, int depth, int units, float[] wScale,
      byte[] filter, float[] g, float[] dx) {
    for (int b = 0; b < batches; b++) {
      for (int u = 0; u < units; u++) {
        float gv = g[b * units + u];
        if (gv == 0f) {
          continue;
        }
        float s = wScale[wScale.length == 1 ? 0 : u];
        for (int d = 0; d < depth; d++) {
          dx[b * depth + d] += gv * (s * (float) filter[u * depth + d]);
        }
      }
    }
  }

  /** FULLY_CONNECTED weight gradient of (u, d): sum over b of g[b,u] * x_real[b,d]. */
  public static float fullyConnectedGradWeight(int batches, int depth, int units, float xScale,
      int xZeroPoint, byte[] x, float[] g, int u, int d) {
    float acc = 0f;
    for (int b = 0; b < batches; b++) {
      acc += g[b * units + u] * dequantize(x[b * depth + d], xScale, xZeroPoint);
    }
    return acc;
  }

  /**
   * ADD: the gradient of one input. With broadcasting, the output gradient is summed over the
   * broadcast dims: order for n, h, w, c over the output, dx[broadcast index] += g.
   */
  public static void addGradInput(int[] inDims, int[] outDims, float[] g, float[] dx) {
    int i = 0;
    for (int n = 0; n < outDims[0]; n++) {
      for (int h = 0; h < outDims[1]; h++) {
        for (int w = 0; w < outDims[2]; w++) {
          for (int c = 0; c < outDims[3]; c++) {
            int nn = inDims[0] == 1 ? 0 : n;
            int hh = inDims[1] == 1 ? 0 : h;
            int ww = inDims[2] == 1 ? 0 : w;
            int cc = inDims[3] == 1 ? 0 : c;
            dx[((nn * inDims[1] + hh) * inDims[2] + ww) * inDims[3] + cc] += g[i++];
          }
        }
      }
    }
  }

  /**
   * AVERAGE_POOL_2D input gradient. Order: for b, oy, ox, c: share = g / (float) count (count =
   * in-bounds taps), then for in-bounds taps in (fy, fx) order dx += share.
   */
  public static void avgPoolGradInput(int strideH, int strideW, int filterH, int filterW,
      int padH, int padW, int[] inDims, int[] outDims, float[] g, float[] dx) {
    int ih = inDims[1];
    int iw = inDims[2];
    int ch = inDims[3];
    for (int b = 0; b < outDims[0]; b++) {
      for (int oy = 0; oy < outDims[1]; oy++) {
        for (int ox = 0; ox < outDims[2]; ox++) {
          int y0 = oy * strideH - padH;
          int x0 = ox * strideW - padW;
          int fy0 = Math.max(0, -y0);
          int fy1 = Math.min(filterH, ih - y0);
          int fx0 = Math.max(0, -x0);
          int fx1 = Math.min(filterW, iw - x0);
          int count = Math.max(0, fy1 - fy0) * Math.max(0, fx1 - fx0);
          if (count == 0) {
            continue;
          }
          for (int c = 0; c < ch; c++) {
            float gv = g[((b * outDims[1] + oy) * outDims[2] + ox) * ch + c];
            if (gv == 0f) {
              continue;
            }
            float share = gv / (float) count;
            for (int fy = fy0; fy < fy1; fy++) {
              for (int fx = fx0; fx < fx1; fx++) {
                dx[((b * ih + y0 + fy) * iw + x0 + fx) * ch + c] += share;
              }
            }
          }
        }
      }
    }
  }

  /** MEAN over H, W: dx[b,h,w,c] += g[b,c] / (float) (H * W), in b, h, w, c order. */
  public static void meanGradInput(int[] inDims, float[] g, float[] dx) {
    int hw = inDims[1] * inDims[2];
    int ch = inDims[3];
    for (int b = 0; b < inDims[0]; b++) {
      for (int p = 0; p < hw; p++) {
        for (int c = 0; c < ch; c++) {
          dx[(b * hw + p) * ch + c] += g[b * ch + c] / (float) hw;
        }
      }
    }
  }

  /** PAD input gradient: dx += the interior of g (4-D NHWC, {@code before} per axis). */
  public static void padGradInput(int[] before, int[] inDims, int[] outDims, float[] g,
      float[] dx) {
    for (int n = 0; n < inDims[0]; n++) {
      for (int h = 0; h < inDims[1]; h++) {
        for (int w = 0; w < inDims[2]; w++) {
          for (int c = 0; c < inDims[3]; c++) {
            dx[((n * inDims[1] + h) * inDims[2] + w) * inDims[3] + c] +=
                g[(((n + before[0]) * outDims[1] + h + before[1]) * outDims[2] + w + before[2])
                    * outDims[3] + c + before[3]];
          }
        }
      }
    }
  }
}
