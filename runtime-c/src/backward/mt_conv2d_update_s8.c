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
 * Skipping a term with g == 0 leaves the sum's bits unchanged when x_real is finite (the term is
 * +-0 and the sum, starting at +0, is never -0 under round-to-nearest), which holds for every
 * int8 x when x_scale * 256 is finite.
 */
mt_status mt_conv2d_update_s8(const mt_conv_params *p, const mt_update_params *u,
                              const mt_dims *x_dims, const int8_t *x, float x_scale,
                              int32_t x_zero_point,
                              const mt_dims *filter_dims, int8_t *filter, int32_t channels,
                              const mt_dims *out_dims, const float *g, int32_t *bias,
                              mt_prng *rng) {
  int32_t k_h, k_w, f_c;
  int32_t oc, ky, kx, ic;

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
  if (channels > 0) {
    mt_wgrad_src src;
    mt_wgrad_src_init(&src, p, x_dims, x, x_scale, x_zero_point, out_dims, g);
    for (oc = 0; oc < out_dims->c; oc++) {
      const float k = u->k_w[oc];
      for (ky = 0; ky < k_h; ky++) {
        for (kx = 0; kx < k_w; kx++) {
          int8_t *fp = filter + ((oc * k_h + ky) * k_w + kx) * f_c;
          for (ic = 0; ic < channels; ic++) {
            const float gw = mt_conv_wgrad_sum(&src, oc, ky, kx, ic);
            fp[ic] = mt_update_s8(fp[ic], mt_qas_delta(gw, k, u->lr), u->rounding, rng);
          }
        }
      }
    }
  }
  if (bias != NULL) {
    return mt_bias_update_s32(u, out_dims->n * out_dims->h * out_dims->w, out_dims->c, g, bias,
                              rng);
  }
  return MT_OK;
}
