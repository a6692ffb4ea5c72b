/*
 * mcutrain runtime — CONV_2D weight gradient accumulated into fp32 (gradient accumulation).
 * Java twin: AccumulateKernels.conv2dGradWeightAcc (BackwardKernels.conv2dGradWeight per weight).
 */
#include "mt_accumulate.h"
#include "mt_backward_support.h"

/*
 * for oc, ky, kx, ic < channels:
 *   gw = sum over b, oy, ox (in-bounds taps, in order, from +0) of
 *        g[b,oy,ox,oc] * (x_scale * (float) (x[b,iy,ix,ic] - x_zero_point))
 *   acc[((oc*kh + ky)*kw + kx)*channels + ic] += gw
 *
 * Terms with g == 0 are skipped when x_scale * 256 is finite: the term is then +-0 and the sum,
 * starting at +0, is never -0 under round-to-nearest, so gw keeps the reference's bits (as
 * mt_conv2d_update_s8).
 */
mt_status mt_conv2d_grad_weight_acc_f32(const mt_conv_params *p,
                                        const mt_dims *x_dims, const int8_t *x, float x_scale,
                                        int32_t x_zero_point,
                                        const mt_dims *filter_dims, int32_t channels,
                                        const mt_dims *out_dims, const float *g, float *acc) {
  int32_t k_h, k_w;
  int32_t oc, ky, kx, ic;
  mt_wgrad_src src;

  if (p == NULL || g == NULL) {
    return MT_ERR_ARG;
  }
  if (!mt_conv2d_grad_weight_dims_ok(p, filter_dims, channels, out_dims)) {
    return MT_ERR_ARG;
  }
  if (channels == 0) {
    return MT_OK;
  }
  if (acc == NULL ||
      !mt_conv2d_grad_weight_x_ok(x_dims, x, x_zero_point, filter_dims, channels, out_dims)) {
    return MT_ERR_ARG;
  }

  k_h = filter_dims->h;
  k_w = filter_dims->w;
  mt_wgrad_src_init(&src, p, x_dims, x, x_scale, x_zero_point, out_dims, g);
  for (oc = 0; oc < out_dims->c; oc++) {
    for (ky = 0; ky < k_h; ky++) {
      for (kx = 0; kx < k_w; kx++) {
        float *ap = acc + ((oc * k_h + ky) * k_w + kx) * channels;
        for (ic = 0; ic < channels; ic++) {
          ap[ic] += mt_conv_wgrad_sum(&src, oc, ky, kx, ic);
        }
      }
    }
  }
  return MT_OK;
}
