/*
 * mcutrain runtime — shared integer arithmetic (static inline).
 *
 * These are the requantization primitives of TensorFlow Lite (double-rounding variant) and the
 * gemmlowp fixed-point exp/reciprocal used by int8 SOFTMAX, written so that:
 *   - every int32 addition/subtraction that gemmlowp lets wrap is done in uint32 (no signed overflow UB),
 *   - every left shift of a possibly negative value is done in uint32,
 *   - no 64-bit division is used (no __aeabi_ldivmod on Cortex-M): the truncating divisions by
 *     powers of two are written as shifts with a sign fix-up.
 * Right shifts of negative signed values are arithmetic (true for clang and gcc on every target
 * this project supports; C99 leaves it implementation-defined).
 *
 * Reference formulas: /work/shared/docs/int8-arithmetic.md and design.md §3.
 */
#ifndef MT_SUPPORT_H
#define MT_SUPPORT_H

#include <stdint.h>
#include <stddef.h>
#include "mt_types.h"

/* Wrapping int32 addition (two's complement, as gemmlowp's raw int32 Add). */
static inline int32_t mt_add_wrap(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a + (uint32_t)b);
}

/* Wrapping int32 subtraction. */
static inline int32_t mt_sub_wrap(int32_t a, int32_t b) {
  return (int32_t)((uint32_t)a - (uint32_t)b);
}

/* Left shift of a signed value without UB: bits shifted out are lost (wraps). 0 <= n <= 31. */
static inline int32_t mt_shl_wrap(int32_t x, int32_t n) {
  return (int32_t)((uint32_t)x << n);
}

/* Clamp an int32 to [lo, hi]. */
static inline int32_t mt_clamp_s32(int32_t x, int32_t lo, int32_t hi) {
  if (x < lo) {
    return lo;
  }
  if (x > hi) {
    return hi;
  }
  return x;
}

/* Clamp an int32 to [lo, hi] and narrow it to int8 (lo/hi must be within [-128, 127]). */
static inline int8_t mt_clamp_s8(int32_t x, int32_t lo, int32_t hi) {
  return (int8_t)mt_clamp_s32(x, lo, hi);
}

/* Number of leading zero bits of a 32-bit value; 32 for 0. */
/*
 * Dot product of two int8 vectors of length n in int32 (the caller keeps it from overflowing).
 * With the Armv7E-M DSP extension and word-aligned vectors, four products per step: SXTB16 splits
 * each word into two pairs of sign-extended 16-bit lanes and SMLAD adds both lane products to the
 * accumulator — the same integer result as the scalar loop.
 */
static inline int32_t mt_dot_s8(const int8_t *a, const int8_t *b, int32_t n) {
  int32_t acc = 0;
  int32_t i = 0;
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
  if (((((uintptr_t)a) | ((uintptr_t)b)) & 3u) == 0u) {
    for (; i + 4 <= n; i += 4) {
      uint32_t x;
      uint32_t y;
      __builtin_memcpy(&x, __builtin_assume_aligned(a + i, 4), 4);
      __builtin_memcpy(&y, __builtin_assume_aligned(b + i, 4), 4);
      acc = (int32_t)__builtin_arm_smlad(__builtin_arm_sxtb16(x), __builtin_arm_sxtb16(y),
                                         acc);
      acc = (int32_t)__builtin_arm_smlad(__builtin_arm_sxtb16((x >> 8) | (x << 24)),
                                         __builtin_arm_sxtb16((y >> 8) | (y << 24)), acc);
    }
  }
#endif
  for (; i < n; i++) {
    acc += (int32_t)a[i] * (int32_t)b[i];
  }
  return acc;
}

static inline int32_t mt_clz32(uint32_t x) {
  if (x == 0u) {
    return 32;
  }
  return (int32_t)__builtin_clz(x);
}

/*
 * Truncating division of a 64-bit value by 2^31 (rounds toward zero, like C's '/'),
 * written as an arithmetic shift so no 64-bit division helper is needed.
 */
static inline int64_t mt_div_pot31_trunc_s64(int64_t v) {
  if (v < 0) {
    v += (((int64_t)1) << 31) - 1;
  }
  return v >> 31;
}

/*
 * SaturatingRoundingDoublingHighMul (gemmlowp): round(a * b / 2^31) with the rounding nudge
 * gemmlowp uses, saturating the single overflow case a == b == INT32_MIN to INT32_MAX.
 */
