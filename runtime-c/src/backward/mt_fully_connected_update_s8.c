/*
 * mcutrain runtime — FULLY_CONNECTED weight gradient fused with the int8 weight update, then the
 * bias update. Java twin: the FULLY_CONNECTED branch of ReferenceTrainer.backward
 * (BackwardKernels.fullyConnectedGradWeight + Update.s8 / Update.qasDelta, then updateBias).
 */
#include "mt_backward.h"
#include "mt_backward_support.h"

/*
 * for o < units, d < channels:
 *   gw = sum over b (in order, from +0) of g[b,o] * (x_scale * (float) (x[b,d] - x_zero_point))
 *   filter[o,d] = mt_update_s8(filter[o * depth + d], mt_qas_delta(gw, k_w[o], lr), ...)
 * then (bias != NULL) mt_bias_update_s32 over the batches. x is [batches, channels].
 * The sums come MT_FC_RUN inputs at a time (mt_fc_wgrad_sums, x_real from a table), each run's
 * weights are then updated in order (mt_update_s8_qas_run).
 */
mt_status mt_fully_connected_update_s8(const mt_update_params *u, int32_t batches, int32_t depth,
                                       int32_t units, const int8_t *x, float x_scale,
                                       int32_t x_zero_point, int8_t *filter, int32_t channels,
                                       const float *g, int32_t *bias, mt_prng *rng) {
  int32_t o, d;
  if (u == NULL || filter == NULL ||
      !mt_fc_grad_weight_dims_ok(g, batches, depth, units, channels)) {
    return MT_ERR_ARG;
  }
  if (!mt_update_args_ok(u, channels, bias, rng)) {
    return MT_ERR_ARG;
  }
  if (channels > 0 && (x == NULL || !mt_zero_point_ok(x_zero_point))) {
    return MT_ERR_ARG;
  }
  if (channels > 0) {
    float lut[256], gw[MT_FC_RUN];
    mt_x_lut_fill(lut, x_scale, x_zero_point);
    for (o = 0; o < units; o++) {
      int8_t *row = filter + o * depth;
      for (d = 0; d < channels; d += MT_FC_RUN) {
        const int32_t n = channels - d < MT_FC_RUN ? channels - d : MT_FC_RUN;
        mt_fc_wgrad_sums(lut, x, channels, g, units, batches, o, d, n, gw);
        mt_update_s8_qas_run(row + d, gw, n, u->k_w[o], u->lr, u->rounding, rng);
      }
    }
  }
  if (bias != NULL) {
    return mt_bias_update_s32(u, batches, units, g, bias, rng);
  }
  return MT_OK;
}
