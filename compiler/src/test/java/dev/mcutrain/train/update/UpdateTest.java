package dev.mcutrain.train.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Update}: rounding-mode semantics, saturation, PRNG consumption, unbiasedness. */
class UpdateTest {
  private static final Rounding T = Rounding.TRUNCATE;
  private static final Rounding N = Rounding.NEAREST;
  private static final Rounding S = Rounding.STOCHASTIC;
  private static final float NAN = Float.NaN;
  private static final float INF = Float.POSITIVE_INFINITY;

  private static int s8(int w, float delta, Rounding mode) {
    return Update.s8((byte) w, delta, mode, null);
  }

  @Test
  void truncateAndNearestOnHandCases() {
    assertEquals(0, s8(0, 0.4f, T));
    assertEquals(0, s8(0, 0.4f, N));
    assertEquals(0, s8(0, -0.6f, T));
    assertEquals(-1, s8(0, -0.6f, N));
    assertEquals(1, s8(0, 0.5f, N));
    assertEquals(-1, s8(0, -0.5f, N));
    assertEquals(0, s8(0, 0.5f, T));
    assertEquals(5, s8(3, 1.5f, N));
    assertEquals(6, s8(3, 2.5f, N), "halves go away from zero, not to even");
    assertEquals(3, s8(3, Math.nextDown(0.5f), N));
    assertEquals(2, s8(3, -1.9f, T));
    assertEquals(1, s8(3, -1.9f, N));
    assertEquals(-5, s8(-5, -0.0f, N));
    assertEquals(-5, s8(-5, 1e-30f, N));
    assertEquals(-5, s8(-5, Float.MIN_VALUE, T));
  }

  @Test
  void s8SaturatesSymmetricallyAndHandlesNonFinite() {
    assertEquals(127, s8(120, 10f, T));
    assertEquals(-127, s8(-120, -10f, N));
    assertEquals(-127, s8(-128, 0f, T), "-128 is never produced");
    assertEquals(126, s8(-128, 254.9f, T));
    assertEquals(127, s8(-128, 255f, T));
    assertEquals(-127, s8(127, -254f, T));
    assertEquals(127, s8(-127, 1e30f, N));
    assertEquals(-127, s8(127, -Float.MAX_VALUE, T));
    assertEquals(127, s8(0, INF, T));
    assertEquals(-127, s8(0, -INF, N));
    assertEquals(42, s8(42, NAN, N));
    assertEquals(-128, s8(-128, Float.intBitsToFloat(0xffc00001), T), "NaN: no change at all");
  }

  @Test
  void s32SaturatesAndAddsExactly() {
    int max = Integer.MAX_VALUE;
    int min = Integer.MIN_VALUE;
    assertEquals(max, Update.s32(max, 1f, T, null));
    assertEquals(min, Update.s32(min, -1f, N, null));
    assertEquals(999, Update.s32(1000, -0.6f, N, null));
    assertEquals(1000, Update.s32(1000, -0.6f, T, null));
    assertEquals(max, Update.s32(0, 3e9f, T, null));
    assertEquals(0, Update.s32(min, 2147483648.0f, N, null));
    assertEquals(2147483392, Update.s32(min, 4294967040.0f, T, null));
    assertEquals(max, Update.s32(min, 4294967296.0f, T, null));
    assertEquals(-2147483393, Update.s32(max, -4294967040.0f, T, null));
    assertEquals(min, Update.s32(max, -4294967296.0f, N, null));
    assertEquals(16777316, Update.s32(100, 16777217.0f, N, null));
    assertEquals(8388608, Update.s32(0, 8388607.5f, N, null));
    assertEquals(-8388607, Update.s32(0, -8388607.5f, T, null));
    assertEquals(-8388608, Update.s32(0, -8388607.5f, N, null));
    assertEquals(-77, Update.s32(-77, NAN, N, null));
    assertEquals(max, Update.s32(min, INF, N, null));
    assertEquals(min, Update.s32(max, -INF, T, null));
    assertEquals(min, Update.s32(0, -1e38f, T, null));
  }

  @Test
  void stochasticDrawsExactlyOneValuePerCallAndOthersNone() {
    Prng rng = new Prng(1);
    long s0 = rng.state();
    Update.s8((byte) 0, 0.7f, T, rng);
    Update.s8((byte) 0, 0.7f, N, rng);
    Update.s32(0, 0.7f, T, rng);
    Update.s32(0, 0.7f, N, rng);
    assertEquals(s0, rng.state());
    float[] deltas = {0.4f, 0f, -0f, NAN, INF, -INF, 1e30f, -3.5f, 1e-20f};
    for (float d : deltas) {
      Prng expected = rng.copy();
      expected.nextInt();
      Update.s8((byte) 3, d, S, rng);
      assertEquals(expected.state(), rng.state(), "s8 delta " + d);
      expected.nextInt();
      Update.s32(3, d, S, rng);
      assertEquals(expected.state(), rng.state(), "s32 delta " + d);
    }
    assertThrows(NullPointerException.class, () -> Update.s8((byte) 0, 0f, S, null));
  }

