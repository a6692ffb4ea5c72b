/*
 * mcutrain runtime — DEPTHWISE_CONV_2D weight gradient fused with the int8 weight update, then
 * the bias update. Java twin: the DEPTHWISE_CONV_2D branch of ReferenceTrainer.backward
 * (BackwardKernels.depthwiseGradWeight + Update.s8 / Update.qasDelta, then updateBias).
 */
#include "mt_backward.h"
#include "mt_backward_support.h"

/*
 * for oc < channels (output channels), ky, kx:
 *   gw = sum over b, oy, ox (in-bounds, in order, from +0) of g[b,oy,ox,oc] * x_real[b,iy,ix,oc/M]
 *   filter[ky,kx,oc] = mt_update_s8(filter[..], mt_qas_delta(gw, k_w[oc], lr), rounding, rng)
 * then (bias != NULL) mt_bias_update_s32 over the output positions, every output channel.
 * The sums are computed 4 output channels at a time (mt_depthwise_wgrad_sums, same bits); output
 * channel oc draws its stochastic-rounding values from a cursor kh * kw * oc steps ahead, as in
 * mt_conv2d_update_s8.
 */
static mt_status update(const mt_conv_params *p, const mt_update_params *u,
                        const mt_dims *x_dims, const int8_t *x, float x_scale,
                        int32_t x_zero_point, const mt_dims *filter_dims, int8_t *filter,
                        int32_t sliced, int32_t channels, const mt_dims *out_dims,
                        const float *g, int32_t *bias, mt_prng *rng) {
  int32_t k_h, k_w, out_c, mult;
  int32_t oc, ky, kx, j;

  if (p == NULL || u == NULL || filter == NULL || g == NULL) {
    return MT_ERR_ARG;
  }
  if (!mt_depthwise_grad_weight_dims_ok(p, filter_dims, channels, out_dims)) {
    return MT_ERR_ARG;
  }
  if (!mt_update_args_ok(u, channels, bias, rng)) {
    return MT_ERR_ARG;
  }
  if (channels > 0 &&
      !mt_depthwise_grad_weight_x_ok(p, x_dims, x, x_zero_point, channels, out_dims)) {
    return MT_ERR_ARG;
  }

  k_h = filter_dims->h;
  k_w = filter_dims->w;
  out_c = out_dims->c;
  mult = p->depth_multiplier;
  if (channels > 0) {
    const int stochastic = u->rounding == MT_ROUND_STOCHASTIC;
    const int32_t row = sliced ? channels : out_c; /* filter elements per tap */
    mt_wgrad_src src;
    mt_prng_jump per_oc = {1u, 0u};
    mt_wgrad_src_init(&src, p, x_dims, x, x_scale, x_zero_point, out_dims, g);
    if (stochastic) {
      per_oc = mt_prng_jump_of(rng, (uint32_t)(k_h * k_w));
    }
    for (oc = 0; oc < channels; oc += 4) {
      const int32_t no = channels - oc < 4 ? channels - oc : 4;
      const int zero = mt_wgrad_all_zero(&src, oc, no);
      mt_prng cursor[4];
      mt_prng *draw[4]; /* output channel oc + j draws from draw[j] */
      mt_prng_cursors(rng, stochastic, &per_oc, no, cursor, draw);
      for (ky = 0; ky < k_h; ky++) {
        for (kx = 0; kx < k_w; kx++) {
          mt_tap_rows t;
          const int reads = mt_tap_rows_of(&src, ky, kx, &t) && !zero;
          int8_t *fp = filter + (ky * k_w + kx) * row + oc;
          float sums[4];
          mt_depthwise_wgrad_sums(&src, reads ? &t : NULL, oc, no, mult, sums);
          for (j = 0; j < no; j++) {
            mt_update_s8_qas_run(fp + j, sums + j, 1, u->k_w[oc + j], u->lr, u->rounding, draw[j]);
          }
        }
      }
      mt_prng_cursors_done(rng, stochastic, no, cursor);
    }
  }
  if (bias != NULL) {
    return mt_bias_update_s32(u, out_dims->n * out_dims->h * out_dims->w, out_c, g, bias, rng);
  }
  return MT_OK;
}

mt_status mt_depthwise_update_s8(const mt_conv_params *p, const mt_update_params *u,
                                 const mt_dims *x_dims, const int8_t *x, float x_scale,
                                 int32_t x_zero_point,
                                 const mt_dims *filter_dims, int8_t *filter, int32_t channels,
                                 const mt_dims *out_dims, const float *g, int32_t *bias,
                                 mt_prng *rng) {
  return update(p, u, x_dims, x, x_scale, x_zero_point, filter_dims, filter, 0, channels,
                out_dims, g, bias, rng);
}

mt_status mt_depthwise_update_slice_s8(const mt_conv_params *p, const mt_update_params *u,
                                       const mt_dims *x_dims, const int8_t *x, float x_scale,
                                       int32_t x_zero_point, const mt_dims *filter_dims,
                                       int8_t *slice, int32_t channels,
                                       const mt_dims *out_dims, const float *g, int32_t *bias,
                                       mt_prng *rng) {
  return update(p, u, x_dims, x, x_scale, x_zero_point, filter_dims, slice, 1, channels,
                out_dims, g, bias, rng);
}
