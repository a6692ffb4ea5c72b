/*
 * mcutrain runtime — DEPTHWISE_CONV_2D input gradient, fp32.
 * Java twin: BackwardKernels.depthwiseGradInput.
 */
#include "mt_backward.h"
#include "mt_backward_support.h"

/*
 * for b, oy, ox, ic, m (oc = ic*M + m; skipping g == 0), for in-bounds ky, kx:
 *   dx[b,iy,ix,ic] += g * (s_w[oc] * (float) w[ky,kx,oc])
 */
static mt_status grad_input(const mt_conv_params *p, const float *w_scale, int32_t per_channel,
                            const mt_dims *in_dims, const mt_dims *filter_dims,
                            const int8_t *filter, const int8_t *slice, int32_t split,
                            const mt_dims *out_dims, const float *g, float *dx) {
  mt_conv_shape sh;
  int32_t mult;
  int32_t b, oy, ox, ic, m, ky, kx;

  if (!mt_grad_input_args_ok(p, w_scale, filter, g, dx, in_dims, filter_dims, out_dims)) {
    return MT_ERR_ARG;
  }
  sh = mt_conv_shape_of(in_dims, filter_dims, out_dims);
  mult = p->depth_multiplier;
  if (mult < 1 || sh.in_c > INT32_MAX / mult) {
    return MT_ERR_ARG;
  }
  if (in_dims->n != sh.batches || filter_dims->n != 1 || filter_dims->c != sh.out_c ||
      sh.out_c != sh.in_c * mult || split < 0 || split > sh.out_c ||
      (split > 0 && slice == NULL)) {
    return MT_ERR_ARG;
  }

  for (b = 0; b < sh.batches; b++) {
    for (oy = 0; oy < sh.out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < sh.out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        const float *gp = g + ((b * sh.out_h + oy) * sh.out_w + ox) * sh.out_c;
        for (ic = 0; ic < sh.in_c; ic++) {
          for (m = 0; m < mult; m++) {
            const int32_t oc = ic * mult + m;
            const float gv = gp[oc];
            float s;
            if (gv == 0.0f) {
              continue;
            }
            s = w_scale[per_channel != 0 ? oc : 0];
            for (ky = 0; ky < sh.k_h; ky++) {
              const int32_t iy = iy0 + ky;
              if (iy < 0 || iy >= sh.in_h) {
                continue;
              }
              for (kx = 0; kx < sh.k_w; kx++) {
                const int32_t ix = ix0 + kx;
                float wr;
                if (ix < 0 || ix >= sh.in_w) {
                  continue;
                }
                wr = s * (float)(oc < split ? slice[(ky * sh.k_w + kx) * split + oc]
                                            : filter[(ky * sh.k_w + kx) * sh.out_c + oc]);
                dx[((b * sh.in_h + iy) * sh.in_w + ix) * sh.in_c + ic] += gv * wr;
              }
            }
          }
        }
      }
    }
  }
  return MT_OK;
}

mt_status mt_depthwise_grad_input_f32(const mt_conv_params *p, const float *w_scale,
                                      int32_t per_channel,
                                      const mt_dims *in_dims,
                                      const mt_dims *filter_dims, const int8_t *filter,
                                      const mt_dims *out_dims, const float *g, float *dx) {
  return grad_input(p, w_scale, per_channel, in_dims, filter_dims, filter, filter, 0, out_dims,
                    g, dx);
}

mt_status mt_depthwise_grad_input_split_f32(const mt_conv_params *p, const float *w_scale,
                                            int32_t per_channel, const mt_dims *in_dims,
                                            const mt_dims *filter_dims, const int8_t *filter,
                                            const int8_t *slice, int32_t split,
                                            const mt_dims *out_dims, const float *g, float *dx) {
  return grad_input(p, w_scale, per_channel, in_dims, filter_dims, filter, slice, split,
                    out_dims, g, dx);
}
