/*
 * mcutrain runtime — int8 -> fp32 dequantization for the backward pass and the fp32 head.
 * Java twin: BackwardKernels.dequantize.
 */
#include "mt_backward.h"

mt_status mt_dequantize_f32(const int8_t *q, int32_t n, float scale, int32_t zp, float *out) {
  int32_t i;
  if (q == NULL || out == NULL || n < 0 || zp < -128 || zp > 127) {
    return MT_ERR_ARG;
  }
  for (i = 0; i < n; i++) {
    out[i] = scale * (float)((int32_t)q[i] - zp);
  }
  return MT_OK;
}
