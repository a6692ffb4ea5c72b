/*
 * mcutrain runtime — applies the mean of the accumulated bias gradients as one int32 update and
 * clears the accumulators. Java twin: AccumulateKernels.biasApply.
 */
#include "mt_accumulate.h"

/*
 * for o < channels:
 *   bias[o] = mt_update_s32(bias[o], mt_qas_delta(acc[o] / (float) count, k_b[o], lr),
 *                           rounding, rng)
 *   acc[o] = 0
 */
mt_status mt_bias_apply_acc_s32(const mt_update_params *u, int32_t count, int32_t channels,
                                int32_t *bias, float *acc, mt_prng *rng) {
  int32_t o;
  float n;
  if (u == NULL || u->k_b == NULL || bias == NULL || acc == NULL || count < 1 || channels < 1) {
    return MT_ERR_ARG;
  }
  if (u->rounding == MT_ROUND_STOCHASTIC && rng == NULL) {
    return MT_ERR_ARG;
  }
  n = (float)count;
  for (o = 0; o < channels; o++) {
    bias[o] = mt_update_s32(bias[o], mt_qas_delta(acc[o] / n, u->k_b[o], u->lr), u->rounding,
                            rng);
    acc[o] = 0.0f;
  }
  return MT_OK;
}
