/*
 * mcutrain runtime — DEPTHWISE_CONV_2D input gradient, fp32.
 * Java twin: BackwardKernels.depthwiseGradInput.
 */
#include "mt_backward.h"
#include "mt_backward_support.h"

/*
 * The contract: for b, oy, ox, ic, m (oc = ic*M + m; skipping g == 0), for in-bounds ky, kx:
 *   dx[b,iy,ix,ic] += g * (s_w[oc] * (float) w[ky,kx,oc])
 * so each dx element receives its terms by (oy, ox) ascending, then m ascending.
 */

/* The reference loop, for any multiplier and kernel size. */
static void scatter_reference(const mt_conv_params *p, const float *w_scale,
                              int32_t per_channel, const mt_conv_shape *sh, int32_t mult,
                              const int8_t *filter, const int8_t *slice, int32_t split,
                              const float *g, float *dx) {
  int32_t b, oy, ox, ic, m, ky, kx;
  for (b = 0; b < sh->batches; b++) {
    for (oy = 0; oy < sh->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < sh->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        const float *gp = g + ((b * sh->out_h + oy) * sh->out_w + ox) * sh->out_c;
        for (ic = 0; ic < sh->in_c; ic++) {
          for (m = 0; m < mult; m++) {
            const int32_t oc = ic * mult + m;
            const float gv = gp[oc];
            float s;
            if (gv == 0.0f) {
              continue;
            }
            s = w_scale[per_channel != 0 ? oc : 0];
            for (ky = 0; ky < sh->k_h; ky++) {
              const int32_t iy = iy0 + ky;
              if (iy < 0 || iy >= sh->in_h) {
                continue;
              }
              for (kx = 0; kx < sh->k_w; kx++) {
                const int32_t ix = ix0 + kx;
                float wr;
                if (ix < 0 || ix >= sh->in_w) {
                  continue;
                }
                wr = s * (float)(oc < split ? slice[(ky * sh->k_w + kx) * split + oc]
                                            : filter[(ky * sh->k_w + kx) * sh->out_c + oc]);
                dx[((b * sh->in_h + iy) * sh->in_w + ix) * sh->in_c + ic] += gv * wr;
              }
            }
          }
        }
      }
    }
  }
}

/*
 * Multiplier 1 (oc = ic) and at most GATHER_TAPS taps: each dx element is computed on its own,
 * gathering its terms in the contract's order. For a dx pixel (iy, ix) the outputs that read it
 * are oy with ky = iy + pad_h - oy * stride_h in [0, kh) (and the same for x); taking oy and
 * then ox ascending gives the (oy, ox) order. 4 channels at a time: their w_real of every tap
 * are computed once into a table (same expression), their 4 accumulators start from dx.
 *
 * The terms with g == 0 are ADDED in the 4-channel loop: g * w_real is then +-0 (w_real is
 * finite when s_w * 128 is), and adding +-0 leaves an accumulator unchanged unless it is -0; an
 * accumulator that does not start at -0 never becomes -0 (under round-to-nearest a sum is -0
 * only when both operands are). So that loop runs only when the 4 scales pass the check and no
 * dx value of the 4 is -0; otherwise (and for the last channels when in_c % 4 != 0) each
 * element runs the reference's skipping loop, gather_exact.
 */
#define GATHER_TAPS 64

/* The outputs o in [0, n_out) that read input i through a tap in [0, k): [*lo, *hi]. */
static void readers(int32_t i, int32_t pad, int32_t stride, int32_t k, int32_t n_out,
                    int32_t *lo, int32_t *hi) {
  const int32_t first = i + pad - k + 1; /* o * stride >= first */
  int32_t h = (i + pad) / stride;        /* o * stride <= i + pad */
  *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  *hi = h < n_out - 1 ? h : n_out - 1;
}

/* The dx element at dxp of channel c (w_real table column i, width 4), with the skips. */
static void gather_exact(const mt_conv_params *p, const mt_conv_shape *sh, const float *gb,
                         int32_t iy, int32_t ix, int32_t c, const float *wr, int32_t i,
                         float *dxp) {
  int32_t oy_lo, oy_hi, ox_lo, ox_hi, oy, ox;
  float acc = *dxp;
  readers(iy, p->pad_h, p->stride_h, sh->k_h, sh->out_h, &oy_lo, &oy_hi);
  readers(ix, p->pad_w, p->stride_w, sh->k_w, sh->out_w, &ox_lo, &ox_hi);
  for (oy = oy_lo; oy <= oy_hi; oy++) {
    const int32_t ky = iy + p->pad_h - oy * p->stride_h;
    for (ox = ox_lo; ox <= ox_hi; ox++) {
      const int32_t kx = ix + p->pad_w - ox * p->stride_w;
      const float gv = gb[(oy * sh->out_w + ox) * sh->out_c + c];
      if (gv == 0.0f) {
        continue;
      }
      acc += gv * wr[(ky * sh->k_w + kx) * 4 + i];
    }
  }
  *dxp = acc;
}

