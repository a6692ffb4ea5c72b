package dev.mcutrain.quant;

/**
 * TFLite's integer requantization primitives and gemmlowp's fixed-point exp and reciprocal, bit
 * for bit (double-rounding variant). Every Java kernel uses these; runtime-c mirrors them in
 * {@code mt_support.h}.
 */
public final class FixedPoint {
  private FixedPoint() {}

  /** SaturatingRoundingDoublingHighMul. */
  public static int srdhm(int a, int b) {
    if (a == Integer.MIN_VALUE && b == Integer.MIN_VALUE) {
      return Integer.MAX_VALUE;
    }
    long ab = (long) a * (long) b;
    long nudge = ab >= 0 ? (1L << 30) : (1L - (1L << 30));
    return (int) ((ab + nudge) / (1L << 31)); // Java long division truncates like C
  }

  /**
   * RoundingDivideByPOT: arithmetic shift right, ties away from zero. Exponents of 32 or more
   * (undefined in TFLite, reachable in softmax of very long flat rows) give the correctly rounded
   * quotient, as runtime-c's {@code mt_rdbpot} does.
   */
  public static int roundingDivideByPot(int x, int exponent) {
    long mask = (1L << exponent) - 1;
    long remainder = x & mask;
    long threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (int) (((long) x >> exponent) + (remainder > threshold ? 1 : 0));
  }

  /** MultiplyByQuantizedMultiplier (int32, double rounding). */
  public static int multiplyByQuantizedMultiplier(int x, int multiplier, int shift) {
    int left = Math.max(shift, 0);
    int right = Math.max(-shift, 0);
    return roundingDivideByPot(srdhm(x * (1 << left), multiplier), right);
  }

  public static int multiplyByQuantizedMultiplier(int x, Multiplier m) {
    return multiplyByQuantizedMultiplier(x, m.multiplier(), m.shift());
  }

  /** gemmlowp SaturatingRoundingMultiplyByPOT for a positive exponent. */
  static int saturatingShiftLeft(int x, int exponent) {
    int threshold = (1 << (31 - exponent)) - 1;
    if (x > threshold) {
      return Integer.MAX_VALUE;
    }
    if (x < -threshold) {
      return Integer.MIN_VALUE;
    }
    return x << exponent;
  }

  /** gemmlowp exp on [-1/4, 0), Q0.31 in and out. */
  static int expOnIntervalBetweenNegativeOneQuarterAndZeroExcl(int a) {
    final int constantTerm = 1895147668; // exp(-1/8)
    final int constantOneThird = 715827883;
    int x = a + (1 << 28);
    int x2 = srdhm(x, x);
    int x3 = srdhm(x2, x);
    int x4 = srdhm(x2, x2);
    int x4Over4 = roundingDivideByPot(x4, 2);
    int poly = roundingDivideByPot(srdhm(x4Over4 + x3, constantOneThird) + x2, 1);
    return constantTerm + srdhm(constantTerm, x + poly);
  }

  private static final int[] EXP_BARREL = {
    1672461947, 1302514674, 790015084, 290630308, 39332535, 720401, 242
  };

  /** gemmlowp exp_on_negative_values: input Q5.26 (≤ 0), output Q0.31. */
  public static int expOnNegativeValues(int a) {
    final int integerBits = 5;
    final int fractionalBits = 31 - integerBits;
    final int oneQuarter = 1 << (fractionalBits - 2);
    final int mask = oneQuarter - 1;
    int aModQuarterMinusOneQuarter = (a & mask) - oneQuarter;
    int result =
        expOnIntervalBetweenNegativeOneQuarterAndZeroExcl(
            saturatingShiftLeft(aModQuarterMinusOneQuarter, integerBits));
    int remainder = aModQuarterMinusOneQuarter - a;
    for (int i = 0; i < EXP_BARREL.length; i++) {
      int exponent = i - 2;
      if (integerBits > exponent) {
        int shiftAmount = fractionalBits + exponent;
        if ((remainder & (1 << shiftAmount)) != 0) {
          result = srdhm(result, EXP_BARREL[i]);
        }
      }
    }
    if (a == 0) {
      result = Integer.MAX_VALUE;
    }
    return result;
  }

  /** gemmlowp one_over_one_plus_x_for_x_in_0_1: Q0.31 in, Q0.31 out. */
  public static int oneOverOnePlusXForXIn01(int a) {
    long sum = (long) a + Integer.MAX_VALUE;
    int halfDenominator = (int) ((sum + (sum >= 0 ? 1 : -1)) / 2);
    final int constant48Over17 = 1515870810;
    final int constantNeg32Over17 = -1010580540;
    int x = constant48Over17 + srdhm(halfDenominator, constantNeg32Over17);
    final int oneQ2 = 1 << 29;
    for (int i = 0; i < 3; i++) {
      int halfDenominatorTimesX = srdhm(halfDenominator, x);
      int oneMinus = oneQ2 - halfDenominatorTimesX;
      x = x + saturatingShiftLeft(srdhm(x, oneMinus), 2);
    }
    return saturatingShiftLeft(x, 1);
  }

  /** TFLite GetReciprocal: returns the Q0.31 reciprocal and writes num_bits_over_unit. */
  public static int reciprocal(int x, int xIntegerDigits, int[] numBitsOverUnit) {
    int headroomPlusOne = Integer.numberOfLeadingZeros(x);
    numBitsOverUnit[0] = xIntegerDigits - headroomPlusOne;
    int shiftedSumMinusOne = (int) (((long) (x << headroomPlusOne)) - (1L << 31));
    return oneOverOnePlusXForXIn01(shiftedSumMinusOne);
  }

  /** Saturate an int to int8. */
  public static int clampInt8(int v) {
    return Math.max(-128, Math.min(127, v));
  }

  /** TfLiteRound on a float: round half away from zero. */
  public static float roundHalfAwayFromZero(float x) {
    return (float) Multiplier.roundHalfAwayFromZero((double) x);
  }
}