static inline int32_t mt_srdhm(int32_t a, int32_t b) {
  int64_t ab;
  int64_t nudge;
  if (a == INT32_MIN && b == INT32_MIN) {
    return INT32_MAX;
  }
  ab = (int64_t)a * (int64_t)b;
  nudge = (ab >= 0) ? (((int64_t)1) << 30) : (1 - (((int64_t)1) << 30));
  return (int32_t)mt_div_pot31_trunc_s64(ab + nudge);
}

/*
 * RoundingDivideByPOT (gemmlowp): x / 2^exponent rounded to nearest, ties away from zero.
 * exponent must be in [0, 31]; larger exponents (undefined in gemmlowp) give the mathematically
 * rounded quotient, which is 0 except for INT32_MIN / 2^32 = -0.5 -> -1.
 */
static inline int32_t mt_rdbpot(int32_t x, int32_t exponent) {
  int32_t mask;
  int32_t remainder;
  int32_t threshold;
  if (exponent <= 0) {
    return x;
  }
  if (exponent >= 32) {
    return (x == INT32_MIN && exponent == 32) ? -1 : 0;
  }
  mask = (int32_t)((((uint32_t)1) << exponent) - 1u);
  remainder = x & mask;
  threshold = (mask >> 1) + ((x < 0) ? 1 : 0);
  return (x >> exponent) + ((remainder > threshold) ? 1 : 0);
}

/*
 * MultiplyByQuantizedMultiplier (TFLite, double rounding): x * multiplier * 2^shift / 2^31.
 * shift > 0 is a left shift applied before the multiply, shift < 0 a rounding right shift after.
 */
static inline int32_t mt_mbqm(int32_t x, int32_t multiplier, int32_t shift) {
  int32_t left = (shift > 0) ? shift : 0;
  int32_t right = (shift > 0) ? 0 : -shift;
  return mt_rdbpot(mt_srdhm(mt_shl_wrap(x, left), multiplier), right);
}

/*
 * mt_mbqm with its multiplier and shift prepared once, for inputs of bounded magnitude (kernels
 * requantize many accumulators per output channel): the same result in four instructions on
 * Armv7E-M (LSL, ADD, SMMLAR, ASR). Applies to shift <= -1 (right = -shift in [1, 31]) and
 * multiplier >= 0 (QuantizeMultiplier gives 0 or [2^30, 2^31)), for |x| < 2^30:
 *
 *   - a = 2x fits an int32 exactly;
 *   - gemmlowp's SRDHM(x, m) nudges both signs so that it equals floor((x*m + 2^30) / 2^31)
 *     (for any m when x != INT32_MIN), which is t = floor((a*m + 2^31) / 2^32): the high word
 *     of a rounded 64-bit product (SMMULR; clang emits it for this form);
 *   - |t| < 2^30, so RoundingDivideByPOT(t, right), i.e. round half away from zero, is
 *     (t + 2^(right-1) - (t < 0)) >> right with no overflow;
 *   - with m >= 0, t has the sign of x or is 0, and for t == 0 subtracting 1 changes nothing
 *     ((2^(right-1) - 1) >> right == 0), so (x < 0) can stand in for (t < 0): the correction
 *     then joins the rounding constant and SMMLAR adds both to the high word.
 * Other shifts and multipliers are left to mt_mbqm.
 */
typedef struct {
  int32_t multiplier;
  int32_t round; /* 2^(right-1) */
  int32_t right; /* -shift, in [1, 31] */
} mt_requant;

/*
 * Prepares *r for mt_requant_apply. Returns 1 if mt_requant_apply(r, x) equals
 * mt_mbqm(x, multiplier, shift) for every x with |x| <= max_abs, else 0 (r is then unusable).
 */
static inline int32_t mt_requant_prepare(mt_requant *r, int32_t multiplier, int32_t shift,
                                         uint32_t max_abs) {
  const int32_t ok =
      (multiplier >= 0 && shift <= -1 && shift >= -31 && max_abs < (((uint32_t)1) << 30)) ? 1
                                                                                            : 0;
  r->multiplier = multiplier;
  r->right = ok ? -shift : 1;
  r->round = (int32_t)(((uint32_t)1) << (r->right - 1));
  return ok;
}

