/*
 * mcutrain runtime — CONV_2D, int8 (TFLite Micro reference semantics, per-channel requantization).
 */
#include "mt_kernels.h"
#include "mt_support.h"

/* Kernels with more taps than this use the straightforward loop (no per-tap sums on the stack). */
#define MT_CONV_MAX_TAPS 64

/* The reference loop: acc += f * (x + input_offset) tap by tap. */
static mt_status conv_generic(const mt_conv_params *params, const mt_quant_params *quant,
                              int32_t batches, int32_t in_h, int32_t in_w, int32_t in_c,
                              int32_t out_h, int32_t out_w, int32_t out_c, int32_t k_h,
                              int32_t k_w, const int8_t *input, const int8_t *filter,
                              const int32_t *bias, int8_t *output) {
  int32_t b, oy, ox, oc, ky, kx, ic;
  for (b = 0; b < batches; b++) {
    for (oy = 0; oy < out_h; oy++) {
      const int32_t in_y_origin = oy * params->stride_h - params->pad_h;
      for (ox = 0; ox < out_w; ox++) {
        const int32_t in_x_origin = ox * params->stride_w - params->pad_w;
        for (oc = 0; oc < out_c; oc++) {
          int32_t acc = 0;
          for (ky = 0; ky < k_h; ky++) {
            const int32_t iy = in_y_origin + ky;
            if (iy < 0 || iy >= in_h) {
              continue;
            }
            for (kx = 0; kx < k_w; kx++) {
              const int32_t ix = in_x_origin + kx;
              const int8_t *in_px;
              const int8_t *f_px;
              if (ix < 0 || ix >= in_w) {
                continue;
              }
              in_px = input + ((b * in_h + iy) * in_w + ix) * in_c;
              f_px = filter + ((oc * k_h + ky) * k_w + kx) * in_c;
              for (ic = 0; ic < in_c; ic++) {
                acc += (int32_t)f_px[ic] * ((int32_t)in_px[ic] + params->input_offset);
              }
            }
          }
          if (bias != NULL) {
            acc += bias[oc];
          }
          acc = mt_mbqm(acc, mt_quant_multiplier(quant, oc), mt_quant_shift(quant, oc));
          acc += params->output_offset;
          output[((b * out_h + oy) * out_w + ox) * out_c + oc] =
              mt_clamp_s8(acc, params->act_min, params->act_max);
        }
      }
    }
  }
  return MT_OK;
}

/*
 * 2-D convolution of an NHWC int8 input with an OHWI int8 filter.
 *
 * out[b,oy,ox,oc] = clamp(MBQM(sum + bias[oc], mult[oc], shift[oc]) + output_offset, act_min, act_max)
 * where sum runs over the taps (ky,kx,ic) whose input position iy = oy*stride_h - pad_h + ky,
 * ix = ox*stride_w - pad_w + kx lies inside the input; padded taps contribute nothing.
 * Dilation is 1. bias may be NULL (treated as 0).
 *
 * Returns MT_OK, or MT_ERR_ARG for a null pointer, a non-positive dimension or stride, a negative
 * padding, mismatched channel/batch counts, or an activation range outside int8.
 */
