/*
 * mcutrain runtime — ADD, int8, with 4-D broadcasting (TFLite Micro reference semantics).
 */
#include "mt_kernels.h"
#include "mt_support.h"

/* 1 if an input dimension may broadcast to the output dimension (equal, or 1). */
static int32_t mt_add_dim_ok(int32_t in_dim, int32_t out_dim) {
  return (in_dim == out_dim || in_dim == 1) ? 1 : 0;
}

/* 1 if every dimension of `in` broadcasts to `out`. */
static int32_t mt_add_dims_ok(const mt_dims *in, const mt_dims *out) {
  return mt_add_dim_ok(in->n, out->n) && mt_add_dim_ok(in->h, out->h) &&
         mt_add_dim_ok(in->w, out->w) && mt_add_dim_ok(in->c, out->c);
}

/* Flat NHWC offset of output coordinate (b,y,x,c) in a tensor that may broadcast (dims of 1). */
static int32_t mt_add_offset(const mt_dims *d, int32_t b, int32_t y, int32_t x, int32_t c) {
  const int32_t bb = (d->n == 1) ? 0 : b;
  const int32_t yy = (d->h == 1) ? 0 : y;
  const int32_t xx = (d->w == 1) ? 0 : x;
  const int32_t cc = (d->c == 1) ? 0 : c;
  return ((bb * d->h + yy) * d->w + xx) * d->c + cc;
}

/*
 * One rescaling of the flat loop: mt_mbqm(x, multiplier, shift) for |x| below the bound it was
 * prepared for. shift == 0 (what each input of an ADD gets when its scale is the larger one) is
 * gemmlowp's SaturatingRoundingDoublingHighMul alone, which for x != INT32_MIN equals
 * floor((x * m + 2^30) / 2^31); shifts <= -1 use mt_requant.
 */
typedef struct {
  mt_requant rq;
  int32_t multiplier;
  int32_t plain; /* shift == 0 */
} mt_add_rescale;

static int32_t mt_add_rescale_prepare(mt_add_rescale *r, int32_t multiplier, int32_t shift,
                                      uint32_t max_abs) {
  r->multiplier = multiplier;
  r->plain = shift == 0 && multiplier >= 0 && max_abs < (((uint32_t)1) << 30);
  return r->plain || mt_requant_prepare(&r->rq, multiplier, shift, max_abs);
}

static inline int32_t mt_add_rescale_apply(const mt_add_rescale *r, int32_t x) {
  if (r->plain) {
    return (int32_t)(((int64_t)x * r->multiplier + (((int64_t)1) << 30)) >> 31);
  }
  return mt_requant_apply(&r->rq, x);
}

/*
 * Elementwise int8 addition with TFLite's two-stage rescaling:
 *   s1 = MBQM((x1 + input1_offset) << left_shift, input1_multiplier, input1_shift), same for s2,
 *   out = clamp(MBQM(s1 + s2, output_multiplier, output_shift) + output_offset, act_min, act_max).
 * Each input dimension must equal the output dimension or be 1 (broadcast).
 *
 * Returns MT_OK, or MT_ERR_ARG for a null pointer, a non-positive dimension, non-broadcastable
 * shapes, a left_shift outside [0, 30], a shift outside [-31, 31] or an activation range outside int8.
 */