/* mt_mbqm(x, multiplier, shift) for an x within the bound given to mt_requant_prepare. */
static inline int32_t mt_requant_apply(const mt_requant *r, int32_t x) {
  const int32_t a = (int32_t)((uint32_t)x << 1);
  const int32_t c = r->round + (x >> 31); /* x >> 31 is -1 for x < 0, else 0 */
  return (int32_t)((((int64_t)c << 32) + (int64_t)a * (int64_t)r->multiplier +
                    (((int64_t)1) << 31)) >> 32) >> r->right;
}

/*
 * gemmlowp SaturatingRoundingMultiplyByPOT for a positive exponent: x * 2^exponent, saturated
 * to the int32 range. exponent in [1, 31].
 */
static inline int32_t mt_sat_left_shift(int32_t x, int32_t exponent) {
  int32_t threshold = (int32_t)((((uint32_t)1) << (31 - exponent)) - 1u);
  if (x > threshold) {
    return INT32_MAX;
  }
  if (x < -threshold) {
    return INT32_MIN;
  }
  return mt_shl_wrap(x, exponent);
}

/* gemmlowp exp_on_interval_between_negative_one_quarter_and_0_excl: Q0.31 in, Q0.31 out. */
static inline int32_t mt_exp_on_interval_between_negative_one_quarter_and_0_excl(int32_t a) {
  const int32_t constant_term = 1895147668;       /* exp(-1/8) in Q0.31 */
  const int32_t constant_1_over_3 = 715827883;    /* 1/3 in Q0.31 */
  int32_t x = mt_add_wrap(a, (int32_t)1 << 28);   /* a + 1/8 */
  int32_t x2 = mt_srdhm(x, x);
  int32_t x3 = mt_srdhm(x2, x);
  int32_t x4 = mt_srdhm(x2, x2);
  int32_t x4_over_4 = mt_rdbpot(x4, 2);
  int32_t poly = mt_rdbpot(
      mt_add_wrap(mt_srdhm(mt_add_wrap(x4_over_4, x3), constant_1_over_3), x2), 1);
  return mt_add_wrap(constant_term, mt_srdhm(constant_term, mt_add_wrap(x, poly)));
}

/*
 * gemmlowp exp_on_negative_values for a Q5.26 input a <= 0; result in Q0.31.
 * exp(a) = exp(a mod 1/4 - 1/4) * product of exp(-2^k) for the set bits of the remainder.
 */
static inline int32_t mt_exp_on_negative_values(int32_t a) {
  static const int32_t barrel_multiplier[7] = {
    1672461947, /* exp(-1/4) */
    1302514674, /* exp(-1/2) */
    790015084,  /* exp(-1)   */
    290630308,  /* exp(-2)   */
    39332535,   /* exp(-4)   */
    720401,     /* exp(-8)   */
    242         /* exp(-16)  */
  };
  const int32_t fractional_bits = 26;
  const int32_t one_quarter = (int32_t)1 << (fractional_bits - 2);
  const int32_t mask = one_quarter - 1;
  int32_t a_mod_quarter_minus_one_quarter = mt_sub_wrap(a & mask, one_quarter);
  int32_t result = mt_exp_on_interval_between_negative_one_quarter_and_0_excl(
      mt_sat_left_shift(a_mod_quarter_minus_one_quarter, 5));
  int32_t remainder = mt_sub_wrap(a_mod_quarter_minus_one_quarter, a);
  int32_t i;
  for (i = 0; i < 7; i++) {
    int32_t exponent = i - 2;
    uint32_t bit = ((uint32_t)1) << (fractional_bits + exponent);
    if (((uint32_t)remainder & bit) != 0u) {
      result = mt_srdhm(result, barrel_multiplier[i]);
    }
  }
  if (a == 0) {
    result = INT32_MAX;
  }
  return result;
}

/*
 * gemmlowp one_over_one_plus_x_for_x_in_0_1: 1 / (1 + a) for a Q0.31 a in [0, 1); the result is
 * Q0.31 (the value lies in (1/2, 1]). Newton-Raphson, 3 iterations, as gemmlowp.
 */
