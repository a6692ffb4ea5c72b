package dev.mcutrain.train.math;

/**
 * The project's own single-precision {@code exp} and {@code log} (design.md §3): the Java twin of
 * runtime-c's {@code mt_expf}/{@code mt_logf} in {@code runtime-c/include/mt_math.h}, equal bit for
 * bit on every input.
 *
 * <p>Both functions use only {@code float} operations (IEEE binary32, round to nearest even),
 * integer bit manipulation and the same constants, in the same order, as the C code: no {@code
 * double} and no {@link Math} call. Any change here must be made in mt_math.h too (and the other
 * way round); {@code MtMathCTest} compares the two on millions of inputs.
 *
 * <p>Measured accuracy (see {@code FloatMathAccuracyTest}): at most 1 ulp against the exactly
 * rounded result for exp over [-87, 88] and for log over all positive finite floats.
 */
public final class FloatMath {
  private FloatMath() {}

  /** The result for every NaN input and for log of a negative number: the quiet NaN 0x7fc00000. */
  public static final float NAN = Float.intBitsToFloat(0x7fc00000);

  /** ln 2 split for Cody–Waite reduction: LN2_HI has 15 significant bits, so k * LN2_HI is exact
   * for |k| < 512; LN2_LO = ln 2 - LN2_HI rounded to float. */
  static final float LN2_HI = 0x1.62e4p-1f; // 0.693145751953125
  static final float LN2_LO = 0x1.7f7d1cp-20f; // 1.4286068e-06
  static final float LOG2E = 0x1.715476p+0f; // 1 / ln 2
  /** 1.5 * 2^23: adding it rounds a float of magnitude < 2^22 to an integer (ties to even). */
  static final float SHIFTER = 0x1.8p23f;
  static final int SHIFTER_BITS = 0x4b400000;

  /** Above this exp overflows to +inf (the largest float whose exp is below FLT_MAX). */
  static final float EXP_OVERFLOW = 0x1.62e42ep6f; // 88.72283
  /** Below this exp is 0 (exp(-104) < 2^-150, half the smallest subnormal). */
  static final float EXP_UNDERFLOW = -104.0f;

  /** exp(r) = 1 + r + r^2 * (E2 + r*(E3 + r*(E4 + r*(E5 + r*E6)))), |r| <= ln2/2; minimax
   * (relative error 3.1e-9 before rounding) fitted for this project. */
  static final float E2 = 0x1.fffffcp-2f;
  static final float E3 = 0x1.55549p-3f;
  static final float E4 = 0x1.5558f6p-5f;
  static final float E5 = 0x1.123a78p-7f;
  static final float E6 = 0x1.6a234p-10f;

  /** log(1+f) = f - (hfsq - s*(hfsq + R)), s = f/(2+f), z = s^2, R = z*(L1 + z*(L2 + z*L3)):
   * minimax for (2 atanh(s) - 2s)/s on |s| <= 3 - 2 sqrt 2 (relative error 8.1e-10). */
  static final float L1 = 0x1.55557ap-1f;
  static final float L2 = 0x1.995e7cp-2f;
  static final float L3 = 0x1.31ea08p-2f;

  /** Bits of the largest float below sqrt(2) (1.4142135); mantissas above it are halved. */
  static final int SQRT2_BITS = 0x3fb504f3;

  /**
   * e^x in binary32.
   *
   * <ol>
   *   <li>NaN gives {@link #NAN}; x &gt; 88.72283 (0x1.62e42ep6) gives +inf; x &lt; -104 gives +0.
   *   <li>t = x*LOG2E + SHIFTER; k = bits(t) - bits(SHIFTER); kf = t - SHIFTER (= k exactly).
   *   <li>r = (x - kf*LN2_HI) - kf*LN2_LO.
   *   <li>p = 1 + (r + (r*r) * (E2 + r*(E3 + r*(E4 + r*(E5 + r*E6))))).
   *   <li>result = p * 2^k, with 2^k built from exponent bits; for k &gt; 127: (p * 2^127) * 2^(k-127);
   *       for k &lt; -126: (p * 2^(k+64)) * 2^-64, which rounds once into the subnormal range
   *       (gradual underflow, no flush to zero).
   * </ol>
   */
  public static float exp(float x) {
    if (x != x) {
      return NAN;
    }
    if (x > EXP_OVERFLOW) {
      return Float.POSITIVE_INFINITY;
    }
    if (x < EXP_UNDERFLOW) {
      return 0.0f;
    }
    float t = x * LOG2E + SHIFTER;
    int k = Float.floatToRawIntBits(t) - SHIFTER_BITS;
    float kf = t - SHIFTER;
    float r = (x - kf * LN2_HI) - kf * LN2_LO;
    float r2 = r * r;
    float poly = E2 + r * (E3 + r * (E4 + r * (E5 + r * E6)));
    float p = 1.0f + (r + r2 * poly);
    if (k > 127) {
      return (p * pow2(127)) * pow2(k - 127);
    }
    if (k < -126) {
      return (p * pow2(k + 64)) * pow2(-64);
    }
    return p * pow2(k);
  }

  /**
   * Natural logarithm in binary32.
   *
   * <ol>
   *   <li>NaN or x &lt; 0 gives {@link #NAN}; ±0 gives -inf; +inf gives +inf.
   *   <li>Subnormal x is first multiplied by 2^23 (exact) and e starts at -23.
   *   <li>x = m * 2^e with m in [1, 2) from the bits; if bits(m) &gt; 0x3fb504f3 (m &gt; sqrt 2), m
   *       is halved and e incremented, so m is in (sqrt(1/2), sqrt(2)].
   *   <li>f = m - 1 (exact); s = f / (2 + f); z = s*s; R = z*(L1 + z*(L2 + z*L3)); hfsq = 0.5*f*f
   *       (as (0.5*f)*f).
   *   <li>result = e*LN2_HI - ((hfsq - (s*(hfsq + R) + e*LN2_LO)) - f), e converted to float.
   * </ol>
   */
  public static float log(float x) {
    if (x != x) {
      return NAN;
    }
    int ix = Float.floatToRawIntBits(x);
    if ((ix & 0x7fffffff) == 0) {
      return Float.NEGATIVE_INFINITY;
    }
    if (ix < 0) {
      return NAN;
    }
    if (ix == 0x7f800000) {
      return Float.POSITIVE_INFINITY;
    }
    int e = 0;
    if (ix < 0x00800000) {
      ix = Float.floatToRawIntBits(x * 0x1p23f);
      e = -23;
    }
    e += (ix >> 23) - 127;
    int mbits = (ix & 0x007fffff) | 0x3f800000;
    if (mbits > SQRT2_BITS) {
      mbits -= 0x00800000;
      e += 1;
    }
    float f = Float.intBitsToFloat(mbits) - 1.0f;
    float s = f / (2.0f + f);
    float z = s * s;
    float rz = z * (L1 + z * (L2 + z * L3));
    float hfsq = (0.5f * f) * f;
    float ef = (float) e;
    return ef * LN2_HI - ((hfsq - (s * (hfsq + rz) + ef * LN2_LO)) - f);
  }

  /** 2^n as a float for -126 <= n <= 127, from the exponent bits. */
  private static float pow2(int n) {
    return Float.intBitsToFloat((n + 127) << 23);
  }
}
