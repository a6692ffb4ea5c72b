/*
 * mcutrain runtime — int32 bias gradient fused with its update.
 * Java twin: ReferenceTrainer.updateBias (BackwardKernels.biasGrad + Update.s32).
 */
#include "mt_backward.h"

/*
 * for o < channels: gb = sum over p < positions (in order, from +0) of g[p * channels + o];
 *   bias[o] = mt_update_s32(bias[o], mt_qas_delta(gb, k_b[o], lr), rounding, rng)
 */
mt_status mt_bias_update_s32(const mt_update_params *u, int32_t positions, int32_t channels,
                             const float *g, int32_t *bias, mt_prng *rng) {
  int32_t o, pos;
  if (u == NULL || u->k_b == NULL || g == NULL || bias == NULL || positions < 1 ||
      channels < 1 || positions > INT32_MAX / channels) {
    return MT_ERR_ARG;
  }
  if (u->rounding == MT_ROUND_STOCHASTIC && rng == NULL) {
    return MT_ERR_ARG;
  }
  /* 4 channels' sums at a time, each over the positions in order, in registers */
  for (o = 0; o + 4 <= channels; o += 4) {
    float gb0 = 0.0f, gb1 = 0.0f, gb2 = 0.0f, gb3 = 0.0f;
    for (pos = 0; pos < positions; pos++) {
      const float *gp = g + pos * channels + o;
      gb0 += gp[0];
      gb1 += gp[1];
      gb2 += gp[2];
      gb3 += gp[3];
    }
    bias[o] = mt_update_s32(bias[o], mt_qas_delta(gb0, u->k_b[o], u->lr), u->rounding, rng);
    bias[o + 1] =
        mt_update_s32(bias[o + 1], mt_qas_delta(gb1, u->k_b[o + 1], u->lr), u->rounding, rng);
    bias[o + 2] =
        mt_update_s32(bias[o + 2], mt_qas_delta(gb2, u->k_b[o + 2], u->lr), u->rounding, rng);
    bias[o + 3] =
        mt_update_s32(bias[o + 3], mt_qas_delta(gb3, u->k_b[o + 3], u->lr), u->rounding, rng);
  }
  for (; o < channels; o++) {
    float gb = 0.0f;
    for (pos = 0; pos < positions; pos++) {
      gb += g[pos * channels + o];
    }
    bias[o] = mt_update_s32(bias[o], mt_qas_delta(gb, u->k_b[o], u->lr), u->rounding, rng);
  }
  return MT_OK;
}
