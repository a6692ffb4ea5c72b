/*
 * mcutrain runtime — inline bodies of the PRNG step and of the int8 update (mt_train.h), for the
 * kernels that update many weights in a loop (src/backward, src/accumulate): the exported
 * functions mt_prng_next_u32, mt_prng_next_float and mt_update_s8 are these very functions
 * (src/support/mt_prng.c, src/update/mt_update.c), so both give the same bits and draw the same
 * PRNG values. Semantics and Java twins: mt_train.h. Not part of the public API.
 *
 * No libm: rounding is done by a truncating float->int conversion (exact for |v| < 2^23) and a
 * correction computed with exact float operations. Values are range-checked in float before any
 * conversion, so huge, infinite and NaN deltas never reach an undefined conversion.
 */
#ifndef MT_TRAIN_INLINE_H
#define MT_TRAIN_INLINE_H

#include <stdint.h>
#include <stddef.h>
#include "mt_train.h"

/* PCG32's multiplier (mt_train.h). */
#define MT_PCG_MULT 6364136223846793005ull

/* mt_prng_next_u32: one PCG32 step, XSH-RR output of the old state. */
static inline uint32_t mt_prng_next_u32_inline(mt_prng *rng) {
  uint64_t old = rng->state;
  uint32_t xorshifted;
  uint32_t rot;
  rng->state = old * MT_PCG_MULT + rng->inc;
  xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
  rot = (uint32_t)(old >> 59);
  return (xorshifted >> rot) | (xorshifted << ((0u - rot) & 31u));
}

/* mt_prng_next_float: 24 random bits converted exactly, scaled by 2^-24 (exact), in [0, 1). */
static inline float mt_prng_next_float_inline(mt_prng *rng) {
  return (float)(mt_prng_next_u32_inline(rng) >> 8) * 0x1p-24f;
}

/*
 * R(s) for a finite s with |s| < 2^23. For STOCHASTIC, s already includes u and this is floor(s).
 * i = trunc(s) is exact; fi = (float)i is exact; s - fi and fi - s are exact (Sterbenz, or fi = 0).
 */
static inline int32_t mt_round_small(float s, mt_rounding mode) {
  int32_t i = (int32_t)s;
  float fi = (float)i;
  if (mode == MT_ROUND_STOCHASTIC) {
    return fi > s ? i - 1 : i;
  }
  if (mode == MT_ROUND_NEAREST) {
    if (s >= 0.0f) {
      return (s - fi >= 0.5f) ? i + 1 : i;
    }
    return (fi - s >= 0.5f) ? i - 1 : i;
  }
  return i;
}

/* delta, plus one PRNG draw in STOCHASTIC mode (the only draw of an update call). */
static inline float mt_with_dither(float delta, mt_rounding mode, mt_prng *rng) {
  if (mode == MT_ROUND_STOCHASTIC) {
    return delta + mt_prng_next_float_inline(rng);
  }
  return delta;
}

/* mt_update_s8 (see mt_train.h). */
static inline int8_t mt_update_s8_inline(int8_t w, float delta, mt_rounding mode,
                                         mt_prng *rng) {
  float s = mt_with_dither(delta, mode, rng);
  int32_t sum;
  /* |R| >= 255 saturates from any int8 start; clamping here keeps the conversion in range. */
  if (!(s >= -256.0f && s <= 256.0f)) {
    if (s != s) {
      return w; /* NaN: no change */
    }
    s = s > 0.0f ? 256.0f : -256.0f;
  }
  sum = (int32_t)w + mt_round_small(s, mode);
  if (sum > 127) {
    sum = 127;
  } else if (sum < -127) {
    sum = -127;
  }
  return (int8_t)sum;
}

#endif /* MT_TRAIN_INLINE_H */
