/*
 * mcutrain runtime — AVERAGE_POOL_2D input gradient, fp32.
 * Java twin: BackwardKernels.avgPoolGradInput.
 */
#include "mt_backward.h"
#include "mt_support.h"

/*
 * for b, oy, ox (skipping windows without an in-bounds tap), c (skipping g == 0):
 *   share = g / (float) count; for in-bounds fy, fx: dx += share
 */
mt_status mt_avg_pool2d_grad_input_f32(const mt_pool_params *p, const mt_dims *in_dims,
                                       const mt_dims *out_dims, const float *g, float *dx) {
  int32_t in_h, in_w, ch, out_h, out_w;
  int32_t b, oy, ox, c, fy, fx;
  if (p == NULL || g == NULL || dx == NULL || mt_dims_count(in_dims) < 0 ||
      mt_dims_count(out_dims) < 0) {
    return MT_ERR_ARG;
  }
  if (out_dims->n != in_dims->n || out_dims->c != in_dims->c) {
    return MT_ERR_ARG;
  }
  if (p->stride_h < 1 || p->stride_w < 1 || p->filter_h < 1 || p->filter_w < 1 ||
      p->pad_h < 0 || p->pad_w < 0) {
    return MT_ERR_ARG;
  }
  in_h = in_dims->h;
  in_w = in_dims->w;
  ch = in_dims->c;
  out_h = out_dims->h;
  out_w = out_dims->w;
  for (b = 0; b < out_dims->n; b++) {
    for (oy = 0; oy < out_h; oy++) {
      const int32_t y0 = oy * p->stride_h - p->pad_h;
      const int32_t fy0 = y0 < 0 ? -y0 : 0;
      const int32_t fy1 = (in_h - y0 < p->filter_h) ? in_h - y0 : p->filter_h;
      for (ox = 0; ox < out_w; ox++) {
        const int32_t x0 = ox * p->stride_w - p->pad_w;
        const int32_t fx0 = x0 < 0 ? -x0 : 0;
        const int32_t fx1 = (in_w - x0 < p->filter_w) ? in_w - x0 : p->filter_w;
        const float *gp = g + ((b * out_h + oy) * out_w + ox) * ch;
        float count_f;
        if (fy1 <= fy0 || fx1 <= fx0) {
          continue; /* count == 0 */
        }
        count_f = (float)((fy1 - fy0) * (fx1 - fx0));
        for (c = 0; c < ch; c++) {
          const float gv = gp[c];
          float share;
          if (gv == 0.0f) {
            continue;
          }
          share = gv / count_f;
          for (fy = fy0; fy < fy1; fy++) {
            float *row = dx + ((b * in_h + y0 + fy) * in_w + x0) * ch + c;
            for (fx = fx0; fx < fx1; fx++) {
              row[fx * ch] += share;
            }
          }
        }
      }
    }
  }
  return MT_OK;
}