/* The 4 dx elements at dxp (channels c .. c + 3), no skips. */
static void gather_4(const mt_conv_params *p, const mt_conv_shape *sh, const float *gb,
                     int32_t iy, int32_t ix, int32_t c, const float *wr, float *dxp) {
  int32_t oy_lo, oy_hi, ox_lo, ox_hi, oy, ox;
  float a0 = dxp[0], a1 = dxp[1], a2 = dxp[2], a3 = dxp[3];
  readers(iy, p->pad_h, p->stride_h, sh->k_h, sh->out_h, &oy_lo, &oy_hi);
  readers(ix, p->pad_w, p->stride_w, sh->k_w, sh->out_w, &ox_lo, &ox_hi);
  if (ox_lo > ox_hi) {
    oy_hi = oy_lo - 1; /* no output reads this pixel */
  }
  for (oy = oy_lo; oy <= oy_hi; oy++) {
    const int32_t ky = iy + p->pad_h - oy * p->stride_h;
    const float *gp = gb + (oy * sh->out_w + ox_lo) * sh->out_c + c;
    const float *wp = wr + (ky * sh->k_w + ix + p->pad_w - ox_lo * p->stride_w) * 4;
    for (ox = ox_lo; ox <= ox_hi; ox++) {
      a0 += gp[0] * wp[0];
      a1 += gp[1] * wp[1];
      a2 += gp[2] * wp[2];
      a3 += gp[3] * wp[3];
      gp += sh->out_c;
      wp -= p->stride_w * 4;
    }
  }
  dxp[0] = a0;
  dxp[1] = a1;
  dxp[2] = a2;
  dxp[3] = a3;
}

static void gather(const mt_conv_params *p, const float *w_scale, int32_t per_channel,
                   const mt_conv_shape *sh, const int8_t *filter, const int8_t *slice,
                   int32_t split, const float *g, float *dx) {
  const int32_t taps = sh->k_h * sh->k_w;
  float wr[GATHER_TAPS * 4]; /* wr[tap * 4 + i]: w_real of channel c + i at the tap */
  int32_t c, n, i, t, b, iy, ix;
  for (c = 0; c < sh->in_c; c += 4) {
    const int32_t nc = sh->in_c - c < 4 ? sh->in_c - c : 4;
    int fast = nc == 4;
    for (i = 0; i < nc; i++) {
      const int32_t oc = c + i;
      const float s = w_scale[per_channel != 0 ? oc : 0];
      const float lim = s * 128.0f;
      fast &= lim - lim == 0.0f;
      for (t = 0; t < taps; t++) {
        wr[t * 4 + i] =
            s * (float)(oc < split ? slice[t * split + oc] : filter[t * sh->out_c + oc]);
      }
    }
    for (b = 0; b < sh->batches; b++) {
      const float *gb = g + b * sh->out_h * sh->out_w * sh->out_c;
      for (iy = 0; iy < sh->in_h; iy++) {
        for (ix = 0; ix < sh->in_w; ix++) {
          float *dxp = dx + ((b * sh->in_h + iy) * sh->in_w + ix) * sh->in_c + c;
          if (fast && !mt_is_negative_zero(dxp[0]) && !mt_is_negative_zero(dxp[1]) &&
              !mt_is_negative_zero(dxp[2]) && !mt_is_negative_zero(dxp[3])) {
            gather_4(p, sh, gb, iy, ix, c, wr, dxp);
          } else {
            for (n = 0; n < nc; n++) {
              gather_exact(p, sh, gb, iy, ix, c + n, wr, n, dxp + n);
            }
          }
        }
      }
    }
  }
}

static mt_status grad_input(const mt_conv_params *p, const float *w_scale, int32_t per_channel,
                            const mt_dims *in_dims, const mt_dims *filter_dims,
                            const int8_t *filter, const int8_t *slice, int32_t split,
                            const mt_dims *out_dims, const float *g, float *dx) {
  mt_conv_shape sh;
  int32_t mult;

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
  if (mult == 1 && sh.k_h * sh.k_w <= GATHER_TAPS) {
    gather(p, w_scale, per_channel, &sh, filter, slice, split, g, dx);
  } else {
    scatter_reference(p, w_scale, per_channel, &sh, mult, filter, slice, split, g, dx);
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
