/*
 * mcutrain runtime — QUANTIZE float -> int8 (TFLite Micro AffineQuantize semantics).
 */
#include "mt_kernels.h"
#include "mt_support.h"

/*
 * Rounds a float to the nearest integer value, halves away from zero (TfLiteRound / roundf),
 * without libm. Values with |x| >= 2^23 are already integers (or inf/NaN) and are returned as is.
 */
static float mt_round_half_away_f32(float x) {
  const float two_pow_23 = 8388608.0f;
  float truncated;
  float fraction;
  if (!(x > -two_pow_23 && x < two_pow_23)) {
    return x;
  }
  truncated = (float)(int32_t)x; /* exact: |x| < 2^23 */
  fraction = x - truncated;      /* exact: the fractional part of a float is representable */
  if (fraction >= 0.5f) {
    return truncated + 1.0f;
  }
  if (fraction <= -0.5f) {
    return truncated - 1.0f;
  }
  return truncated;
}

/*
 * q = clamp(round_half_away_from_zero(x / scale) + output_zero_point, -128, 127), with a float
 * division. NaN inputs give the output zero point; +-inf saturate.
 *
 * Returns MT_OK, or MT_ERR_ARG for a null pointer, a negative size, a scale that is not a positive
 * finite number, or an output zero point outside int8.
 */
mt_status mt_quantize_f32_s8(const mt_quantize_params *params, int32_t size,
                             const float *input, int8_t *output) {
  int32_t i;

  if (params == NULL || input == NULL || output == NULL || size < 0) {
    return MT_ERR_ARG;
  }
  if (!(params->scale > 0.0f && params->scale < 3.4e38f) ||
      params->output_zero_point < -128 || params->output_zero_point > 127) {
    return MT_ERR_ARG;
  }

  for (i = 0; i < size; i++) {
    float r = mt_round_half_away_f32(input[i] / params->scale);
    int32_t q;
    if (r != r) {
      r = 0.0f; /* NaN */
    }
    /* anything beyond +-1000 saturates anyway; keeps the float -> int conversion defined */
    if (r > 1000.0f) {
      r = 1000.0f;
    }
    if (r < -1000.0f) {
      r = -1000.0f;
    }
    q = (int32_t)r + params->output_zero_point;
    output[i] = mt_clamp_s8(q, -128, 127);
  }
  return MT_OK;
}
