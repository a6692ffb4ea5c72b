/*
 * mcutrain runtime — CONV_2D: applies the mean of the accumulated weight gradients as one int8
 * update and clears the accumulators. Java twin: AccumulateKernels.conv2dApply.
 */
#include "mt_accumulate.h"
#include "mt_support.h"

/*
 * for oc, ky, kx, ic < channels:
 *   a = ((oc*kh + ky)*kw + kx)*channels + ic;  i = ((oc*kh + ky)*kw + kx)*in_c + ic
 *   filter[i] = mt_update_s8(filter[i], mt_qas_delta(acc[a] / (float) count, k_w[oc], lr),
 *                            rounding, rng)
 *   acc[a] = 0
 */
mt_status mt_conv2d_apply_acc_s8(const mt_update_params *u, int32_t count,
                                 const mt_dims *filter_dims, int8_t *filter, int32_t channels,
                                 float *acc, mt_prng *rng) {
  int32_t out_c, k_h, k_w, f_c;
  int32_t oc, ky, kx, ic;
  float n;
  if (u == NULL || count < 1 || mt_dims_count(filter_dims) < 0) {
    return MT_ERR_ARG;
  }
  if (channels < 0 || channels > filter_dims->c) {
    return MT_ERR_ARG;
  }
  if (channels == 0) {
    return MT_OK;
  }
  if (filter == NULL || acc == NULL || u->k_w == NULL ||
      (u->rounding == MT_ROUND_STOCHASTIC && rng == NULL)) {
    return MT_ERR_ARG;
  }
  out_c = filter_dims->n;
  k_h = filter_dims->h;
  k_w = filter_dims->w;
  f_c = filter_dims->c;
  n = (float)count;
  for (oc = 0; oc < out_c; oc++) {
    const float k = u->k_w[oc];
    for (ky = 0; ky < k_h; ky++) {
      for (kx = 0; kx < k_w; kx++) {
        const int32_t tap = (oc * k_h + ky) * k_w + kx;
        float *ap = acc + tap * channels;
        int8_t *fp = filter + tap * f_c;
        for (ic = 0; ic < channels; ic++) {
          ap[ic] = ap[ic] / n; /* the mean, in place: the row is cleared below */
        }
        mt_update_s8_qas_run(fp, ap, channels, k, u->lr, u->rounding, rng);
        for (ic = 0; ic < channels; ic++) {
          ap[ic] = 0.0f;
        }
      }
    }
  }
  return MT_OK;
}