mt_status mt_conv2d_s8(const mt_conv_params *params, const mt_quant_params *quant,
                       const mt_dims *input_dims, const int8_t *input,
                       const mt_dims *filter_dims, const int8_t *filter,
                       const int32_t *bias,
                       const mt_dims *output_dims, int8_t *output) {
  int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w;
  int32_t b, oy, ox, oc, ky, kx, ic;

  if (params == NULL || input == NULL || filter == NULL || output == NULL) {
    return MT_ERR_ARG;
  }
  if (mt_dims_count(input_dims) < 0 || mt_dims_count(filter_dims) < 0 ||
      mt_dims_count(output_dims) < 0) {
    return MT_ERR_ARG;
  }
  batches = input_dims->n;
  in_h = input_dims->h;
  in_w = input_dims->w;
  in_c = input_dims->c;
  out_h = output_dims->h;
  out_w = output_dims->w;
  out_c = output_dims->c;
  k_h = filter_dims->h;
  k_w = filter_dims->w;
  if (output_dims->n != batches || filter_dims->n != out_c || filter_dims->c != in_c) {
    return MT_ERR_ARG;
  }
  if (params->stride_h < 1 || params->stride_w < 1 || params->pad_h < 0 || params->pad_w < 0) {
    return MT_ERR_ARG;
  }
  if (!mt_act_range_valid(params->act_min, params->act_max) || !mt_quant_valid(quant, out_c)) {
    return MT_ERR_ARG;
  }

  if (k_h * k_w > MT_CONV_MAX_TAPS) {
    return conv_generic(params, quant, batches, in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w,
                        input, filter, bias, output);
  }
  /*
   * sum_taps f * (x + input_offset) = sum_taps f * x + input_offset * sum_taps f, exactly in
   * int32: the dot products run on raw int8 data (two 16-bit MACs per instruction with the DSP
   * extension), and each output channel's per-tap filter sums are computed once.
   */
  if (k_h == 1 && k_w == 1 && params->stride_h == 1 && params->stride_w == 1 &&
      params->pad_h == 0 && params->pad_w == 0 && out_h == in_h && out_w == in_w) {
    /* Pointwise: a matrix product of [pixels, in_c] by [out_c, in_c]^T. */
    const int32_t pixels = batches * in_h * in_w;
    int32_t p;
    for (oc = 0; oc < out_c; oc++) {
      const int8_t *f_oc = filter + oc * in_c;
      const int32_t mult = mt_quant_multiplier(quant, oc);
      const int32_t shift = mt_quant_shift(quant, oc);
      int32_t f_sum = 0;
      int32_t base;
      for (ic = 0; ic < in_c; ic++) {
        f_sum += f_oc[ic];
      }
      base = params->input_offset * f_sum + (bias != NULL ? bias[oc] : 0);
      for (p = 0; p < pixels; p++) {
        const int32_t acc = mt_dot_s8(input + p * in_c, f_oc, in_c) + base;
        output[p * out_c + oc] = mt_clamp_s8(mt_mbqm(acc, mult, shift) + params->output_offset,
                                             params->act_min, params->act_max);
      }
    }
    return MT_OK;
  }
  for (oc = 0; oc < out_c; oc++) {
    int32_t tap_sum[MT_CONV_MAX_TAPS];
    int32_t row_sum[MT_CONV_MAX_TAPS];
    const int8_t *f_oc = filter + oc * k_h * k_w * in_c;
    const int32_t b_oc = bias != NULL ? bias[oc] : 0;
    const int32_t mult = mt_quant_multiplier(quant, oc);
    const int32_t shift = mt_quant_shift(quant, oc);
    for (ky = 0; ky < k_h * k_w; ky++) {
      int32_t t = 0;
      for (ic = 0; ic < in_c; ic++) {
        t += f_oc[ky * in_c + ic];
      }
      tap_sum[ky] = t;
    }
    for (ky = 0; ky < k_h; ky++) {
      int32_t t = 0;
      for (kx = 0; kx < k_w; kx++) {
        t += tap_sum[ky * k_w + kx];
      }
      row_sum[ky] = t;
    }
    for (b = 0; b < batches; b++) {
      for (oy = 0; oy < out_h; oy++) {
        const int32_t in_y_origin = oy * params->stride_h - params->pad_h;
        for (ox = 0; ox < out_w; ox++) {
          const int32_t in_x_origin = ox * params->stride_w - params->pad_w;
          int32_t acc = 0;
          int32_t offset_taps = 0;
          for (ky = 0; ky < k_h; ky++) {
            const int32_t iy = in_y_origin + ky;
            if (iy < 0 || iy >= in_h) {
              continue;
            }
            if (in_x_origin >= 0 && in_x_origin + k_w <= in_w) {
              /* The whole filter row is inside: k_w * in_c contiguous bytes on both sides. */
              acc += mt_dot_s8(input + ((b * in_h + iy) * in_w + in_x_origin) * in_c,
                               f_oc + ky * k_w * in_c, k_w * in_c);
              offset_taps += row_sum[ky];
              continue;
            }
            for (kx = 0; kx < k_w; kx++) {
              const int32_t ix = in_x_origin + kx;
              if (ix < 0 || ix >= in_w) {
                continue;
              }
              acc += mt_dot_s8(input + ((b * in_h + iy) * in_w + ix) * in_c,
                               f_oc + (ky * k_w + kx) * in_c, in_c);
              offset_taps += tap_sum[ky * k_w + kx];
            }
          }
          acc += params->input_offset * offset_taps + b_oc;
          acc = mt_mbqm(acc, mult, shift) + params->output_offset;
          output[((b * out_h + oy) * out_w + ox) * out_c + oc] =
              mt_clamp_s8(acc, params->act_min, params->act_max);
        }
      }
    }
  }
  return MT_OK;
}
