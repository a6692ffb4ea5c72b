/*
 * mcutrain runtime — the parameter update step: rounding of a float update into the integer
 * domain with saturation (int8 weights, int32 biases) and plain SGD for fp32 tensors. Semantics in
 * mt_train.h; Java twin: dev.mcutrain.train.update.Update.
 *
 * The rounding helpers and the int8 update are inline in mt_train_inline.h (the update kernels
 * inline them too); no libm.
 */
#include <stdint.h>
#include <stddef.h>
#include "mt_train.h"
#include "mt_train_inline.h"

/* 2^23: every float of at least this magnitude is an integer. */
#define MT_TWO_23 8388608.0f
/* 2^32 */
#define MT_TWO_32 4294967296.0f

int8_t mt_update_s8(int8_t w, float delta, mt_rounding mode, mt_prng *rng) {
  return mt_update_s8_inline(w, delta, mode, rng);
}

/* The mode is fixed per loop and the generator state stays in registers. */
void mt_update_s8_qas_run(int8_t *w, const float *g, int32_t n, float k, float lr,
                          mt_rounding mode, mt_prng *rng) {
  int32_t i;
  if (mode == MT_ROUND_STOCHASTIC) {
    mt_prng r = *rng;
    for (i = 0; i < n; i++) {
      w[i] = mt_update_s8_inline(w[i], mt_qas_delta(g[i], k, lr), MT_ROUND_STOCHASTIC, &r);
    }
    rng->state = r.state;
  } else {
    for (i = 0; i < n; i++) {
      w[i] = mt_update_s8_inline(w[i], mt_qas_delta(g[i], k, lr), mode, rng);
    }
  }
}

int32_t mt_update_s32(int32_t b, float delta, mt_rounding mode, mt_prng *rng) {
  float s = mt_with_dither(delta, mode, rng);
  int64_t d;
  int64_t sum;
  if (s != s) {
    return b; /* NaN: no change */
  }
  if (s < MT_TWO_23 && s > -MT_TWO_23) {
    d = (int64_t)mt_round_small(s, mode);
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
