package dev.mcutrain.train.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Special values and hand-checked points of {@link FloatMath}. */
class FloatMathTest {
  private static final int NAN_BITS = 0x7fc00000;
  private static final float INF = Float.POSITIVE_INFINITY;

  private static void assertBits(int expected, float actual, String what) {
    assertEquals(
        Integer.toHexString(expected),
        Integer.toHexString(Float.floatToRawIntBits(actual)),
        what + " = " + actual);
  }

  private static void assertWithinUlps(int expectedBits, float actual, int ulps, String what) {
    int got = Float.floatToRawIntBits(actual);
    assertTrue(
        (got ^ expectedBits) >= 0 && Math.abs(got - expectedBits) <= ulps,
        what + ": got " + Integer.toHexString(got) + ", expected " + Integer.toHexString(expectedBits)
            + " +- " + ulps);
  }

  @Test
  void expSpecialValues() {
    assertBits(0x3f800000, FloatMath.exp(0.0f), "exp(0)");
    assertBits(0x3f800000, FloatMath.exp(-0.0f), "exp(-0)");
    assertBits(0x3f800000, FloatMath.exp(Float.MIN_VALUE), "exp(2^-149)");
    assertBits(0x3f800000, FloatMath.exp(-Float.MIN_VALUE), "exp(-2^-149)");
    assertBits(0x7f800000, FloatMath.exp(INF), "exp(inf)");
    assertBits(0x00000000, FloatMath.exp(-INF), "exp(-inf)");
    assertBits(0x7f800000, FloatMath.exp(Float.MAX_VALUE), "exp(FLT_MAX)");
    assertBits(0x00000000, FloatMath.exp(-Float.MAX_VALUE), "exp(-FLT_MAX)");
    assertBits(0x7f800000, FloatMath.exp(Math.nextUp(FloatMath.EXP_OVERFLOW)), "exp(just over)");
    assertTrue(FloatMath.exp(FloatMath.EXP_OVERFLOW) < INF);
    assertBits(0x7f7fff84, FloatMath.exp(FloatMath.EXP_OVERFLOW), "exp(88.72283)");
    assertBits(0x00000000, FloatMath.exp(Math.nextDown(-104.0f)), "exp(below -104)");
    assertBits(0x00000000, FloatMath.exp(-104.0f), "exp(-104)");
    assertBits(0x00000001, FloatMath.exp(-103.9f), "exp(-103.9) = 2^-149");
    for (int nan : new int[] {0x7fc00000, 0xffc00000, 0x7f800001, 0xff812345, 0x7fffffff}) {
      assertBits(NAN_BITS, FloatMath.exp(Float.intBitsToFloat(nan)), "exp(NaN " + nan + ")");
    }
  }

  @Test
  void expHandPoints() {
    assertWithinUlps(0x402df854, FloatMath.exp(1.0f), 1, "exp(1)");
    assertWithinUlps(0x3ebc5ab2, FloatMath.exp(-1.0f), 1, "exp(-1)");
    assertWithinUlps(0x46ac14ee, FloatMath.exp(10.0f), 1, "exp(10)");
    assertWithinUlps(0x383e6bce, FloatMath.exp(-10.0f), 1, "exp(-10)");
    assertWithinUlps(0x006cb2bc, FloatMath.exp(-87.5f), 1, "exp(-87.5)");
    assertWithinUlps(0x0000001b, FloatMath.exp(-100.0f), 1, "exp(-100)");
    // monotone across every reduction boundary k*ln2/2 in range
    float prev = 0.0f;
    for (float x = -103.0f; x < 88.7f; x += 0.0078125f) {
      float y = FloatMath.exp(x);
      assertTrue(y >= prev, "exp not monotone at " + x);
      prev = y;
    }
  }

  @Test
  void logSpecialValues() {
    assertBits(0x00000000, FloatMath.log(1.0f), "log(1)");
    assertBits(0xff800000, FloatMath.log(0.0f), "log(0)");
    assertBits(0xff800000, FloatMath.log(-0.0f), "log(-0)");
    assertBits(0x7f800000, FloatMath.log(INF), "log(inf)");
    assertBits(NAN_BITS, FloatMath.log(-INF), "log(-inf)");
    assertBits(NAN_BITS, FloatMath.log(-1.0f), "log(-1)");
    assertBits(NAN_BITS, FloatMath.log(-Float.MIN_VALUE), "log(-2^-149)");
    for (int nan : new int[] {0x7fc00000, 0xffc00000, 0x7f800001, 0xff812345, 0x7fffffff}) {
      assertBits(NAN_BITS, FloatMath.log(Float.intBitsToFloat(nan)), "log(NaN " + nan + ")");
    }
  }

  @Test
  void logHandPoints() {
    assertWithinUlps(0x3f317218, FloatMath.log(2.0f), 1, "log(2)");
    assertWithinUlps(0x3f8c9f54, FloatMath.log(3.0f), 1, "log(3)");
    assertWithinUlps(0x40135d8e, FloatMath.log(10.0f), 1, "log(10)");
    assertWithinUlps(0xc0135d8e, FloatMath.log(0.1f), 1, "log(0.1f)");
    assertWithinUlps(0x42b17218, FloatMath.log(Float.MAX_VALUE), 1, "log(FLT_MAX)");
    assertWithinUlps(0xc2ce8ed0, FloatMath.log(Float.MIN_VALUE), 1, "log(2^-149)");
    assertWithinUlps(0xc2c214ca, FloatMath.log(0x1p-140f), 1, "log(2^-140)");
    assertWithinUlps(0xc2b20563, FloatMath.log(0x1.8p-129f), 1, "log(3*2^-130)");
    // powers of two (f = 0: the result is k*LN2_HI + k*LN2_LO)
    for (int k = -149; k <= 127; k++) {
      float x = Math.scalb(1.0f, k);
      assertTrue(FloatMathAccuracyTest.ulpError(FloatMath.log(x), k * StrictMath.log(2)) <= 1.0,
          "log(2^" + k + ")");
    }
    // monotone on a fine grid through the sqrt(2) reduction boundary and 1
    float prev = Float.NEGATIVE_INFINITY;
    for (int b = Float.floatToRawIntBits(0.70f); b <= Float.floatToRawIntBits(1.5f); b += 7) {
      float y = FloatMath.log(Float.intBitsToFloat(b));
      assertTrue(y >= prev, "log not monotone at " + Float.intBitsToFloat(b));
      prev = y;
    }
  }
}
