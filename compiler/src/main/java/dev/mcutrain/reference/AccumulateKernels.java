package dev.mcutrain.reference;

import dev.mcutrain.train.update.Prng;
import dev.mcutrain.train.update.Rounding;
import dev.mcutrain.train.update.Update;

/**
 * Gradient accumulation over B samples ({@code --accumulate B}): each sample adds its parameter
 * gradients into fp32 accumulators; every B-th sample applies the mean (accumulator / (float) B)
 * as one update and clears the accumulators. Loop orders are those of the fused kernels, so with
 * B = 1 the result equals the fused update bit for bit. The C twins in runtime-c follow these
 * exactly.
 *
 * <p>Accumulator layouts: conv [oc][kh][kw][channels]; depthwise [channels][kh][kw]; fully
 * connected [units][channels]; bias [oc]; fp32 head weights [units][depth] and biases [units].
 */
public final class AccumulateKernels {
  private AccumulateKernels() {}

  /** CONV_2D: acc[((oc*kh+ky)*kw+kx)*channels+ic] += conv2dGradWeight(oc, ky, kx, ic). */
  public static void conv2dGradWeightAcc(int strideH, int strideW, int padH, int padW,
      float xScale, int xZeroPoint, int[] inDims, byte[] x, int[] fDims, int channels,
      int[] outDims, float[] g, float[] acc) {
    for (int oc = 0; oc < fDims[0]; oc++) {
      for (int ky = 0; ky < fDims[1]; ky++) {
        for (int kx = 0; kx < fDims[2]; kx++) {
          for (int ic = 0; ic < channels; ic++) {
            acc[((oc * fDims[1] + ky) * fDims[2] + kx) * channels + ic] +=
                BackwardKernels.conv2dGradWeight(strideH, strideW, padH, padW, xScale,
                    xZeroPoint, inDims, x, outDims, g, oc, ky, kx, ic);
          }
        }
      }
    }
  }

  /** DEPTHWISE_CONV_2D: acc[(o*kh+ky)*kw+kx] += depthwiseGradWeight(o, ky, kx), o < channels. */
  public static void depthwiseGradWeightAcc(int strideH, int strideW, int padH, int padW,
      int multiplier, float xScale, int xZeroPoint, int[] inDims, byte[] x, int[] fDims,
      int channels, int[] outDims, float[] g, float[] acc) {
    for (int o = 0; o < channels; o++) {
      for (int ky = 0; ky < fDims[1]; ky++) {
        for (int kx = 0; kx < fDims[2]; kx++) {
          acc[(o * fDims[1] + ky) * fDims[2] + kx] += BackwardKernels.depthwiseGradWeight(
              strideH, strideW, padH, padW, multiplier, xScale, xZeroPoint, inDims, x, outDims,
              g, o, ky, kx);
        }
      }
    }
  }

  /** FULLY_CONNECTED: acc[u*channels+d] += fullyConnectedGradWeight(u, d), d < channels. */
  public static void fullyConnectedGradWeightAcc(int batches, int depth, int units,
      float xScale, int xZeroPoint, byte[] x, int channels, float[] g, float[] acc) {
    for (int u = 0; u < units; u++) {
      for (int d = 0; d < channels; d++) {
        acc[u * channels + d] += BackwardKernels.fullyConnectedGradWeight(batches, depth, units,
            xScale, xZeroPoint, x, g, u, d);
      }
    }
  }

  /** Bias: acc[o] += biasGrad(o) (the sum over positions of g[p*channels+o]). */
  public static void biasGradAcc(int[] outDims, float[] g, float[] acc) {
    for (int o = 0; o < acc.length; o++) {
      acc[o] += BackwardKernels.biasGrad(outDims, g, o);
    }
  }

  /** CONV_2D apply: for oc, ky, kx, ic < channels, in that order; then acc is cleared. */
  public static void conv2dApply(float lr, float[] kw, Rounding rounding, Prng rng, int count,
      int[] fDims, byte[] filter, int channels, float[] acc) {
    for (int oc = 0; oc < fDims[0]; oc++) {
      for (int ky = 0; ky < fDims[1]; ky++) {
        for (int kx = 0; kx < fDims[2]; kx++) {
          for (int ic = 0; ic < channels; ic++) {
            int a = ((oc * fDims[1] + ky) * fDims[2] + kx) * channels + ic;
            int w = ((oc * fDims[1] + ky) * fDims[2] + kx) * fDims[3] + ic;
            filter[w] = Update.s8(filter[w],
                Update.qasDelta(acc[a] / (float) count, kw[oc], lr), rounding, rng);
            acc[a] = 0f;
          }
        }
      }
    }
  }

  /** DEPTHWISE_CONV_2D apply: for o < channels, ky, kx; filter [1,kh,kw,oc]. */
  public static void depthwiseApply(float lr, float[] kw, Rounding rounding, Prng rng, int count,
      int[] fDims, byte[] filter, int channels, float[] acc) {
    int oc = fDims[3];
    for (int o = 0; o < channels; o++) {
      for (int ky = 0; ky < fDims[1]; ky++) {
        for (int kx = 0; kx < fDims[2]; kx++) {
          int a = (o * fDims[1] + ky) * fDims[2] + kx;
          int w = (ky * fDims[2] + kx) * oc + o;
          filter[w] = Update.s8(filter[w],
              Update.qasDelta(acc[a] / (float) count, kw[o], lr), rounding, rng);
          acc[a] = 0f;
        }
      }
    }
  }

  /** FULLY_CONNECTED apply: for u, d < channels; filter [units][depth]. */
  public static void fullyConnectedApply(float lr, float[] kw, Rounding rounding, Prng rng,
      int count, int depth, int units, byte[] filter, int channels, float[] acc) {
    for (int u = 0; u < units; u++) {
      for (int d = 0; d < channels; d++) {
        int a = u * channels + d;
        int w = u * depth + d;
        filter[w] = Update.s8(filter[w], Update.qasDelta(acc[a] / (float) count, kw[u], lr),
            rounding, rng);
        acc[a] = 0f;
      }
    }
  }

  /** Bias apply: for o in order. */
  public static void biasApply(float lr, float[] kb, Rounding rounding, Prng rng, int count,
      int[] bias, float[] acc) {
    for (int o = 0; o < bias.length; o++) {
      bias[o] = Update.s32(bias[o], Update.qasDelta(acc[o] / (float) count, kb[o], lr), rounding,
          rng);
      acc[o] = 0f;
    }
  }

  /** fp32 head: for u: for d: accW[u*depth+d] += dl[u] * f[d]; then accB[u] += dl[u]. */
  public static void headGradAcc(int units, int depth, float[] f, float[] dlogits, float[] accW,
      float[] accB) {
    for (int u = 0; u < units; u++) {
      for (int d = 0; d < depth; d++) {
        accW[u * depth + d] += dlogits[u] * f[d];
      }
      accB[u] += dlogits[u];
    }
  }

  /**
   * fp32 head apply: for u: for d: w = w - lr * (accW / (float) count), accW = 0; then b = b -
   * lr * (accB / (float) count), accB = 0.
   */
  public static void headApply(int units, int depth, float[] w, float[] b, float[] accW,
      float[] accB, int count, float lr) {
    for (int u = 0; u < units; u++) {
      for (int d = 0; d < depth; d++) {
        int i = u * depth + d;
        w[i] = w[i] - lr * (accW[i] / (float) count);
        accW[i] = 0f;
      }
      b[u] = b[u] - lr * (accB[u] / (float) count);
      accB[u] = 0f;
    }
  }
}
