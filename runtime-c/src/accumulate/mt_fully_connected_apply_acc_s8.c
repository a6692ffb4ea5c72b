/*
 * mcutrain runtime — FULLY_CONNECTED: applies the mean of the accumulated weight gradients as
 * one int8 update and clears the accumulators. Java twin: AccumulateKernels.fullyConnectedApply.
 */
#include "mt_accumulate.h"

/*
 * for u < units, d < channels:
 *   a = u*channels + d;  i = u*depth + d
 *   filter[i] = mt_update_s8(filter[i], mt_qas_delta(acc[a] / (float) count, k_w[u], lr),
 *                            rounding, rng)
 *   acc[a] = 0
 */
mt_status mt_fully_connected_apply_acc_s8(const mt_update_params *u, int32_t count,
                                          int32_t depth, int32_t units, int8_t *filter,
                                          int32_t channels, float *acc, mt_prng *rng) {
  int32_t o, d;
  float n;
  if (u == NULL || count < 1 || depth < 1 || units < 1 || units > INT32_MAX / depth ||
      channels < 0 || channels > depth) {
    return MT_ERR_ARG;
  }
  if (channels == 0) {
    return MT_OK;
  }
  if (filter == NULL || acc == NULL || u->k_w == NULL ||
      (u->rounding == MT_ROUND_STOCHASTIC && rng == NULL)) {
    return MT_ERR_ARG;
  }
  n = (float)count;
  for (o = 0; o < units; o++) {
    const float k = u->k_w[o];
    int8_t *row = filter + o * depth;
    float *ap = acc + o * channels;
    for (d = 0; d < channels; d++) {
      ap[d] = ap[d] / n; /* the mean, in place: the row is cleared below */
    }
    mt_update_s8_qas_run(row, ap, channels, k, u->lr, u->rounding, rng);
    for (d = 0; d < channels; d++) {
      ap[d] = 0.0f;
    }
  }
  return MT_OK;
}
