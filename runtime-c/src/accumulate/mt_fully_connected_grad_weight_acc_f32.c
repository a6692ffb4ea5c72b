/*
 * mcutrain runtime — FULLY_CONNECTED weight gradient accumulated into fp32 (gradient
 * accumulation). Java twin: AccumulateKernels.fullyConnectedGradWeightAcc
 * (BackwardKernels.fullyConnectedGradWeight per weight).
 */
#include "mt_accumulate.h"

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
  int32_t u, d, b;
  if (g == NULL || batches < 1 || depth < 1 || units < 1 || units > INT32_MAX / depth ||
      batches > INT32_MAX / units || batches > INT32_MAX / depth || channels < 0 ||
      channels > depth) {
    return MT_ERR_ARG;
  }
  if (channels == 0) {
    return MT_OK;
  }
  if (x == NULL || acc == NULL || x_zero_point < -128 || x_zero_point > 127) {
    return MT_ERR_ARG;
  }
  for (u = 0; u < units; u++) {
    float *row = acc + u * channels;
    for (d = 0; d < channels; d++) {
      float gw = 0.0f;
      for (b = 0; b < batches; b++) {
        const float xr = x_scale * (float)((int32_t)x[b * channels + d] - x_zero_point);
        gw += g[b * units + u] * xr;
      }
      row[d] += gw;
    }
  }
  return MT_OK;
}
