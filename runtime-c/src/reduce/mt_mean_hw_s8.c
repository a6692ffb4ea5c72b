/*
 * mcutrain runtime — MEAN over H and W, int8 (TFLite Micro reference semantics).
 */
#include "mt_kernels.h"
#include "mt_support.h"

/*
 * For each (n, c): s = sum over h, w of the raw int8 input (int32);
 * out[n,0,0,c] = clamp(MBQM(s - input_zero_point * h * w, multiplier, shift) + output_zero_point,
 *                      -128, 127).
 * The compiler folds 1/(h*w) and the scale ratio into multiplier/shift.
 *
 * Returns MT_OK, or MT_ERR_ARG for a null pointer, a non-positive dimension, h*w > 2^23 (the int32
 * sum could overflow), an input zero point outside int8 or a shift outside [-31, 31].
 */
mt_status mt_mean_hw_s8(const mt_mean_params *params,
                        const mt_dims *input_dims, const int8_t *input, int8_t *output) {
  int32_t b, y, x, c, n_elems;

  if (params == NULL || input == NULL || output == NULL) {
    return MT_ERR_ARG;
  }
  if (mt_dims_count(input_dims) < 0 || !mt_shift_valid(params->shift) ||
      params->input_zero_point < -128 || params->input_zero_point > 127) {
    return MT_ERR_ARG;
  }
  n_elems = input_dims->h * input_dims->w;
  if (n_elems > ((int32_t)1 << 23)) {
    return MT_ERR_ARG;
  }

  for (b = 0; b < input_dims->n; b++) {
    for (c = 0; c < input_dims->c; c++) {
      int32_t sum = 0;
      int32_t out;
      for (y = 0; y < input_dims->h; y++) {
        for (x = 0; x < input_dims->w; x++) {
          sum += input[((b * input_dims->h + y) * input_dims->w + x) * input_dims->c + c];
        }
      }
      sum = mt_sub_wrap(sum, params->input_zero_point * n_elems);
      out = mt_mbqm(sum, params->multiplier, params->shift);
      out = mt_add_wrap(out, params->output_zero_point);
      output[b * input_dims->c + c] = mt_clamp_s8(out, -128, 127);
    }
  }
  return MT_OK;
}
