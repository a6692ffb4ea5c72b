/*
 * mcutrain runtime — FULLY_CONNECTED weight gradient fused with the int8 weight update, then the
 * bias update. Java twin: the FULLY_CONNECTED branch of ReferenceTrainer.backward
 * (BackwardKernels.fullyConnectedGradWeight + Update.s8 / Update.qasDelta, then updateBias).
 */
#include "mt_backward.h"

/*
 * for o < units, d < channels:
 *   gw = sum over b (in order, from +0) of g[b,o] * (x_scale * (float) (x[b,d] - x_zero_point))
 *   filter[o,d] = mt_update_s8(filter[o * depth + d], mt_qas_delta(gw, k_w[o], lr), ...)
 * then (bias != NULL) mt_bias_update_s32 over the batches. x is [batches, channels].
 */
mt_status mt_fully_connected_update_s8(const mt_update_params *u, int32_t batches, int32_t depth,
                                       int32_t units, const int8_t *x, float x_scale,
                                       int32_t x_zero_point, int8_t *filter, int32_t channels,
                                       const float *g, int32_t *bias, mt_prng *rng) {
  int32_t o, d, b;
  if (u == NULL || filter == NULL || g == NULL || batches < 1 || depth < 1 || units < 1 ||
      units > INT32_MAX / depth || batches > INT32_MAX / units || batches > INT32_MAX / depth ||
      channels < 0 || channels > depth) {
    return MT_ERR_ARG;
  }
  if (u->rounding == MT_ROUND_STOCHASTIC && rng == NULL) {
    return MT_ERR_ARG;
  }
  if (bias != NULL && u->k_b == NULL) {
    return MT_ERR_ARG;
  }
  if (channels > 0 &&
      (x == NULL || u->k_w == NULL || x_zero_point < -128 || x_zero_point > 127)) {
    return MT_ERR_ARG;
  }
  for (o = 0; o < units && channels > 0; o++) {
    const float k = u->k_w[o];
    int8_t *row = filter + o * depth;
    for (d = 0; d < channels; d++) {
      float gw = 0.0f;
      for (b = 0; b < batches; b++) {
        const float xr = x_scale * (float)((int32_t)x[b * channels + d] - x_zero_point);
        gw += g[b * units + o] * xr;
      }
      row[d] = mt_update_s8(row[d], mt_qas_delta(gw, k, u->lr), u->rounding, rng);
    }
  }
  if (bias != NULL) {
    return mt_bias_update_s32(u, batches, units, g, bias, rng);
  }
  return MT_OK;
}
