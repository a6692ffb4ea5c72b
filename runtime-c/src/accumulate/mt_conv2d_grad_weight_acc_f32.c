/*
 * mcutrain runtime — CONV_2D weight gradient accumulated into fp32 (gradient accumulation).
 * Java twin: AccumulateKernels.conv2dGradWeightAcc (BackwardKernels.conv2dGradWeight per weight).
 */
#include "mt_accumulate.h"
#include "mt_support.h"

/*
 * for oc, ky, kx, ic < channels:
 *   gw = sum over b, oy, ox (in-bounds taps, in order, from +0) of
 *        g[b,oy,ox,oc] * (x_scale * (float) (x[b,iy,ix,ic] - x_zero_point))
 *   acc[((oc*kh + ky)*kw + kx)*channels + ic] += gw
 *
 * Terms with g == 0 are skipped when x_scale * 256 is finite: the term is then +-0 and the sum,
 * starting at +0, is never -0 under round-to-nearest, so gw keeps the reference's bits (as
 * mt_conv2d_update_s8).
 */
mt_status mt_conv2d_grad_weight_acc_f32(const mt_conv_params *p,
                                        const mt_dims *x_dims, const int8_t *x, float x_scale,
                                        int32_t x_zero_point,
                                        const mt_dims *filter_dims, int32_t channels,
                                        const mt_dims *out_dims, const float *g, float *acc) {
  int32_t out_n, out_h, out_w, out_c, k_h, k_w, in_h, in_w, x_c;
  int32_t oc, ky, kx, ic, b, oy, ox;
  float lim;
  int32_t skip_zero;

  if (p == NULL || g == NULL) {
    return MT_ERR_ARG;
  }
  if (mt_dims_count(filter_dims) < 0 || mt_dims_count(out_dims) < 0) {
    return MT_ERR_ARG;
  }
  if (filter_dims->n != out_dims->c || channels < 0 || channels > filter_dims->c) {
    return MT_ERR_ARG;
  }
  if (p->stride_h < 1 || p->stride_w < 1 || p->pad_h < 0 || p->pad_w < 0) {
    return MT_ERR_ARG;
  }
  if (channels == 0) {
    return MT_OK;
  }
  if (x == NULL || acc == NULL || mt_dims_count(x_dims) < 0) {
    return MT_ERR_ARG;
  }
  if (x_dims->n != out_dims->n || x_dims->c < channels || x_dims->c > filter_dims->c ||
      x_zero_point < -128 || x_zero_point > 127) {
    return MT_ERR_ARG;
  }

  out_n = out_dims->n;
  out_h = out_dims->h;
  out_w = out_dims->w;
  out_c = out_dims->c;
  k_h = filter_dims->h;
  k_w = filter_dims->w;
  in_h = x_dims->h;
  in_w = x_dims->w;
  x_c = x_dims->c;
  lim = x_scale * 256.0f;
  skip_zero = (lim - lim == 0.0f) ? 1 : 0; /* finite (inf - inf and NaN give NaN) */
  for (oc = 0; oc < out_c; oc++) {
    for (ky = 0; ky < k_h; ky++) {
      for (kx = 0; kx < k_w; kx++) {
        float *ap = acc + ((oc * k_h + ky) * k_w + kx) * channels;
        for (ic = 0; ic < channels; ic++) {
          float gw = 0.0f;
          for (b = 0; b < out_n; b++) {
            for (oy = 0; oy < out_h; oy++) {
              const int32_t iy = oy * p->stride_h - p->pad_h + ky;
              if (iy < 0 || iy >= in_h) {
                continue;
              }
              for (ox = 0; ox < out_w; ox++) {
                const int32_t ix = ox * p->stride_w - p->pad_w + kx;
                float gv;
                float xr;
                if (ix < 0 || ix >= in_w) {
                  continue;
                }
                gv = g[((b * out_h + oy) * out_w + ox) * out_c + oc];
                if (gv == 0.0f && skip_zero) {
                  continue;
                }
                xr = x_scale *
                     (float)((int32_t)x[((b * in_h + iy) * in_w + ix) * x_c + ic] - x_zero_point);
                gw += gv * xr;
              }
            }
          }
          ap[ic] += gw;
        }
      }
    }
  }
  return MT_OK;
}
