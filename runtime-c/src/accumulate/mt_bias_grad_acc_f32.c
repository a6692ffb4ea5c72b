/*
 * mcutrain runtime — bias gradient accumulated into fp32 (gradient accumulation).
 * Java twin: AccumulateKernels.biasGradAcc (BackwardKernels.biasGrad per channel).
 */
#include "mt_accumulate.h"

/*
 * for o < channels:
 *   gb = sum over p < positions (in order, from +0) of g[p*channels + o];  acc[o] += gb
 */
mt_status mt_bias_grad_acc_f32(int32_t positions, int32_t channels, const float *g, float *acc) {
  int32_t o, pos;
  if (g == NULL || acc == NULL || positions < 1 || channels < 1 ||
      positions > INT32_MAX / channels) {
    return MT_ERR_ARG;
  }
  for (o = 0; o < channels; o++) {
    float gb = 0.0f;
    for (pos = 0; pos < positions; pos++) {
      gb += g[pos * channels + o];
    }
    acc[o] += gb;
  }
  return MT_OK;
}