  @Test
  void stochasticIsFloorOfDeltaPlusTheDrawnFloat() {
    Prng rng = new Prng(9);
    int ones = 0;
    int zeros = 0;
    for (int i = 0; i < 10_000; i++) {
      float u = rng.copy().nextFloat();
      int expected = (0.4f + u) >= 1.0f ? 1 : 0;
      int got = Update.s8((byte) 0, 0.4f, S, rng);
      assertEquals(expected, got);
      if (got == 1) {
        ones++;
      } else {
        zeros++;
      }
    }
    assertTrue(ones > 3700 && ones < 4300, "0.4 rounds up about 40% of the time: " + ones);
    assertTrue(zeros > 0);
    assertEquals(-1, Update.s8((byte) 0, -1e-10f, S, Prng.ofState(0, 109)), "u = 0 at state 0");
    assertEquals(0, Update.s8((byte) 0, -1e-10f, S, new Prng(9)));
  }

  @Test
  void stochasticRoundingIsUnbiased() {
    Prng rng = new Prng(12345);
    float[] deltas = {0.3f, -0.3f, 2.7f, -0.01f};
    for (float d : deltas) {
      long sum8 = 0;
      long sum32 = 0;
      int draws = 1_000_000;
      for (int i = 0; i < draws; i++) {
        sum8 += Update.s8((byte) 0, d, S, rng);
        sum32 += Update.s32(1000, d, S, rng) - 1000;
      }
      assertEquals(d, (double) sum8 / draws, 0.002, "mean of s8 R(" + d + ")");
      assertEquals(d, (double) sum32 / draws, 0.002, "mean of s32 R(" + d + ")");
    }
  }

  @Test
  void qasDeltaFixesTheOrder() {
    assertEquals(-3.0f, Update.qasDelta(2f, 3f, 0.5f));
    // lr * (g * k): g * k overflows first; (lr * g) * k would be 1e20
    assertEquals(-INF, Update.qasDelta(1e30f, 1e10f, 1e-20f));
    // g * k underflows to 0 first
    assertEquals(Float.floatToRawIntBits(-0.0f),
        Float.floatToRawIntBits(Update.qasDelta(1e-30f, 1e-20f, 1e20f)));
    SplittableRandom rnd = new SplittableRandom(4);
    for (int i = 0; i < 10_000; i++) {
      float g = (float) rnd.nextGaussian();
      float k = (float) rnd.nextDouble(1, 1000);
      float lr = (float) rnd.nextDouble(1e-4, 1e-1);
      float gk = g * k;
      float step = lr * gk;
      assertEquals(-step, Update.qasDelta(g, k, lr));
    }
  }

  @Test
  void sgdF32SubtractsLrTimesGradInOrder() {
    float[] w = {1f, 2f, -3f, 0.1f};
    float[] g = {2f, -4f, 0f, 0.3f};
    Update.sgdF32(w, g, 0.25f);
    assertEquals(0.5f, w[0]);
    assertEquals(3.0f, w[1]);
    assertEquals(-3.0f, w[2]);
    float step = 0.25f * 0.3f;
    assertEquals(0.1f - step, w[3]);
    float[] v = {5f, 6f, 7f};
    Update.sgdF32(v, 1, new float[] {9f, 1f}, 1, 1, 2f);
    assertEquals(5f, v[0]);
    assertEquals(4f, v[1]);
    assertEquals(7f, v[2]);
    assertThrows(IllegalArgumentException.class, () -> Update.sgdF32(w, new float[3], 1f));
    assertThrows(IndexOutOfBoundsException.class, () -> Update.sgdF32(v, 2, g, 0, 2, 1f));
  }

  /**
   * Against an independent oracle in double arithmetic: the rounded delta of a float is exact in
   * double, and the sum and saturation are done in long.
   */
  @Test
  void agreesWithADoubleOracleOnRandomInputs() {
    SplittableRandom rnd = new SplittableRandom(99);
    Prng rng = new Prng(7);
    for (int i = 0; i < 300_000; i++) {
      float delta = UpdateCases.randomDelta(rnd);
      Rounding mode = Rounding.values()[rnd.nextInt(3)];
      byte w = (byte) rnd.nextInt(-128, 128);
      int b = UpdateCases.randomBias(rnd);
      float u8 = rng.copy().nextFloat();
      int got8 = Update.s8(w, delta, mode, rng);
      float u32 = rng.copy().nextFloat();
      int got32 = Update.s32(b, delta, mode, rng);
      String what = "w=" + w + " b=" + b + " delta=" + delta + " (0x"
          + Integer.toHexString(Float.floatToRawIntBits(delta)) + ") " + mode;
      if (Float.isNaN(delta)) {
        assertEquals(w, got8, what);
        assertEquals(b, got32, what);
        continue;
      }
      assertEquals(oracle(w, delta, mode, u8, -127, 127), got8, what);
      assertEquals(oracle(b, delta, mode, u32, Integer.MIN_VALUE, Integer.MAX_VALUE), got32, what);
    }
  }

  private static long oracle(long x, float delta, Rounding mode, float u, long lo, long hi) {
    double r;
    switch (mode) {
      case TRUNCATE -> r = delta < 0 ? Math.ceil(delta) : Math.floor(delta);
      case NEAREST -> r = Math.signum((double) delta) * Math.floor(Math.abs((double) delta) + 0.5);
      default -> {
        float s = delta + u; // the float addition is part of the definition
        r = Math.floor(s);
      }
    }
    double sum = x + r; // |r| may be huge or infinite: saturate in double first
    if (sum >= hi) {
      return hi;
    }
    if (sum <= lo) {
      return lo;
    }
    return (long) sum;
  }
}
