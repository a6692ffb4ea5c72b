/*
 * mcutrain runtime — CONV_2D input gradient, fp32. Java twin: BackwardKernels.conv2dGradInput.
 */
#include "mt_backward.h"
#include "mt_support.h"

/*
 * for b, oy, ox, oc (skipping g == 0), for in-bounds ky, kx, for ic:
 *   dx[b,iy,ix,ic] += g * (s_w[oc] * (float) w[oc,ky,kx,ic])
 */
mt_status mt_conv2d_grad_input_f32(const mt_conv_params *p, const float *w_scale,
                                   int32_t per_channel,
                                   const mt_dims *in_dims,
                                   const mt_dims *filter_dims, const int8_t *filter,
                                   const mt_dims *out_dims, const float *g, float *dx) {
  int32_t batches, in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
  int32_t b, oy, ox, oc, ky, kx, i;

  if (p == NULL || w_scale == NULL || filter == NULL || g == NULL || dx == NULL) {
    return MT_ERR_ARG;
  }
  if (mt_dims_count(in_dims) < 0 || mt_dims_count(filter_dims) < 0 ||
      mt_dims_count(out_dims) < 0) {
    return MT_ERR_ARG;
  }
  batches = out_dims->n;
  in_h = in_dims->h;
  in_w = in_dims->w;
  in_c = in_dims->c;
  k_h = filter_dims->h;
  k_w = filter_dims->w;
  out_h = out_dims->h;
  out_w = out_dims->w;
  out_c = out_dims->c;
  if (in_dims->n != batches || filter_dims->n != out_c || filter_dims->c != in_c) {
    return MT_ERR_ARG;
  }
  if (p->stride_h < 1 || p->stride_w < 1 || p->pad_h < 0 || p->pad_w < 0) {
    return MT_ERR_ARG;
  }

  for (b = 0; b < batches; b++) {
    for (oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        const float *gp = g + ((b * out_h + oy) * out_w + ox) * out_c;
        for (oc = 0; oc < out_c; oc++) {
          const float gv = gp[oc];
          float s;
          if (gv == 0.0f) {
            continue;
          }
          s = w_scale[per_channel != 0 ? oc : 0];
          for (ky = 0; ky < k_h; ky++) {
            const int32_t iy = iy0 + ky;
            if (iy < 0 || iy >= in_h) {
              continue;
            }
            for (kx = 0; kx < k_w; kx++) {
              const int32_t ix = ix0 + kx;
              float *dxp;
              const int8_t *fp;
              if (ix < 0 || ix >= in_w) {
                continue;
              }
              dxp = dx + ((b * in_h + iy) * in_w + ix) * in_c;
              fp = filter + ((oc * k_h + ky) * k_w + kx) * in_c;
              for (i = 0; i < in_c; i++) {
                const float wr = s * (float)fp[i];
                dxp[i] += gv * wr;
              }
            }
          }
        }
      }
    }
  }
  return MT_OK;
}
