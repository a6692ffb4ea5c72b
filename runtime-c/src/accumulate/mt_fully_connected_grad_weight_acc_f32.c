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
  int32_t u, d;
  if (!mt_fc_grad_weight_dims_ok(g, batches, depth, units, channels)) {
    return MT_ERR_ARG;
  }
  if (channels == 0) {
    return MT_OK;
  }
  if (x == NULL || acc == NULL || !mt_zero_point_ok(x_zero_point)) {
    return MT_ERR_ARG;
  }
  for (u = 0; u < units; u++) {
    float *row = acc + u * channels;
    for (d = 0; d < channels; d++) {
      row[d] += mt_fc_wgrad_sum(x, x_scale, x_zero_point, channels, g, units, batches, u, d);
    }
  }
  return MT_OK;
}
