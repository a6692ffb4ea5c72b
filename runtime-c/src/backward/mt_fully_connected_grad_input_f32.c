/*
 * mcutrain runtime — FULLY_CONNECTED input gradient, fp32.
 * Java twin: BackwardKernels.fullyConnectedGradInput.
 */
#include "mt_backward.h"

/* for b, u (skipping g == 0), for d: dx[b,d] += g[b,u] * (s_w[u] * (float) w[u,d]) */
static mt_status grad_input(int32_t batches, int32_t depth, int32_t units, const float *w_scale,
                            int32_t per_channel, const int8_t *filter, const int8_t *slice,
                            int32_t split, const float *g, float *dx) {
  int32_t b, u, d;
  if (w_scale == NULL || filter == NULL || g == NULL || dx == NULL || batches < 1 || depth < 1 ||
      split < 0 || split > depth || (split > 0 && slice == NULL) ||
      units < 1 || units > INT32_MAX / depth || batches > INT32_MAX / depth ||
      batches > INT32_MAX / units) {
    return MT_ERR_ARG;
  }
  for (b = 0; b < batches; b++) {
    float *dxp = dx + b * depth;
    for (u = 0; u < units; u++) {
      const float gv = g[b * units + u];
      const int8_t *row = filter + u * depth;
      const int8_t *part = slice + u * split;
      float s;
      if (gv == 0.0f) {
        continue;
      }
      s = w_scale[per_channel != 0 ? u : 0];
      for (d = 0; d < split; d++) {
        const float wr = s * (float)part[d];
        dxp[d] += gv * wr;
      }
      for (; d < depth; d++) {
        const float wr = s * (float)row[d];
        dxp[d] += gv * wr;
      }
    }
  }
  return MT_OK;
}

mt_status mt_fully_connected_grad_input_f32(int32_t batches, int32_t depth, int32_t units,
                                            const float *w_scale, int32_t per_channel,
                                            const int8_t *filter, const float *g, float *dx) {
  return grad_input(batches, depth, units, w_scale, per_channel, filter, filter, 0, g, dx);
}

mt_status mt_fully_connected_grad_input_split_f32(int32_t batches, int32_t depth, int32_t units,
                                                  const float *w_scale, int32_t per_channel,
                                                  const int8_t *filter, const int8_t *slice,
                                                  int32_t split, const float *g, float *dx) {
  return grad_input(batches, depth, units, w_scale, per_channel, filter, slice, split, g, dx);
}
