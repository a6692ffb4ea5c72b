/*
 * mcutrain runtime — FULLY_CONNECTED weight gradient accumulated into fp32 (gradient
 * accumulation). Java twin: AccumulateKernels.fullyConnectedGradWeightAcc
 * (BackwardKernels.fullyConnectedGradWeight per weight).
 */
#include "mt_accumulate.h"
#include "mt_backward_support.h"

/*
 * for u < units, d < channels:
 *   gw = sum over b (in order, from +0) of g[b,u] * (x_scale * (float) (x[b,d] - x_zero_point))
 *   acc[u*channels + d] += gw
 * x is the slice [batches, channels]; no term is skipped.
 */
mt_status mt_fully_connected_grad_weight_acc_f32(int32_t batches, int32_t depth, int32_t units,
                                                 const int8_t *x, float x_scale,
                                                 int32_t x_zero_point, int32_t channels,
                                                 const float *g, float *acc) {
  float lut[256], gw[MT_FC_RUN];
  int32_t u, d, i;
  if (!mt_fc_grad_weight_dims_ok(g, batches, depth, units, channels)) {
    return MT_ERR_ARG;
  }
  if (channels == 0) {
    return MT_OK;
  }
  if (x == NULL || acc == NULL || !mt_zero_point_ok(x_zero_point)) {
    return MT_ERR_ARG;
  }
  mt_x_lut_fill(lut, x_scale, x_zero_point);
  for (u = 0; u < units; u++) {
    float *row = acc + u * channels;
    for (d = 0; d < channels; d += MT_FC_RUN) {
      const int32_t n = channels - d < MT_FC_RUN ? channels - d : MT_FC_RUN;
      mt_fc_wgrad_sums(lut, x, channels, g, units, batches, u, d, n, gw);
      for (i = 0; i < n; i++) {
        row[d + i] += gw[i];
      }
    }
  }
  return MT_OK;
}
