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
 * then ox ascending gives the (oy, ox) order. GATHER_WIDTH channels at a time: their w_real of
 * every tap are computed once into a table (same expression), their accumulators start from dx
 * and stay in registers.
 *
 * The terms with g == 0 are ADDED (see mt_grad_input_fast_ok: no dx value is -0 and every w_real
 * is finite, so they change nothing); when that does not hold, the reference loop runs instead.
 */
#define GATHER_WIDTH 8
#define GATHER_TAPS 49

/* The outputs o in [0, n_out) that read input i through a tap in [0, k): [*lo, *hi]. */
static void readers(int32_t i, int32_t pad, int32_t stride, int32_t k, int32_t n_out,
                    int32_t *lo, int32_t *hi) {
  const int32_t first = i + pad - k + 1; /* o * stride >= first */
  int32_t h = (i + pad) / stride;        /* o * stride <= i + pad */
  *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  *hi = h < n_out - 1 ? h : n_out - 1;
}

/* What the gather of one channel block walks: pointer steps (in floats) and the tap geometry. */
typedef struct {
  const float *wr;         /* the w_real table of the block, GATHER_WIDTH columns */
  int32_t g_x, g_y;        /* g: next output column, next output row */
  int32_t w_x, w_y;        /* wr: back by one output column, one output row */
  int32_t pad_h, pad_w, stride_h, stride_w, k_w, out_w;
} gather_walk;

/*
 * The dx elements at dxp (width channels; w_real table columns col .. col + width - 1) of pixel
 * (iy, ix), read by the output rows [oy_lo, oy_hi] and columns [ox_lo, ox_hi] (not empty); gb
 * points at the block's first channel in batch b's g. width is a constant (8, 4 or 1) at every
 * call, so the accumulators live in registers.
 */
static inline void gather_block(const gather_walk *k, const float *gb, int32_t iy,
                                int32_t oy_lo, int32_t oy_hi, int32_t ix, int32_t ox_lo,
                                int32_t ox_hi, int32_t col, float *dxp, const int32_t width) {
  const int32_t g_x = k->g_x, w_x = k->w_x, g_y = k->g_y, w_y = k->w_y;
  const int32_t cols = ox_hi - ox_lo + 1;
  int32_t rows = oy_hi - oy_lo + 1;
  float a[GATHER_WIDTH];
  int32_t n, i;
  /* row oy: g from (oy, ox_lo), w_real from tap (iy + pad_h - oy * stride_h, kx of ox_lo) */
  const float *g_row = gb + (oy_lo * k->out_w + ox_lo) * g_x;
  const float *w_row = k->wr + ((iy + k->pad_h - oy_lo * k->stride_h) * k->k_w + ix + k->pad_w -
                                ox_lo * k->stride_w) * GATHER_WIDTH + col;
  for (i = 0; i < width; i++) {
    a[i] = dxp[i];
  }
  do {
    const float *gp = g_row;
    const float *wp = w_row;
    n = cols;
    do {
      for (i = 0; i < width; i++) {
        a[i] += gp[i] * wp[i];
      }
      gp += g_x;
      wp -= w_x;
    } while (--n > 0);
    g_row += g_y;
    w_row -= w_y;
  } while (--rows > 0);
  for (i = 0; i < width; i++) {
    dxp[i] = a[i];
  }
}

/* Channels [c, c + nc) (nc <= GATHER_WIDTH) of every dx pixel, w_real table wr. */
static void gather_channels(const mt_conv_params *p, const mt_conv_shape *sh, const float *g,
                            float *dx, int32_t c, int32_t nc, const float *wr) {
  gather_walk k;
  int32_t b, iy, ix, oy_lo, oy_hi, ox_lo, ox_hi, i;
  k.wr = wr;
  k.g_x = sh->out_c;
  k.g_y = sh->out_w * sh->out_c;
  k.w_x = p->stride_w * GATHER_WIDTH;
  k.w_y = p->stride_h * sh->k_w * GATHER_WIDTH;
  k.pad_h = p->pad_h;
  k.pad_w = p->pad_w;
  k.stride_h = p->stride_h;
  k.stride_w = p->stride_w;
  k.k_w = sh->k_w;
  k.out_w = sh->out_w;
  for (b = 0; b < sh->batches; b++) {
    const float *gb = g + b * sh->out_h * sh->out_w * sh->out_c + c;
    for (iy = 0; iy < sh->in_h; iy++) {
      float *dxp = dx + (b * sh->in_h + iy) * sh->in_w * sh->in_c + c;
      readers(iy, p->pad_h, p->stride_h, sh->k_h, sh->out_h, &oy_lo, &oy_hi);
      if (oy_lo > oy_hi) {
        continue; /* no output reads this row */
      }
      for (ix = 0; ix < sh->in_w; ix++, dxp += sh->in_c) {
        readers(ix, p->pad_w, p->stride_w, sh->k_w, sh->out_w, &ox_lo, &ox_hi);
        if (ox_lo > ox_hi) {
          continue; /* no output reads this pixel */
        }
        if (nc == GATHER_WIDTH) {
          gather_block(&k, gb, iy, oy_lo, oy_hi, ix, ox_lo, ox_hi, 0, dxp, GATHER_WIDTH);
          continue;
        }
        i = 0;
        if (nc >= 4) {
          gather_block(&k, gb, iy, oy_lo, oy_hi, ix, ox_lo, ox_hi, 0, dxp, 4);
          i = 4;
        }
        for (; i < nc; i++) {
          gather_block(&k, gb + i, iy, oy_lo, oy_hi, ix, ox_lo, ox_hi, i, dxp + i, 1);
        }
      }
    }
  }
}

static void gather(const mt_conv_params *p, const float *w_scale, int32_t per_channel,
                   const mt_conv_shape *sh, const int8_t *filter, const int8_t *slice,
                   int32_t split, const float *g, float *dx) {
  const int32_t taps = sh->k_h * sh->k_w;
  float wr[GATHER_TAPS * GATHER_WIDTH]; /* wr[tap * GATHER_WIDTH + i]: channel c + i's w_real */
  int32_t c, i, t;
  for (c = 0; c < sh->in_c; c += GATHER_WIDTH) {
    const int32_t nc = sh->in_c - c < GATHER_WIDTH ? sh->in_c - c : GATHER_WIDTH;
    for (i = 0; i < nc; i++) {
      const int32_t oc = c + i;
      const float s = w_scale[per_channel != 0 ? oc : 0];
      const int8_t *src = oc < split ? slice + oc : filter + oc; /* the tap-0 weight */
      const int32_t stride = oc < split ? split : sh->out_c;      /* to the next tap's */
      for (t = 0; t < taps; t++) {
        wr[t * GATHER_WIDTH + i] = s * (float)src[t * stride];
      }
    }
    gather_channels(p, sh, g, dx, c, nc, wr);
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
  if (mult == 1 && sh.k_h * sh.k_w <= GATHER_TAPS &&
      mt_grad_input_fast_ok(w_scale, per_channel != 0 ? sh.out_c : 1, dx,
                            sh.batches * sh.in_h * sh.in_w * sh.in_c)) {
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
