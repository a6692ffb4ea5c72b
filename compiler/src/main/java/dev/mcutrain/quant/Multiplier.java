package dev.mcutrain.quant;

/**
 * A real multiplier as TFLite represents it: a Q0.31 significand and a power-of-two exponent
 * ({@code real ≈ multiplier * 2^(shift - 31)}; shift > 0 is a left shift).
 */
public record Multiplier(int multiplier, int shift) {

  /**
   * TFLite's {@code QuantizeMultiplier}: frexp, round half away from zero, renormalise a
   * significand of exactly 2^31, and flush exponents below -31 to zero.
   */
  public static Multiplier quantize(double real) {
    if (real == 0.0) {
      return new Multiplier(0, 0);
    }
    if (!(real > 0.0) || Double.isInfinite(real)) {
      throw new IllegalArgumentException("multiplier must be positive and finite: " + real);
    }
    int exp = Math.getExponent(real) + 1;
    double q = Math.scalb(real, -exp);
    while (q < 0.5) { // subnormal inputs
      q *= 2;
      exp--;
    }
    long qf = (long) roundHalfAwayFromZero(q * (1L << 31));
    if (qf == (1L << 31)) {
      qf /= 2;
      exp++;
    }
    if (exp < -31) {
      return new Multiplier(0, 0);
    }
    return new Multiplier((int) qf, exp);
  }

  /** TFLite's {@code QuantizeMultiplierGreaterThanOne}; the shift must come out non-negative. */
  public static Multiplier quantizeGreaterThanOne(double real) {
    Multiplier m = quantize(real);
    if (m.shift < 0) {
      throw new IllegalArgumentException("multiplier below one: " + real);
    }
    return m;
  }

  /** C's round(): half away from zero, exact for every double. */
  static double roundHalfAwayFromZero(double x) {
    double a = Math.abs(x);
    double f = Math.floor(a);
    if (a - f >= 0.5) {
      f += 1.0;
    }
    return Math.copySign(f, x);
  }
}
