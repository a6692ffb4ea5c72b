/*
 * mcutrain runtime — DEPTHWISE_CONV_2D weight gradient accumulated into fp32 (gradient
 * accumulation). Java twin: AccumulateKernels.depthwiseGradWeightAcc
 * (BackwardKernels.depthwiseGradWeight per weight).
 */
#include "mt_accumulate.h"
#include "mt_backward_support.h"

/*
 * for o < channels (output channels), ky, kx:
 *   gw = sum over b, oy, ox (in-bounds, in order, from +0) of
 *        g[b,oy,ox,o] * (x_scale * (float) (x[b,iy,ix,o / M] - x_zero_point))
 *   acc[(o*kh + ky)*kw + kx] += gw
 * The sums are computed as mt_backward_support.h describes (same bits).
 */
mt_status mt_depthwise_grad_weight_acc_f32(const mt_conv_params *p,
                                           const mt_dims *x_dims, const int8_t *x,
                                           float x_scale, int32_t x_zero_point,
                                           const mt_dims *filter_dims, int32_t channels,
                                           const mt_dims *out_dims, const float *g, float *acc) {
  int32_t k_h, k_w, mult;
  int32_t o, ky, kx, j;
  mt_wgrad_src src;

  if (p == NULL || g == NULL) {
    return MT_ERR_ARG;
  }
  if (!mt_depthwise_grad_weight_dims_ok(p, filter_dims, channels, out_dims)) {
    return MT_ERR_ARG;
  }
  if (channels == 0) {
    return MT_OK;
  }
  if (acc == NULL ||
      !mt_depthwise_grad_weight_x_ok(p, x_dims, x, x_zero_point, channels, out_dims)) {
    return MT_ERR_ARG;
  }

  k_h = filter_dims->h;
  k_w = filter_dims->w;
  mult = p->depth_multiplier;
  mt_wgrad_src_init(&src, p, x_dims, x, x_scale, x_zero_point, out_dims, g);
  /* 4 output channels at a time; every acc element gets its sum added, also +0 (acc may be -0) */
  for (o = 0; o < channels; o += 4) {
    const int32_t no = channels - o < 4 ? channels - o : 4;
    const int zero = mt_wgrad_all_zero(&src, o, no);
    for (ky = 0; ky < k_h; ky++) {
      for (kx = 0; kx < k_w; kx++) {
        mt_tap_rows t;
        const int reads = mt_tap_rows_of(&src, ky, kx, &t) && !zero;
        float sums[4];
        mt_depthwise_wgrad_sums(&src, reads ? &t : NULL, o, no, mult, sums);
        for (j = 0; j < no; j++) {
          acc[((o + j) * k_h + ky) * k_w + kx] += sums[j];
        }
      }
    }
  }
  return MT_OK;
}
