/*
 * mcutrain runtime — QUANTIZE int8 -> int8 (TFLite Micro Requantize semantics).
 */
#include "mt_kernels.h"
#include "mt_support.h"

/*
 * q = clamp(MBQM(x - input_zero_point, multiplier, shift) + output_zero_point, -128, 127).
 *
 * Returns MT_OK, or MT_ERR_ARG for a null pointer, a negative size, a zero point outside int8 or a
 * shift outside [-31, 31].
 */
mt_status mt_requantize_s8(const mt_quantize_params *params, int32_t size,
                           const int8_t *input, int8_t *output) {
  int32_t i;

  if (params == NULL || input == NULL || output == NULL || size < 0) {
    return MT_ERR_ARG;
  }
  if (params->input_zero_point < -128 || params->input_zero_point > 127 ||
      params->output_zero_point < -128 || params->output_zero_point > 127 ||
      !mt_shift_valid(params->shift)) {
    return MT_ERR_ARG;
  }

  for (i = 0; i < size; i++) {
    int32_t q = mt_mbqm((int32_t)input[i] - params->input_zero_point, params->multiplier,
                        params->shift);
    q += params->output_zero_point;
    output[i] = mt_clamp_s8(q, -128, 127);
  }
  return MT_OK;
}