static inline int32_t mt_one_over_one_plus_x_for_x_in_0_1(int32_t a) {
  const int32_t constant_48_over_17 = 1515870810;
  const int32_t constant_neg_32_over_17 = -1010580540;
  const int32_t one_q2 = (int32_t)1 << 29;
  int64_t sum = (int64_t)a + (int64_t)INT32_MAX;
  int64_t sum_rounded = sum + ((sum >= 0) ? 1 : -1);
  /* truncating division by 2 without a 64-bit divide */
  int32_t half_denominator = (int32_t)((sum_rounded + ((sum_rounded < 0) ? 1 : 0)) >> 1);
  int32_t x = mt_add_wrap(constant_48_over_17,
                          mt_srdhm(half_denominator, constant_neg_32_over_17));
  int32_t i;
  for (i = 0; i < 3; i++) {
    int32_t half_denominator_times_x = mt_srdhm(half_denominator, x);
    int32_t one_minus = mt_sub_wrap(one_q2, half_denominator_times_x);
    x = mt_add_wrap(x, mt_sat_left_shift(mt_srdhm(x, one_minus), 2));
  }
  return mt_sat_left_shift(x, 1);
}

/*
 * TFLite GetReciprocal: for x > 0 in Q(x_integer_digits).(31 - x_integer_digits), returns the Q0.31
 * mantissa of 1/x and writes the power of two it must still be divided by to *num_bits_over_unit.
 */
static inline int32_t mt_get_reciprocal(int32_t x, int32_t x_integer_digits,
                                        int32_t *num_bits_over_unit) {
  int32_t headroom_plus_one = mt_clz32((uint32_t)x);
  uint32_t shifted;
  int32_t shifted_sum_minus_one;
  *num_bits_over_unit = x_integer_digits - headroom_plus_one;
  shifted = (headroom_plus_one >= 32) ? 0u : ((uint32_t)x << headroom_plus_one);
  shifted_sum_minus_one = (int32_t)(shifted - (((uint32_t)1) << 31));
  return mt_one_over_one_plus_x_for_x_in_0_1(shifted_sum_minus_one);
}

/*
 * Number of elements of an NHWC shape, or -1 if a dimension is < 1 or the count does not fit
 * an int32.
 */
static inline int32_t mt_dims_count(const mt_dims *d) {
  int32_t count = 1;
  int32_t dims[4];
  int32_t i;
  if (d == NULL) {
    return -1;
  }
  dims[0] = d->n;
  dims[1] = d->h;
  dims[2] = d->w;
  dims[3] = d->c;
  for (i = 0; i < 4; i++) {
    if (dims[i] < 1 || count > INT32_MAX / dims[i]) {
      return -1;
    }
    count *= dims[i];
  }
  return count;
}

/* 1 if [act_min, act_max] is a non-empty sub-range of the int8 range, else 0. */
static inline int32_t mt_act_range_valid(int32_t act_min, int32_t act_max) {
  return (act_min >= -128 && act_max <= 127 && act_min <= act_max) ? 1 : 0;
}

/* 1 if a requantization shift is in [-31, 31] (QuantizeMultiplier never produces less than -31). */
static inline int32_t mt_shift_valid(int32_t shift) {
  return (shift >= -31 && shift <= 31) ? 1 : 0;
}

/*
 * 1 if the requantization parameters are usable for `channels` output channels, else 0:
 * non-null arrays, and every shift in [-31, 31] (QuantizeMultiplier produces shifts >= -31).
 */
static inline int32_t mt_quant_valid(const mt_quant_params *quant, int32_t channels) {
  int32_t count;
  int32_t i;
  if (quant == NULL || quant->multiplier == NULL || quant->shift == NULL || channels < 1) {
    return 0;
  }
  count = (quant->per_channel != 0) ? channels : 1;
  for (i = 0; i < count; i++) {
    if (!mt_shift_valid(quant->shift[i])) {
      return 0;
    }
  }
  return 1;
}

/* The multiplier of output channel `channel` (the single one when per_channel is 0). */
static inline int32_t mt_quant_multiplier(const mt_quant_params *quant, int32_t channel) {
  return quant->multiplier[(quant->per_channel != 0) ? channel : 0];
}

/* The shift of output channel `channel` (the single one when per_channel is 0). */
static inline int32_t mt_quant_shift(const mt_quant_params *quant, int32_t channel) {
  return quant->shift[(quant->per_channel != 0) ? channel : 0];
}

#endif /* MT_SUPPORT_H */
