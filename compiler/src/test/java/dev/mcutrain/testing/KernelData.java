package dev.mcutrain.testing;

import dev.mcutrain.testing.NativeProbe.Words;
import java.util.SplittableRandom;

/**
 * Random kernel data shared by the native kernel tests (BackwardNativeTest, AccumulateNativeTest):
 * gradients, int8 tensors, scales, update factors, biases and window geometries. Each draws from
 * the given generator in a fixed order, so a seed fixes the cases.
 */
public final class KernelData {
  private KernelData() {}

  /** A gradient value: often +0 (masked) or -0, else a signed value over several decades. */
  public static float grad(SplittableRandom r) {
    int k = r.nextInt(100);
    if (k < 30) {
      return 0f;
    }
    if (k < 33) {
      return -0f;
    }
    return (float) (r.nextGaussian() * Math.pow(10, r.nextDouble(-3, 1)));
  }

  public static float[] grads(SplittableRandom r, int n) {
    float[] g = new float[n];
    for (int i = 0; i < n; i++) {
      g[i] = grad(r);
    }
    return g;
  }

  /** int8 values in [lo, hi], with each bound drawn about one time in ten. */
  public static byte[] int8s(SplittableRandom r, int n, int lo, int hi) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(10);
      b[i] = (byte) (k == 0 ? lo : k == 1 ? hi : r.nextInt(lo, hi + 1));
    }
    return b;
  }

  public static float scale(SplittableRandom r) {
    return (float) Math.pow(10, r.nextDouble(-3.5, -0.5));
  }

  public static int count(int[] d) {
    return d[0] * d[1] * d[2] * d[3];
  }

  /** Factors as ReferenceTrainer computes them: k_w = 1/s_w (QAS) or s_w; k_b from s_x * s_w. */
  public static float[][] factors(SplittableRandom r, int oc, float xScale) {
    boolean qas = r.nextInt(4) != 0;
    boolean perChannel = r.nextBoolean();
    float shared = scale(r);
    float[] kw = new float[oc];
    float[] kb = new float[oc];
    for (int o = 0; o < oc; o++) {
      float ws = perChannel ? scale(r) : shared;
      kw[o] = qas ? 1f / ws : ws;
      float sb = xScale * ws;
      kb[o] = qas ? 1f / sb : sb;
    }
    return new float[][] {kw, kb};
  }

  public static float learningRate(SplittableRandom r) {
    return (float) Math.pow(10, r.nextDouble(-4, 1));
  }

  /** int32 biases, each near INT32_MAX or INT32_MIN about one time in ten. */
  public static int[] biases(SplittableRandom r, int n) {
    int[] b = new int[n];
    for (int i = 0; i < n; i++) {
      int k = r.nextInt(10);
      b[i] = k == 0 ? Integer.MAX_VALUE - r.nextInt(0, 3) : k == 1
          ? Integer.MIN_VALUE + r.nextInt(0, 3) : r.nextInt(-20000, 20000);
    }
    return b;
  }

  /** A convolution / pooling window geometry with TFLite's SAME or VALID output size. */
  public record Geo(int n, int ih, int iw, int kh, int kw, int sh, int sw, int ph, int pw,
      int oh, int ow, boolean same) {}

  /** A geometry with input height and width below {@code inBound}. */
  public static Geo geo(SplittableRandom r, int inBound) {
    while (true) {
      int n = r.nextInt(1, 3);
      int ih = r.nextInt(1, inBound);
      int iw = r.nextInt(1, inBound);
      int kh = r.nextInt(1, 4);
      int kw = r.nextInt(1, 4);
      int sh = r.nextInt(1, 3);
      int sw = r.nextInt(1, 3);
      boolean same = r.nextBoolean();
      if (same) {
        int oh = (ih + sh - 1) / sh;
        int ow = (iw + sw - 1) / sw;
        int ph = Math.max((oh - 1) * sh + kh - ih, 0) / 2;
        int pw = Math.max((ow - 1) * sw + kw - iw, 0) / 2;
        return new Geo(n, ih, iw, kh, kw, sh, sw, ph, pw, oh, ow, true);
      }
      if (ih < kh || iw < kw) {
        continue;
      }
      return new Geo(n, ih, iw, kh, kw, sh, sw, 0, 0, (ih - kh) / sh + 1, (iw - kw) / sw + 1,
          false);
    }
  }

  /** Appends dims as 4 words {n, h, w, c}. */
  public static Words dims(Words w, int[] d) {
    return w.i(d[0], d[1], d[2], d[3]);
  }

  /** The input's first {@code keep} channels: [n, h, w, keep] out of [n, h, w, c]. */
  public static byte[] slice(byte[] x, int[] d, int keep) {
    int positions = d[0] * d[1] * d[2];
    byte[] s = new byte[positions * keep];
    for (int p = 0; p < positions; p++) {
      System.arraycopy(x, p * d[3], s, p * keep, keep);
    }
    return s;
  }

  /** Input channels for an update: none, all, or a fraction of {@code full}; counted in st. */
  public static int pickChannels(SplittableRandom r, int full, UpdateStats st) {
    int k = r.nextInt(10);
    if (k < 2) {
      st.zeroChannels++;
      return 0;
    }
    if (k < 5) {
      st.fullChannels++;
      return full;
    }
    st.partial++;
    return Math.max(1, full / (1 << r.nextInt(0, 4)));
  }

  /** Counts the weights (and saturated ones) and biases an update changed. */
  public static void countChanges(byte[] before, byte[] after, int[] bBefore, int[] bAfter,
      UpdateStats st) {
    for (int i = 0; i < before.length; i++) {
      if (before[i] != after[i]) {
        st.weightsChanged++;
        if (after[i] == 127 || after[i] == -127) {
          st.weightsSaturated++;
        }
      }
    }
    if (bBefore != null) {
      for (int i = 0; i < bBefore.length; i++) {
        st.biasesChanged += bBefore[i] != bAfter[i] ? 1 : 0;
      }
    }
  }
}
