/*
 * mcutrain runtime — the project's own float math for training (design.md §3).
 *
 * mt_expf and mt_logf are the C twins of the Java reference dev.mcutrain.train.math.FloatMath and
 * must stay equal to it bit for bit on every input: same constants (exact hex float literals), same
 * operations in the same order. They use only binary32 arithmetic and integer bit manipulation —
 * no double, no libm — so with -ffp-contract=off (no fused multiply-add) and without -ffast-math
 * they give the same bits on x86_64 SSE and on Cortex-M7 FPv5-SP. (The FPU must run in IEEE mode:
 * flush-to-zero off, which is the reset default; exp returns subnormals by gradual underflow.)
 * Change one side only together with the other; MtMathCTest compares them.
 *
 * Measured accuracy (FloatMathAccuracyTest): <= 1 ulp for exp over [-87, 88] and for log over all
 * positive finite floats.
 */
#ifndef MT_MATH_H
#define MT_MATH_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ln 2 split for Cody–Waite reduction: MT_LN2_HI has 15 significant bits, so k * MT_LN2_HI is exact
 * for |k| < 512; MT_LN2_LO = ln 2 - MT_LN2_HI rounded to float. */
#define MT_LN2_HI 0x1.62e4p-1f        /* 0.693145751953125 */
#define MT_LN2_LO 0x1.7f7d1cp-20f     /* 1.4286068e-06 */
#define MT_LOG2E 0x1.715476p+0f       /* 1 / ln 2 */
/* 1.5 * 2^23: adding it rounds a float of magnitude < 2^22 to an integer (ties to even). */
#define MT_EXP_SHIFTER 0x1.8p23f
#define MT_EXP_SHIFTER_BITS 0x4b400000
/* Above this exp overflows to +inf (the largest float whose exp is below FLT_MAX, 88.72283). */
#define MT_EXP_OVERFLOW 0x1.62e42ep6f
/* Below this exp is +0 (exp(-104) < 2^-150, half the smallest subnormal). */
#define MT_EXP_UNDERFLOW (-104.0f)
/* exp(r) = 1 + r + r^2 * (E2 + r*(E3 + r*(E4 + r*(E5 + r*E6)))) on |r| <= ln2/2 (minimax fitted
 * for this project, relative error 3.1e-9 before rounding). */
#define MT_EXP_E2 0x1.fffffcp-2f
#define MT_EXP_E3 0x1.55549p-3f
#define MT_EXP_E4 0x1.5558f6p-5f
#define MT_EXP_E5 0x1.123a78p-7f
#define MT_EXP_E6 0x1.6a234p-10f
/* log(1+f) = f - (hfsq - s*(hfsq + R)), s = f/(2+f), z = s^2, R = z*(L1 + z*(L2 + z*L3)): minimax
 * for (2 atanh(s) - 2s)/s on |s| <= 3 - 2 sqrt 2 (relative error 8.1e-10 before rounding). */
#define MT_LOG_L1 0x1.55557ap-1f
#define MT_LOG_L2 0x1.995e7cp-2f
#define MT_LOG_L3 0x1.31ea08p-2f
/* Bits of the largest float below sqrt(2); mantissas above it are halved. */
#define MT_LOG_SQRT2_BITS 0x3fb504f3
/* The NaN every NaN input and log of a negative number give: quiet NaN with bits 0x7fc00000. */
#define MT_NAN_BITS 0x7fc00000u

typedef union {
  float f;
  uint32_t u;
} mt_f32_bits;

static inline float mt_f32_from_bits(uint32_t u) {
  mt_f32_bits b;
  b.u = u;
  return b.f;
}

static inline uint32_t mt_f32_to_bits(float f) {
  mt_f32_bits b;
  b.f = f;
  return b.u;
}

/* 2^n as a float for -126 <= n <= 127, from the exponent bits. */
static inline float mt_pow2f(int32_t n) {
  return mt_f32_from_bits((uint32_t)(n + 127) << 23);
}

/*
 * e^x in binary32, identical to FloatMath.exp:
 *   1. NaN -> NaN (0x7fc00000); x > 88.72283 (0x1.62e42ep6) -> +inf; x < -104 -> +0.
 *   2. t = x*LOG2E + SHIFTER; k = bits(t) - bits(SHIFTER); kf = t - SHIFTER (= k exactly).
 *   3. r = (x - kf*LN2_HI) - kf*LN2_LO.
 *   4. p = 1 + (r + (r*r) * (E2 + r*(E3 + r*(E4 + r*(E5 + r*E6))))).
 *   5. p * 2^k from exponent bits; k > 127: (p * 2^127) * 2^(k-127); k < -126: (p * 2^(k+64)) * 2^-64
 *      (one rounding into the subnormal range; no flush to zero).
 */
