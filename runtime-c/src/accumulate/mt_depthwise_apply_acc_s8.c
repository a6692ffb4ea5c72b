/*
 * mcutrain runtime — DEPTHWISE_CONV_2D: applies the mean of the accumulated weight gradients as
 * one int8 update and clears the accumulators. Java twin: AccumulateKernels.depthwiseApply.
 */
#include "mt_accumulate.h"
#include "mt_support.h"

/*
 * for o < channels, ky, kx:
 *   a = (o*kh + ky)*kw + kx;  i = (ky*kw + kx)*out_c + o
 *   filter[i] = mt_update_s8(filter[i], mt_qas_delta(acc[a] / (float) count, k_w[o], lr),
 *                            rounding, rng)
 *   acc[a] = 0
 */
mt_status mt_depthwise_apply_acc_s8(const mt_update_params *u, int32_t count,
                                    const mt_dims *filter_dims, int8_t *filter, int32_t channels,
                                    float *acc, mt_prng *rng) {
  int32_t out_c, k_h, k_w;
  int32_t o, ky, kx;
  float n;
  if (u == NULL || count < 1 || mt_dims_count(filter_dims) < 0) {
    return MT_ERR_ARG;
  }
  if (filter_dims->n != 1 || channels < 0 || channels > filter_dims->c) {
    return MT_ERR_ARG;
  }
  if (channels == 0) {
    return MT_OK;
  }
  if (filter == NULL || acc == NULL || u->k_w == NULL ||
      (u->rounding == MT_ROUND_STOCHASTIC && rng == NULL)) {
    return MT_ERR_ARG;
  }
  out_c = filter_dims->c;
  k_h = filter_dims->h;
  k_w = filter_dims->w;
  n = (float)count;
  for (o = 0; o < channels; o++) {
    const float k = u->k_w[o];
    for (ky = 0; ky < k_h; ky++) {
      for (kx = 0; kx < k_w; kx++) {
        const int32_t a = (o * k_h + ky) * k_w + kx;
        const int32_t i = (ky * k_w + kx) * out_c + o;
        filter[i] = mt_update_s8(filter[i], mt_qas_delta(acc[a] / n, k, u->lr), u->rounding, rng);
        acc[a] = 0.0f;
      }
    }
  }
  return MT_OK;
}
