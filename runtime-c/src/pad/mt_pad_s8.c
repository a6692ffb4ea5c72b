/*
 * mcutrain runtime — PAD, int8, 4-D NHWC.
 */
#include "mt_kernels.h"
#include "mt_support.h"

/*
 * Copies the input into the output with params->before[a] / params->after[a] elements of
 * pad_value added before / after each axis a (0 = N, 1 = H, 2 = W, 3 = C). pad_value is normally
 * the output zero point.
 *
 * Returns MT_OK, or MT_ERR_ARG for a null pointer, a non-positive dimension, a negative padding, a
 * pad_value outside int8, or output dims other than before + input + after on some axis.
 */
mt_status mt_pad_s8(const mt_pad_params *params,
                    const mt_dims *input_dims, const int8_t *input,
                    const mt_dims *output_dims, int8_t *output) {
  int32_t in_d[4];
  int32_t out_d[4];
  int32_t a, b, y, x, c;
  int8_t pad_value;

  if (params == NULL || input == NULL || output == NULL) {
    return MT_ERR_ARG;
  }
  if (mt_dims_count(input_dims) < 0 || mt_dims_count(output_dims) < 0) {
    return MT_ERR_ARG;
  }
  if (params->pad_value < -128 || params->pad_value > 127) {
    return MT_ERR_ARG;
  }
  in_d[0] = input_dims->n;
  in_d[1] = input_dims->h;
  in_d[2] = input_dims->w;
  in_d[3] = input_dims->c;
  out_d[0] = output_dims->n;
  out_d[1] = output_dims->h;
  out_d[2] = output_dims->w;
  out_d[3] = output_dims->c;
  for (a = 0; a < 4; a++) {
    if (params->before[a] < 0 || params->after[a] < 0 ||
        params->before[a] > out_d[a] || params->after[a] > out_d[a] ||
        out_d[a] - params->before[a] - params->after[a] != in_d[a]) {
      return MT_ERR_ARG;
    }
  }
  pad_value = (int8_t)params->pad_value;

  for (b = 0; b < out_d[0]; b++) {
    const int32_t ib = b - params->before[0];
    for (y = 0; y < out_d[1]; y++) {
      const int32_t iy = y - params->before[1];
      for (x = 0; x < out_d[2]; x++) {
        const int32_t ix = x - params->before[2];
        const int32_t inside_bhw = (ib >= 0 && ib < in_d[0] && iy >= 0 && iy < in_d[1] &&
                                    ix >= 0 && ix < in_d[2]) ? 1 : 0;
        int8_t *out_px = output + ((b * out_d[1] + y) * out_d[2] + x) * out_d[3];
        for (c = 0; c < out_d[3]; c++) {
          const int32_t ic = c - params->before[3];
          if (inside_bhw && ic >= 0 && ic < in_d[3]) {
            out_px[c] = input[((ib * in_d[1] + iy) * in_d[2] + ix) * in_d[3] + ic];
          } else {
            out_px[c] = pad_value;
          }
        }
      }
    }
  }
  return MT_OK;
}
