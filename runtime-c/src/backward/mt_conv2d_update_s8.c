/*
 * mcutrain runtime — CONV_2D weight gradient fused with the int8 weight update, then the bias
 * update. Java twin: the CONV_2D branch of ReferenceTrainer.backward
 * (BackwardKernels.conv2dGradWeight + Update.s8 / Update.qasDelta, then updateBias).
 */
#include "mt_backward.h"
#include "mt_backward_support.h"

/*
 * for oc, ky, kx, ic < channels:
 *   gw = sum over b, oy, ox (in-bounds taps, in order, from +0) of
 *        g[b,oy,ox,oc] * (x_scale * (float) (x[b,iy,ix,ic] - x_zero_point))
 *   filter[oc,ky,kx,ic] = mt_update_s8(filter[..], mt_qas_delta(gw, k_w[oc], lr), rounding, rng)
 * then (bias != NULL) mt_bias_update_s32 over the output positions.
 *
 * The sums are computed 4 output x 4 input channels at a time (mt_conv_wgrad_sums, same bits),
 * and each block's 16 weights are updated as soon as its sums are known. Output channel oc draws
 * its stochastic-rounding values from a cursor D * oc steps ahead (D = kh * kw * channels, the
 * updates per output channel), so every weight gets the value the reference order gives it.
 */
mt_status mt_conv2d_update_s8(const mt_conv_params *p, const mt_update_params *u,
                              const mt_dims *x_dims, const int8_t *x, float x_scale,
                              int32_t x_zero_point,
                              const mt_dims *filter_dims, int8_t *filter, int32_t channels,
                              const mt_dims *out_dims, const float *g, int32_t *bias,
                              mt_prng *rng) {
  int32_t k_h, k_w, f_c, out_c;
  int32_t oc, ky, kx, ic, j;

  if (p == NULL || u == NULL || filter == NULL || g == NULL) {
    return MT_ERR_ARG;
  }
  if (!mt_conv2d_grad_weight_dims_ok(p, filter_dims, channels, out_dims)) {
    return MT_ERR_ARG;
  }
  if (!mt_update_args_ok(u, channels, bias, rng)) {
    return MT_ERR_ARG;
  }
  if (channels > 0 &&
      !mt_conv2d_grad_weight_x_ok(x_dims, x, x_zero_point, filter_dims, channels, out_dims)) {
    return MT_ERR_ARG;
  }

  k_h = filter_dims->h;
  k_w = filter_dims->w;
  f_c = filter_dims->c;
  out_c = out_dims->c;
  if (channels > 0) {
    const int stochastic = u->rounding == MT_ROUND_STOCHASTIC;
    mt_wgrad_src src;
    mt_prng_jump per_oc = {1u, 0u};
    mt_wgrad_src_init(&src, p, x_dims, x, x_scale, x_zero_point, out_dims, g);
    if (stochastic) {
      per_oc = mt_prng_jump_of(rng, (uint32_t)(k_h * k_w * channels));
    }
    for (oc = 0; oc < out_c; oc += 4) {
      const int32_t no = out_c - oc < 4 ? out_c - oc : 4;
      const int zero = mt_wgrad_all_zero(&src, oc, no);
      mt_prng cursor[4];
      mt_prng *draw[4]; /* output channel oc + j draws from draw[j] */
      mt_prng_cursors(rng, stochastic, &per_oc, no, cursor, draw);
      for (ky = 0; ky < k_h; ky++) {
        for (kx = 0; kx < k_w; kx++) {
          mt_tap_rows t;
          const int reads = mt_tap_rows_of(&src, ky, kx, &t) && !zero;
          for (ic = 0; ic < channels; ic += 4) {
            const int32_t ni = channels - ic < 4 ? channels - ic : 4;
            float sums[4][4];
            mt_conv_wgrad_sums(&src, reads ? &t : NULL, oc, no, ic, ni, sums);
            for (j = 0; j < no; j++) {
              mt_update_s8_qas_run(filter + (((oc + j) * k_h + ky) * k_w + kx) * f_c + ic, sums[j],
                               ni, u->k_w[oc + j], u->lr, u->rounding, draw[j]);
            }
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