static inline float mt_expf(float x) {
  float t, kf, r, r2, poly, p;
  int32_t k;
  if (x != x) {
    return mt_f32_from_bits(MT_NAN_BITS);
  }
  if (x > MT_EXP_OVERFLOW) {
    return mt_f32_from_bits(0x7f800000u);
  }
  if (x < MT_EXP_UNDERFLOW) {
    return 0.0f;
  }
  t = x * MT_LOG2E + MT_EXP_SHIFTER;
  k = (int32_t)mt_f32_to_bits(t) - MT_EXP_SHIFTER_BITS;
  kf = t - MT_EXP_SHIFTER;
  r = (x - kf * MT_LN2_HI) - kf * MT_LN2_LO;
  r2 = r * r;
  poly = MT_EXP_E2 + r * (MT_EXP_E3 + r * (MT_EXP_E4 + r * (MT_EXP_E5 + r * MT_EXP_E6)));
  p = 1.0f + (r + r2 * poly);
  if (k > 127) {
    return (p * mt_pow2f(127)) * mt_pow2f(k - 127);
  }
  if (k < -126) {
    return (p * mt_pow2f(k + 64)) * mt_pow2f(-64);
  }
  return p * mt_pow2f(k);
}

/*
 * Natural logarithm in binary32, identical to FloatMath.log:
 *   1. NaN or x < 0 -> NaN (0x7fc00000); +-0 -> -inf; +inf -> +inf.
 *   2. Subnormal x is first multiplied by 2^23 (exact) and e starts at -23.
 *   3. x = m * 2^e with m in [1, 2) from the bits; if bits(m) > 0x3fb504f3 (m > sqrt 2), m is halved
 *      and e incremented, so m is in (sqrt(1/2), sqrt(2)].
 *   4. f = m - 1 (exact); s = f / (2 + f); z = s*s; R = z*(L1 + z*(L2 + z*L3)); hfsq = (0.5*f)*f.
 *   5. result = e*LN2_HI - ((hfsq - (s*(hfsq + R) + e*LN2_LO)) - f), e converted to float.
 */
static inline float mt_logf(float x) {
  uint32_t ix;
  uint32_t mbits;
  int32_t e = 0;
  float f, s, z, rz, hfsq, ef;
  if (x != x) {
    return mt_f32_from_bits(MT_NAN_BITS);
  }
  ix = mt_f32_to_bits(x);
  if ((ix & 0x7fffffffu) == 0u) {
    return mt_f32_from_bits(0xff800000u);
  }
  if ((ix & 0x80000000u) != 0u) {
    return mt_f32_from_bits(MT_NAN_BITS);
  }
  if (ix == 0x7f800000u) {
    return x;
  }
  if (ix < 0x00800000u) {
    ix = mt_f32_to_bits(x * 0x1p23f);
    e = -23;
  }
  e += (int32_t)(ix >> 23) - 127;
  mbits = (ix & 0x007fffffu) | 0x3f800000u;
  if (mbits > (uint32_t)MT_LOG_SQRT2_BITS) {
    mbits -= 0x00800000u;
    e += 1;
  }
  f = mt_f32_from_bits(mbits) - 1.0f;
  s = f / (2.0f + f);
  z = s * s;
  rz = z * (MT_LOG_L1 + z * (MT_LOG_L2 + z * MT_LOG_L3));
  hfsq = (0.5f * f) * f;
  ef = (float)e;
  return ef * MT_LN2_HI - ((hfsq - (s * (hfsq + rz) + ef * MT_LN2_LO)) - f);
}

/*
 * Softmax cross-entropy, forward and backward, on fp32 logits: the loss of one example with class
 * `label`, -log(softmax(logits)[label]), and its gradient with respect to the logits,
 * softmax(logits) - onehot(label), written to grad[0..n-1]. Twin of the Java reference
 * dev.mcutrain.train.math.SoftmaxCrossEntropy.lossAndGrad, bit for bit.
 *
 * Fixed operation order (every kernel built on it must follow it):
 *   1. m = logits[0]; for i = 1..n-1 in order: if (logits[i] > m) m = logits[i].
 *   2. d = logits[label] - m (read before grad is written, so grad may alias logits).
 *   3. for i = 0..n-1 in order: e_i = mt_expf(logits[i] - m); grad[i] = e_i; sum = sum + e_i
 *      (sum starts at 0.0f, accumulated left to right).
 *   4. loss = mt_logf(sum) - d.
 *   5. inv = 1.0f / sum, computed once; for i = 0..n-1: grad[i] = grad[i] * inv.
 *   6. grad[label] = grad[label] - 1.0f.
 *
 * Bad arguments (logits or grad NULL, n < 1, label outside [0, n)) return -1.0f (a loss is never
 * negative) and leave grad untouched. grad may be the same array as logits.
 */
float mt_softmax_xent_f32(const float *logits, int32_t n, int32_t label, float *grad);

#ifdef __cplusplus
}
#endif

#endif /* MT_MATH_H */
