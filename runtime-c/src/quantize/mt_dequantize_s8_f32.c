/*
 * mcutrain runtime — DEQUANTIZE int8 -> float (TFLite Micro semantics).
 */
#include "mt_kernels.h"
#include "mt_support.h"

/*
 * x = scale * (float)(q - input_zero_point). (TFLite multiplies in double and rounds to float; the
 * exact product of a float and a 9-bit integer rounds to the same float either way.)
 *
 * Returns MT_OK, or MT_ERR_ARG for a null pointer, a negative size or an input zero point outside
 * int8.
 */
mt_status mt_dequantize_s8_f32(const mt_quantize_params *params, int32_t size,
                               const int8_t *input, float *output) {
  int32_t i;

  if (params == NULL || input == NULL || output == NULL || size < 0) {
    return MT_ERR_ARG;
  }
  if (params->input_zero_point < -128 || params->input_zero_point > 127) {
    return MT_ERR_ARG;
  }

  for (i = 0; i < size; i++) {
    output[i] = params->scale * (float)((int32_t)input[i] - params->input_zero_point);
  }
  return MT_OK;
}
