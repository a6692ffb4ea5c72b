/*
 * mcutrain runtime — the parameter update step: rounding of a float update into the integer
 * domain with saturation (int8 weights, int32 biases) and plain SGD for fp32 tensors. Semantics in
 * mt_train.h; Java twin: dev.mcutrain.train.update.Update.
 *
 * No libm: rounding is done by a truncating float->int conversion (exact for |v| < 2^23) and a
 * correction computed with exact float operations. Values are range-checked in float before any
 * conversion, so huge, infinite and NaN deltas never reach an undefined conversion.
 */
#include <stdint.h>
#include <stddef.h>
#include "mt_train.h"

/* 2^23: every float of at least this magnitude is an integer. */
#define MT_TWO_23 8388608.0f
/* 2^32 */
#define MT_TWO_32 4294967296.0f

/*
 * R(s) for a finite s with |s| < 2^23. For STOCHASTIC, s already includes u and this is floor(s).
 * i = trunc(s) is exact; fi = (float)i is exact; s - fi and fi - s are exact (Sterbenz, or fi = 0).
 */
static int32_t round_small(float s, mt_rounding mode) {
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
static float with_dither(float delta, mt_rounding mode, mt_prng *rng) {
  if (mode == MT_ROUND_STOCHASTIC) {
    return delta + mt_prng_next_float(rng);
  }
  return delta;
}

int8_t mt_update_s8(int8_t w, float delta, mt_rounding mode, mt_prng *rng) {
  float s = with_dither(delta, mode, rng);
  int32_t sum;
  if (s != s) {
    return w; /* NaN: no change */
  }
  /* |R| >= 255 saturates from any int8 start; clamping here keeps the conversion in range. */
  if (s > 256.0f) {
    s = 256.0f;
  } else if (s < -256.0f) {
    s = -256.0f;
  }
  sum = (int32_t)w + round_small(s, mode);
  if (sum > 127) {
    sum = 127;
  } else if (sum < -127) {
    sum = -127;
  }
  return (int8_t)sum;
}

int32_t mt_update_s32(int32_t b, float delta, mt_rounding mode, mt_prng *rng) {
  float s = with_dither(delta, mode, rng);
  int64_t d;
  int64_t sum;
  if (s != s) {
    return b; /* NaN: no change */
  }
  if (s < MT_TWO_23 && s > -MT_TWO_23) {
    d = (int64_t)round_small(s, mode);
  } else if (s >= MT_TWO_32) {
    return INT32_MAX; /* b + 2^32 > INT32_MAX for every int32 b */
  } else if (s <= -MT_TWO_32) {
    return INT32_MIN;
  } else if (s > 0.0f) {
    d = (int64_t)(uint32_t)s; /* an integer in [2^23, 2^32): exact */
  } else {
    d = -(int64_t)(uint32_t)(-s);
  }
  sum = (int64_t)b + d;
  if (sum > (int64_t)INT32_MAX) {
    return INT32_MAX;
  }
  if (sum < (int64_t)INT32_MIN) {
    return INT32_MIN;
  }
  return (int32_t)sum;
}

void mt_sgd_update_f32(float *w, const float *grad, int32_t n, float lr) {
  int32_t i;
  for (i = 0; i < n; i++) {
    float step = lr * grad[i];
    w[i] = w[i] - step;
  }
}
