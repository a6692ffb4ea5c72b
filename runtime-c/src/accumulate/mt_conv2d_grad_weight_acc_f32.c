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
 * The sums are computed as mt_backward_support.h describes (same bits).
 */
mt_status mt_conv2d_grad_weight_acc_f32(const mt_conv_params *p,
                                        const mt_dims *x_dims, const int8_t *x, float x_scale,
                                        int32_t x_zero_point,
                                        const mt_dims *filter_dims, int32_t channels,
                                        const mt_dims *out_dims, const float *g, float *acc) {
  int32_t k_h, k_w;
  int32_t oc, ky, kx, ic, j, i;
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
  /*
   * 4 output x 4 input channels at a time (mt_conv_wgrad_sums). Every acc element gets its sum
   * added, also a sum of +0 (acc may hold -0).
   */
  for (oc = 0; oc < out_dims->c; oc += 4) {
    const int32_t no = out_dims->c - oc < 4 ? out_dims->c - oc : 4;
    const int zero = mt_wgrad_all_zero(&src, oc, no);
    for (ky = 0; ky < k_h; ky++) {
      for (kx = 0; kx < k_w; kx++) {
        mt_tap_rows t;
        const int reads = mt_tap_rows_of(&src, ky, kx, &t) && !zero;
        for (ic = 0; ic < channels; ic += 4) {
          const int32_t ni = channels - ic < 4 ? channels - ic : 4;
          float sums[4][4];
          mt_conv_wgrad_sums(&src, reads ? &t : NULL, oc, no, ic, ni, sums);
          for (j = 0; j < no; j++) {
            float *ap = acc + (((oc + j) * k_h + ky) * k_w + kx) * channels + ic;
            for (i = 0; i < ni; i++) {
              ap[i] += sums[j][i];
            }
          }
        }
      }
    }
  }
  return MT_OK;
}
