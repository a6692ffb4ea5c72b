/*
 * mcutrain runtime — AVERAGE_POOL_2D, int8 (TFLite Micro reference semantics).
 */
#include "mt_kernels.h"
#include "mt_support.h"

/*
 * Average over the in-bounds taps of each filter window (the window of output (oy,ox) starts at
 * input row oy*stride_h - pad_h and column ox*stride_w - pad_w). With n in-bounds taps and their
 * int32 sum s: avg = s > 0 ? (s + n/2) / n : (s - n/2) / n (C truncating division, so halves round
 * away from zero), then clamped to [act_min, act_max]. Input and output share scale and zero point.
 *
 * Returns MT_OK, or MT_ERR_ARG for a null pointer, a non-positive dimension, stride or filter size,
 * a negative padding, mismatched batch/channel counts, an activation range outside int8, or an
 * output position whose window holds no input tap.
 */
mt_status mt_avg_pool2d_s8(const mt_pool_params *params,
                           const mt_dims *input_dims, const int8_t *input,
                           const mt_dims *output_dims, int8_t *output) {
  int32_t b, oy, ox, c, ky, kx;

  if (params == NULL || input == NULL || output == NULL) {
    return MT_ERR_ARG;
  }
  if (mt_dims_count(input_dims) < 0 || mt_dims_count(output_dims) < 0) {
    return MT_ERR_ARG;
  }
  if (output_dims->n != input_dims->n || output_dims->c != input_dims->c) {
    return MT_ERR_ARG;
  }
  if (params->stride_h < 1 || params->stride_w < 1 || params->filter_h < 1 ||
      params->filter_w < 1 || params->pad_h < 0 || params->pad_w < 0 ||
      !mt_act_range_valid(params->act_min, params->act_max)) {
    return MT_ERR_ARG;
  }

  for (b = 0; b < output_dims->n; b++) {
    for (oy = 0; oy < output_dims->h; oy++) {
      const int32_t in_y_origin = oy * params->stride_h - params->pad_h;
      for (ox = 0; ox < output_dims->w; ox++) {
        const int32_t in_x_origin = ox * params->stride_w - params->pad_w;
        for (c = 0; c < output_dims->c; c++) {
          int32_t sum = 0;
          int32_t count = 0;
          int32_t avg;
          for (ky = 0; ky < params->filter_h; ky++) {
            const int32_t iy = in_y_origin + ky;
            if (iy < 0 || iy >= input_dims->h) {
              continue;
            }
            for (kx = 0; kx < params->filter_w; kx++) {
              const int32_t ix = in_x_origin + kx;
              if (ix < 0 || ix >= input_dims->w) {
                continue;
              }
              sum += input[((b * input_dims->h + iy) * input_dims->w + ix) * input_dims->c + c];
              count++;
            }
          }
          if (count == 0) {
            return MT_ERR_ARG;
          }
          avg = (sum > 0) ? (sum + count / 2) / count : (sum - count / 2) / count;
          output[((b * output_dims->h + oy) * output_dims->w + ox) * output_dims->c + c] =
              mt_clamp_s8(avg, params->act_min, params->act_max);
        }
      }
    }
  }
  return MT_OK;
}
