/*
 * mcutrain runtime — CONV_2D input gradient, fp32. Java twin: BackwardKernels.conv2dGradInput.
 */
#include "mt_backward.h"
#include "mt_backward_support.h"

/*
 * for b, oy, ox, oc (skipping g == 0), for in-bounds ky, kx, for ic:
 *   dx[b,iy,ix,ic] += g * (s_w[oc] * (float) w[oc,ky,kx,ic])
 */
static mt_status grad_input(const mt_conv_params *p, const float *w_scale, int32_t per_channel,
                            const mt_dims *in_dims, const mt_dims *filter_dims,
                            const int8_t *filter, const int8_t *slice, int32_t split,
                            const mt_dims *out_dims, const float *g, float *dx) {
  mt_conv_shape sh;
  int32_t b, oy, ox, oc, ky, kx, i;

  if (!mt_grad_input_args_ok(p, w_scale, filter, g, dx, in_dims, filter_dims, out_dims)) {
    return MT_ERR_ARG;
  }
  sh = mt_conv_shape_of(in_dims, filter_dims, out_dims);
  if (in_dims->n != sh.batches || filter_dims->n != sh.out_c || filter_dims->c != sh.in_c ||
      split < 0 || split > sh.in_c || (split > 0 && slice == NULL)) {
    return MT_ERR_ARG;
  }

  for (b = 0; b < sh.batches; b++) {
    for (oy = 0; oy < sh.out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < sh.out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        const float *gp = g + ((b * sh.out_h + oy) * sh.out_w + ox) * sh.out_c;
        for (oc = 0; oc < sh.out_c; oc++) {
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
              float *dxp;
              const int8_t *fp;
              const int8_t *sp;
              const int32_t row = (oc * sh.k_h + ky) * sh.k_w + kx;
              if (ix < 0 || ix >= sh.in_w) {
                continue;
              }
              dxp = dx + ((b * sh.in_h + iy) * sh.in_w + ix) * sh.in_c;
              fp = filter + row * sh.in_c;
              sp = slice + row * split;
              for (i = 0; i < split; i++) {
                const float wr = s * (float)sp[i];
                dxp[i] += gv * wr;
              }
              for (; i < sh.in_c; i++) {
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

mt_status mt_conv2d_grad_input_f32(const mt_conv_params *p, const float *w_scale,
                                   int32_t per_channel,
                                   const mt_dims *in_dims,
                                   const mt_dims *filter_dims, const int8_t *filter,
                                   const mt_dims *out_dims, const float *g, float *dx) {
  return grad_input(p, w_scale, per_channel, in_dims, filter_dims, filter, filter, 0, out_dims,
                    g, dx);
}

mt_status mt_conv2d_grad_input_split_f32(const mt_conv_params *p, const float *w_scale,
                                         int32_t per_channel, const mt_dims *in_dims,
                                         const mt_dims *filter_dims, const int8_t *filter,
                                         const int8_t *slice, int32_t split,
                                         const mt_dims *out_dims, const float *g, float *dx) {
  return grad_input(p, w_scale, per_channel, in_dims, filter_dims, filter, slice, split,
                    out_dims, g, dx);
}
