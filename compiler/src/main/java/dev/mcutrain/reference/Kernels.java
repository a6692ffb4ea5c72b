package dev.mcutrain.reference;

import static dev.mcutrain.quant.FixedPoint.multiplyByQuantizedMultiplier;
import static dev.mcutrain.quant.FixedPoint.roundingDivideByPot;
import static dev.mcutrain.quant.FixedPoint.srdhm;

import dev.mcutrain.lower.KernelParams;
import dev.mcutrain.quant.FixedPoint;

/**
 * The Java reference kernels: TensorFlow Lite Micro's int8 reference arithmetic, bit for bit, on
 * NHWC arrays. Each mirrors one function of {@code runtime-c/include/mt_kernels.h}; dims are
 * {n, h, w, c}.
 */
public final class Kernels {
  private Kernels() {}

  private static int clamp(int v, int lo, int hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  /** mt_conv2d_s8: filter OHWI. */
  public static void conv2d(KernelParams.Conv p, int[] inDims, byte[] in, int[] fDims,
      byte[] filter, int[] bias, int[] outDims, byte[] out) {
    int batches = inDims[0];
    int ih = inDims[1];
    int iw = inDims[2];
    int ic = inDims[3];
    int kh = fDims[1];
    int kw = fDims[2];
    int oh = outDims[1];
    int ow = outDims[2];
    int oc = outDims[3];
    for (int b = 0; b < batches; b++) {
      for (int oy = 0; oy < oh; oy++) {
        int y0 = oy * p.strideH() - p.padH();
        for (int ox = 0; ox < ow; ox++) {
          int x0 = ox * p.strideW() - p.padW();
          for (int c = 0; c < oc; c++) {
            int acc = 0;
            for (int ky = 0; ky < kh; ky++) {
              int iy = y0 + ky;
              if (iy < 0 || iy >= ih) {
                continue;
              }
              for (int kx = 0; kx < kw; kx++) {
                int ix = x0 + kx;
                if (ix < 0 || ix >= iw) {
                  continue;
                }
                int inBase = ((b * ih + iy) * iw + ix) * ic;
                int fBase = ((c * kh + ky) * kw + kx) * ic;
                for (int i = 0; i < ic; i++) {
                  acc += filter[fBase + i] * (in[inBase + i] + p.inputOffset());
                }
              }
            }
            if (bias != null) {
              acc += bias[c];
            }
            acc = multiplyByQuantizedMultiplier(acc, p.quant().multiplier(c), p.quant().shift(c));
            acc += p.outputOffset();
            out[((b * oh + oy) * ow + ox) * oc + c] = (byte) clamp(acc, p.actMin(), p.actMax());
          }
        }
      }
    }
  }

  /** mt_depthwise_conv2d_s8: filter [1, kh, kw, ic * multiplier]. */
  public static void depthwiseConv2d(KernelParams.Conv p, int[] inDims, byte[] in, int[] fDims,
      byte[] filter, int[] bias, int[] outDims, byte[] out) {
    int batches = inDims[0];
    int ih = inDims[1];
    int iw = inDims[2];
    int ic = inDims[3];
    int kh = fDims[1];
    int kw = fDims[2];
    int oh = outDims[1];
    int ow = outDims[2];
    int oc = outDims[3];
    int mult = p.depthMultiplier();
    for (int b = 0; b < batches; b++) {
      for (int oy = 0; oy < oh; oy++) {
        int y0 = oy * p.strideH() - p.padH();
        for (int ox = 0; ox < ow; ox++) {
          int x0 = ox * p.strideW() - p.padW();
          for (int i = 0; i < ic; i++) {
            for (int m = 0; m < mult; m++) {
              int c = i * mult + m;
              int acc = 0;
              for (int ky = 0; ky < kh; ky++) {
                int iy = y0 + ky;
                if (iy < 0 || iy >= ih) {
                  continue;
                }
                for (int kx = 0; kx < kw; kx++) {
                  int ix = x0 + kx;
                  if (ix < 0 || ix >= iw) {
                    continue;
                  }
                  int xv = in[((b * ih + iy) * iw + ix) * ic + i];
                  acc += filter[(ky * kw + kx) * oc + c] * (xv + p.inputOffset());
                }
              }
              if (bias != null) {
                acc += bias[c];
              }
              acc = multiplyByQuantizedMultiplier(acc, p.quant().multiplier(c),
                  p.quant().shift(c));
              acc += p.outputOffset();
              out[((b * oh + oy) * ow + ox) * oc + c] = (byte) clamp(acc, p.actMin(), p.actMax());
            }
          }
        }
      }
    }
  }

  /** mt_fully_connected_s8: filter [units, depth]. */
  public static void fullyConnected(KernelParams.FullyConnected p, byte[] in, byte[] filter,
      int[] bias, byte[] out) {
    for (int b = 0; b < p.batches(); b++) {
      for (int u = 0; u < p.units(); u++) {
        int acc = 0;
        for (int d = 0; d < p.depth(); d++) {
          acc += filter[u * p.depth() + d] * (in[b * p.depth() + d] + p.inputOffset());
        }
        if (bias != null) {
          acc += bias[u];
        }
        acc = multiplyByQuantizedMultiplier(acc, p.quant().multiplier(u), p.quant().shift(u));
        acc += p.outputOffset();
        out[b * p.units() + u] = (byte) clamp(acc, p.actMin(), p.actMax());
      }
    }
  }

  /** mt_add_s8 with 4-D broadcasting (each input dim equals the output dim or is 1). */
  public static void add(KernelParams.Add p, int[] aDims, byte[] a, int[] bDims, byte[] b,
      int[] outDims, byte[] out) {
    int i = 0;
    for (int n = 0; n < outDims[0]; n++) {
      for (int h = 0; h < outDims[1]; h++) {
        for (int w = 0; w < outDims[2]; w++) {
          for (int c = 0; c < outDims[3]; c++) {
            int va = a[broadcastIndex(aDims, n, h, w, c)] + p.input1Offset();
            int vb = b[broadcastIndex(bDims, n, h, w, c)] + p.input2Offset();
            int sa = multiplyByQuantizedMultiplier(va * (1 << p.leftShift()),
                p.input1Multiplier(), p.input1Shift());
            int sb = multiplyByQuantizedMultiplier(vb * (1 << p.leftShift()),
                p.input2Multiplier(), p.input2Shift());
            int raw = multiplyByQuantizedMultiplier(sa + sb, p.outputMultiplier(),
                p.outputShift()) + p.outputOffset();
            out[i++] = (byte) clamp(raw, p.actMin(), p.actMax());
          }
        }
      }
    }
  }

  private static int broadcastIndex(int[] d, int n, int h, int w, int c) {
    int nn = d[0] == 1 ? 0 : n;
    int hh = d[1] == 1 ? 0 : h;
    int ww = d[2] == 1 ? 0 : w;
    int cc = d[3] == 1 ? 0 : c;
    return ((nn * d[1] + hh) * d[2] + ww) * d[3] + cc;
  }

  /** mt_avg_pool2d_s8 and mt_max_pool2d_s8. */
  public static void pool2d(boolean max, KernelParams.Pool p, int[] inDims, byte[] in,
      int[] outDims, byte[] out) {
    int ih = inDims[1];
    int iw = inDims[2];
    int ch = inDims[3];
    for (int b = 0; b < outDims[0]; b++) {
      for (int oy = 0; oy < outDims[1]; oy++) {
        for (int ox = 0; ox < outDims[2]; ox++) {
          int y0 = oy * p.strideH() - p.padH();
          int x0 = ox * p.strideW() - p.padW();
          int fy0 = Math.max(0, -y0);
          int fy1 = Math.min(p.filterH(), ih - y0);
          int fx0 = Math.max(0, -x0);
          int fx1 = Math.min(p.filterW(), iw - x0);
          for (int c = 0; c < ch; c++) {
            int acc = max ? -128 : 0;
            int count = 0;
            for (int fy = fy0; fy < fy1; fy++) {
              for (int fx = fx0; fx < fx1; fx++) {
                int v = in[((b * ih + y0 + fy) * iw + x0 + fx) * ch + c];
                acc = max ? Math.max(acc, v) : acc + v;
                count++;
              }
            }
            int r;
            if (max) {
              r = acc;
            } else {
              if (count == 0) {
                r = 0;
              } else {
                r = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
              }
            }
            out[((b * outDims[1] + oy) * outDims[2] + ox) * ch + c] =
                (byte) clamp(r, p.actMin(), p.actMax());
          }
        }
      }
    }
  }

  /** mt_mean_hw_s8. */
  public static void meanHw(KernelParams.Mean p, int[] inDims, byte[] in, byte[] out) {
    int hw = inDims[1] * inDims[2];
    int ch = inDims[3];
    for (int b = 0; b < inDims[0]; b++) {
      for (int c = 0; c < ch; c++) {
        int sum = 0;
        for (int i = 0; i < hw; i++) {
          sum += in[(b * hw + i) * ch + c];
        }
        int v = multiplyByQuantizedMultiplier(sum - p.inputZeroPoint() * hw, p.multiplier(),
            p.shift()) + p.outputZeroPoint();
        out[b * ch + c] = (byte) FixedPoint.clampInt8(v);
      }
    }
  }

  /** mt_softmax_s8: gemmlowp fixed-point softmax over the last axis. */
  public static void softmax(KernelParams.Softmax p, byte[] in, byte[] out) {
    int depth = p.depth();
    int[] nbou = new int[1];
    for (int row = 0; row < p.outer(); row++) {
      int base = row * depth;
      int maxV = -128;
      for (int c = 0; c < depth; c++) {
        maxV = Math.max(maxV, in[base + c]);
      }
      int sumOfExps = 0;
      for (int c = 0; c < depth; c++) {
        int diff = in[base + c] - maxV;
        if (diff >= p.diffMin()) {
          int rescaled = srdhm(diff * (1 << p.inputLeftShift()), p.inputMultiplier());
          sumOfExps += roundingDivideByPot(FixedPoint.expOnNegativeValues(rescaled), 12);
        }
      }
      int recip = FixedPoint.reciprocal(sumOfExps, 12, nbou);
      for (int c = 0; c < depth; c++) {
        int diff = in[base + c] - maxV;
        if (diff >= p.diffMin()) {
          int rescaled = srdhm(diff * (1 << p.inputLeftShift()), p.inputMultiplier());
          int e = FixedPoint.expOnNegativeValues(rescaled);
          int v = roundingDivideByPot(srdhm(recip, e), nbou[0] + 31 - 8) - 128;
          out[base + c] = (byte) FixedPoint.clampInt8(v);
        } else {
          out[base + c] = (byte) -128;
        }
      }
    }
  }

  /** mt_pad_s8 on 4-D NHWC. */
  public static void pad(KernelParams.Pad p, int[] inDims, byte[] in, int[] outDims, byte[] out) {
    java.util.Arrays.fill(out, (byte) p.padValue());
    int[] bf = p.before().toArray();
    for (int n = 0; n < inDims[0]; n++) {
      for (int h = 0; h < inDims[1]; h++) {
        for (int w = 0; w < inDims[2]; w++) {
          int src = ((n * inDims[1] + h) * inDims[2] + w) * inDims[3];
          int dst = (((n + bf[0]) * outDims[1] + h + bf[1]) * outDims[2] + w + bf[2])
              * outDims[3] + bf[3];
          System.arraycopy(in, src, out, dst, inDims[3]);
        }
      }
    }
  }

  /** mt_quantize_f32_s8. */
  public static void quantizeF32(KernelParams.Quantize p, float[] in, byte[] out) {
    for (int i = 0; i < p.size(); i++) {
      // Saturate before adding the zero point: infinities and values far outside int32 clamp
      // instead of wrapping; NaN gives the zero point (as mt_quantize_f32_s8).
      float r = FixedPoint.roundHalfAwayFromZero(in[i] / p.scale());
      long q = (Float.isNaN(r) ? 0 : (long) Math.max(-1e9f, Math.min(1e9f, r)))
          + p.outputZeroPoint();
      out[i] = (byte) Math.max(-128, Math.min(127, q));
    }
  }

  /** mt_requantize_s8. */
  public static void requantize(KernelParams.Quantize p, byte[] in, byte[] out) {
    for (int i = 0; i < p.size(); i++) {
      int q = multiplyByQuantizedMultiplier(in[i] - p.inputZeroPoint(), p.multiplier(),
          p.shift()) + p.outputZeroPoint();
      out[i] = (byte) FixedPoint.clampInt8(q);
    }
  }

  /** mt_dequantize_s8_f32. */
  public static void dequantize(KernelParams.Quantize p, byte[] in, float[] out) {
    for (int i = 0; i < p.size(); i++) {
      out[i] = p.scale() * (float) (in[i] - p.inputZeroPoint());
    }
  }
}
