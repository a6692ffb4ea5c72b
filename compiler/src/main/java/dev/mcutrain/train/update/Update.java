package dev.mcutrain.train.update;

import java.util.Objects;

/**
 * The parameter update step, bit for bit the same as runtime-c's mt_update.c / mt_train.h:
 * rounding of a float update into the integer domain with saturation (int8 weights, int32 biases),
 * the QAS step of an int8 weight, and plain SGD for fp32 tensors. Float work is binary32 only.
 *
 * <p>PRNG contract: {@link Rounding#STOCHASTIC} draws exactly one {@link Prng#nextFloat()} per
 * call, first, whatever {@code delta} is (NaN, infinite, zero included); the other modes draw none
 * and accept a null {@code rng}.
 */
public final class Update {
  private Update() {}

  /** Smallest int8 weight an update produces (symmetric weights). */
  public static final int S8_MIN = -127;

  /** Largest int8 weight. */
  public static final int S8_MAX = 127;

  private static final float TWO_23 = 8388608.0f;
  private static final float TWO_32 = 4294967296.0f;

  /**
   * {@code saturate(w + R(delta))} to [-127, 127] ({@code mt_update_s8}). A NaN delta returns
   * {@code w} unchanged; infinite and huge deltas saturate.
   *
   * @param w the weight, an int8 value in [-128, 127]
   */
  public static byte s8(byte w, float delta, Rounding mode, Prng rng) {
    float s = withDither(delta, mode, rng);
    if (s != s) {
      return w;
    }
    if (s > 256.0f) {
      s = 256.0f;
    } else if (s < -256.0f) {
      s = -256.0f;
    }
    int sum = w + roundSmall(s, mode);
    return (byte) Math.max(S8_MIN, Math.min(S8_MAX, sum));
  }

  /**
   * {@code saturate(b + R(delta))} to the int32 range ({@code mt_update_s32}), with the rounding,
   * PRNG and NaN rules of {@link #s8}. R(delta) is an exact integer (magnitudes of at least 2^32
   * saturate), added in 64 bits.
   */
  public static int s32(int b, float delta, Rounding mode, Prng rng) {
    float s = withDither(delta, mode, rng);
    if (s != s) {
      return b;
    }
    long d;
    if (s < TWO_23 && s > -TWO_23) {
      d = roundSmall(s, mode);
    } else if (s >= TWO_32) {
      return Integer.MAX_VALUE;
    } else if (s <= -TWO_32) {
      return Integer.MIN_VALUE;
    } else {
      d = (long) s; // an integer of magnitude in [2^23, 2^32): exact
    }
    long sum = b + d;
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, sum));
  }

  /**
   * The QAS update step of an int8 weight in integer units ({@code mt_qas_delta}):
   * {@code -(lr * (g * k))} in exactly this order.
   */
  public static float qasDelta(float g, float k, float lr) {
    float gk = g * k;
    float step = lr * gk;
    return -step;
  }

  /** Plain SGD, {@code w[i] = w[i] - lr * grad[i]} for all of {@code w} ({@code mt_sgd_update_f32}). */
  public static void sgdF32(float[] w, float[] grad, float lr) {
    if (grad.length != w.length) {
      throw new IllegalArgumentException(
          "gradient length " + grad.length + " != weight length " + w.length);
    }
    sgdF32(w, 0, grad, 0, w.length, lr);
  }

  /** Plain SGD on {@code n} elements from the given offsets, in index order. */
  public static void sgdF32(float[] w, int wOffset, float[] grad, int gOffset, int n, float lr) {
    Objects.checkFromIndexSize(wOffset, n, w.length);
    Objects.checkFromIndexSize(gOffset, n, grad.length);
    for (int i = 0; i < n; i++) {
      float step = lr * grad[gOffset + i];
      w[wOffset + i] = w[wOffset + i] - step;
    }
  }

  private static float withDither(float delta, Rounding mode, Prng rng) {
    if (mode == Rounding.STOCHASTIC) {
      return delta + rng.nextFloat();
    }
    return delta;
  }

  /**
   * R(s) for a finite |s| < 2^23 (for STOCHASTIC, s includes u and this is floor(s)). The
   * truncation, its float value and the fraction {@code s - fi} are all exact.
   */
  private static int roundSmall(float s, Rounding mode) {
    int i = (int) s;
    float fi = (float) i;
    switch (mode) {
      case STOCHASTIC:
        return fi > s ? i - 1 : i;
      case NEAREST:
        if (s >= 0.0f) {
          return (s - fi >= 0.5f) ? i + 1 : i;
        }
        return (fi - s >= 0.5f) ? i - 1 : i;
      default:
        return i;
    }
  }
}
