/*
 * mcutrain runtime — DEPTHWISE_CONV_2D weight gradient fused with the int8 weight update, then
 * the bias update. Java twin: the DEPTHWISE_CONV_2D branch of ReferenceTrainer.backward
 * (BackwardKernels.depthwiseGradWeight + Update.s8 / Update.qasDelta, then updateBias).
 */
#include "mt_backward.h"
#include "mt_support.h"

/*
 * for oc < channels (output channels), ky, kx:
 *   gw = sum over b, oy, ox (in-bounds, in order, from +0) of g[b,oy,ox,oc] * x_real[b,iy,ix,oc/M]
 *   filter[ky,kx,oc] = mt_update_s8(filter[..], mt_qas_delta(gw, k_w[oc], lr), rounding, rng)
 * then (bias != NULL) mt_bias_update_s32 over the output positions, every output channel.
 * Zero g terms are skipped under the same condition as mt_conv2d_update_s8 (same bits).
 */
mt_status mt_depthwise_update_s8(const mt_conv_params *p, const mt_update_params *u,
                                 const mt_dims *x_dims, const int8_t *x, float x_scale,
                                 int32_t x_zero_point,
                                 const mt_dims *filter_dims, int8_t *filter, int32_t channels,
                                 const mt_dims *out_dims, const float *g, int32_t *bias,
                                 mt_prng *rng) {
  int32_t out_h, out_w, out_c, k_h, k_w, mult;
  int32_t oc, ky, kx, b, oy, ox;
  float lim;
  int32_t skip_zero;

  if (p == NULL || u == NULL || filter == NULL || g == NULL) {
    return MT_ERR_ARG;
  }
  if (mt_dims_count(filter_dims) < 0 || mt_dims_count(out_dims) < 0) {
    return MT_ERR_ARG;
  }
  out_h = out_dims->h;
  out_w = out_dims->w;
  out_c = out_dims->c;
  k_h = filter_dims->h;
  k_w = filter_dims->w;
  mult = p->depth_multiplier;
  if (mult < 1 || filter_dims->n != 1 || filter_dims->c != out_c || out_c % mult != 0 ||
      channels < 0 || channels > out_c) {
    return MT_ERR_ARG;
  }
  if (p->stride_h < 1 || p->stride_w < 1 || p->pad_h < 0 || p->pad_w < 0) {
    return MT_ERR_ARG;
  }
  if (u->rounding == MT_ROUND_STOCHASTIC && rng == NULL) {
    return MT_ERR_ARG;
  }
  if (bias != NULL && u->k_b == NULL) {
    return MT_ERR_ARG;
  }
  if (channels > 0) {
    if (x == NULL || u->k_w == NULL || mt_dims_count(x_dims) < 0) {
      return MT_ERR_ARG;
    }
    if (x_dims->n != out_dims->n || x_dims->c < (channels - 1) / mult + 1 ||
        x_dims->c > out_c / mult || x_zero_point < -128 || x_zero_point > 127) {
      return MT_ERR_ARG;
    }
  }

  if (channels > 0) {
    const int32_t in_h = x_dims->h;
    const int32_t in_w = x_dims->w;
    const int32_t x_c = x_dims->c;
    lim = x_scale * 256.0f;
    skip_zero = (lim - lim == 0.0f) ? 1 : 0; /* finite (inf - inf and NaN give NaN) */
    for (oc = 0; oc < channels; oc++) {
      const float k = u->k_w[oc];
      const int32_t ic = oc / mult;
      for (ky = 0; ky < k_h; ky++) {
        for (kx = 0; kx < k_w; kx++) {
          const int32_t idx = (ky * k_w + kx) * out_c + oc;
          float gw = 0.0f;
          for (b = 0; b < out_dims->n; b++) {
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
          filter[idx] = mt_update_s8(filter[idx], mt_qas_delta(gw, k, u->lr), u->rounding, rng);
        }
      }
    }
  }
  if (bias != NULL) {
    return mt_bias_update_s32(u, out_dims->n * out_h * out_w, out_c, g, bias, rng);
  }
  return MT_OK;
}