mt_status mt_add_s8(const mt_add_params *params,
                    const mt_dims *input1_dims, const int8_t *input1,
                    const mt_dims *input2_dims, const int8_t *input2,
                    const mt_dims *output_dims, int8_t *output) {
  int32_t b, y, x, c;

  if (params == NULL || input1 == NULL || input2 == NULL || output == NULL) {
    return MT_ERR_ARG;
  }
  if (mt_dims_count(input1_dims) < 0 || mt_dims_count(input2_dims) < 0 ||
      mt_dims_count(output_dims) < 0) {
    return MT_ERR_ARG;
  }
  if (!mt_add_dims_ok(input1_dims, output_dims) || !mt_add_dims_ok(input2_dims, output_dims)) {
    return MT_ERR_ARG;
  }
  if (params->left_shift < 0 || params->left_shift > 30 ||
      !mt_shift_valid(params->input1_shift) || !mt_shift_valid(params->input2_shift) ||
      !mt_shift_valid(params->output_shift) ||
      !mt_act_range_valid(params->act_min, params->act_max)) {
    return MT_ERR_ARG;
  }

  if (input1_dims->n == output_dims->n && input1_dims->h == output_dims->h &&
      input1_dims->w == output_dims->w && input1_dims->c == output_dims->c &&
      input2_dims->n == output_dims->n && input2_dims->h == output_dims->h &&
      input2_dims->w == output_dims->w && input2_dims->c == output_dims->c) {
    /*
     * No broadcasting (a residual connection): one flat loop, and when the values stay small
     * enough the short exact requantization (mt_requant) for all three rescalings. |x + offset|
     * <= 128 + |offset|; after the left shift that bounds each input's rescaling, a rescaled value
     * is at most its input in magnitude plus one (a multiplier below 2^31, no left shift), and
     * the output's rescaling sees their sum.
     */
    const uint32_t a1 = (params->input1_offset < 0 ? 0u - (uint32_t)params->input1_offset
                                                   : (uint32_t)params->input1_offset) + 128u;
    const uint32_t a2 = (params->input2_offset < 0 ? 0u - (uint32_t)params->input2_offset
                                                   : (uint32_t)params->input2_offset) + 128u;
    const uint64_t b1 = (uint64_t)a1 << params->left_shift;
    const uint64_t b2 = (uint64_t)a2 << params->left_shift;
    const uint64_t limit = ((uint64_t)1) << 30;
    mt_add_rescale r1;
    mt_add_rescale r2;
    mt_add_rescale ro;
    if (b1 < limit && b2 < limit && b1 + b2 + 2u < limit &&
        mt_add_rescale_prepare(&r1, params->input1_multiplier, params->input1_shift,
                               (uint32_t)b1) &&
        mt_add_rescale_prepare(&r2, params->input2_multiplier, params->input2_shift,
                               (uint32_t)b2) &&
        mt_add_rescale_prepare(&ro, params->output_multiplier, params->output_shift,
                               (uint32_t)(b1 + b2 + 2u))) {
      const int32_t count = mt_dims_count(output_dims);
      int32_t i;
      for (i = 0; i < count; i++) {
        const int32_t v1 = mt_shl_wrap((int32_t)input1[i] + params->input1_offset, params->left_shift);
        const int32_t v2 = mt_shl_wrap((int32_t)input2[i] + params->input2_offset, params->left_shift);
        const int32_t raw = mt_add_rescale_apply(&ro, mt_add_rescale_apply(&r1, v1) +
                                                          mt_add_rescale_apply(&r2, v2)) +
                            params->output_offset;
        output[i] = mt_clamp_s8(raw, params->act_min, params->act_max);
      }
      return MT_OK;
    }
  }
  for (b = 0; b < output_dims->n; b++) {
    for (y = 0; y < output_dims->h; y++) {
      for (x = 0; x < output_dims->w; x++) {
        for (c = 0; c < output_dims->c; c++) {
          const int32_t v1 = (int32_t)input1[mt_add_offset(input1_dims, b, y, x, c)] +
                             params->input1_offset;
          const int32_t v2 = (int32_t)input2[mt_add_offset(input2_dims, b, y, x, c)] +
                             params->input2_offset;
          const int32_t s1 = mt_mbqm(mt_shl_wrap(v1, params->left_shift),
                                     params->input1_multiplier, params->input1_shift);
          const int32_t s2 = mt_mbqm(mt_shl_wrap(v2, params->left_shift),
                                     params->input2_multiplier, params->input2_shift);
          int32_t raw = mt_mbqm(mt_add_wrap(s1, s2), params->output_multiplier,
                                params->output_shift);
          raw = mt_add_wrap(raw, params->output_offset);
          output[((b * output_dims->h + y) * output_dims->w + x) * output_dims->c + c] =
              mt_clamp_s8(raw, params->act_min, params->act_max);
        }
      }
    }
  }
  return MT_OK;
}
