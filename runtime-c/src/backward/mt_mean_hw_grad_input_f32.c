/*
 * mcutrain runtime — MEAN over H and W input gradient, fp32.
 * Java twin: BackwardKernels.meanGradInput.
 */
#include "mt_backward.h"
#include "mt_support.h"

/* dx[b,h,w,c] += g[b,c] / (float) (H * W), in b, h, w, c order. */
mt_status mt_mean_hw_grad_input_f32(const mt_dims *in_dims, const float *g, float *dx) {
  int32_t hw, ch, b, pos, c;
  float hw_f;
  if (g == NULL || dx == NULL || mt_dims_count(in_dims) < 0) {
    return MT_ERR_ARG;
  }
  hw = in_dims->h * in_dims->w;
  ch = in_dims->c;
  hw_f = (float)hw;
  for (b = 0; b < in_dims->n; b++) {
    const float *gb = g + b * ch;
    for (pos = 0; pos < hw; pos++) {
      float *dxp = dx + (b * hw + pos) * ch;
      for (c = 0; c < ch; c++) {
        dxp[c] += gb[c] / hw_f;
      }
    }
  }
  return MT_OK;
}
