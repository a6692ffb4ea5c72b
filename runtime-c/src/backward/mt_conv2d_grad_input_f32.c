/*
 * mcutrain runtime — CONV_2D input gradient, fp32. Java twin: BackwardKernels.conv2dGradInput.
 */
#include "mt_backward.h"
#include "mt_backward_support.h"

/*
 * The contract: for b, oy, ox, oc (skipping g == 0), for in-bounds ky, kx, for ic:
 *   dx[b,iy,ix,ic] += g * (s_w[oc] * (float) w[oc,ky,kx,ic])
 * so each dx element receives its terms by (oy, ox) ascending, then oc ascending.
 */

/* The reference loop (used when mt_grad_input_fast_ok does not hold). */
static void scatter_reference(const mt_conv_params *p, const float *w_scale,
                              int32_t per_channel, const mt_conv_shape *sh,
                              const int8_t *filter, const int8_t *slice, int32_t split,
                              const float *g, float *dx) {
  int32_t b, oy, ox, oc, ky, kx, i;
  for (b = 0; b < sh->batches; b++) {
    for (oy = 0; oy < sh->out_h; oy++) {
      const int32_t iy0 = oy * p->stride_h - p->pad_h;
      for (ox = 0; ox < sh->out_w; ox++) {
        const int32_t ix0 = ox * p->stride_w - p->pad_w;
        const float *gp = g + ((b * sh->out_h + oy) * sh->out_w + ox) * sh->out_c;
        for (oc = 0; oc < sh->out_c; oc++) {
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
              float *dxp;
              const int8_t *fp;
              const int8_t *sp;
              const int32_t row = (oc * sh->k_h + ky) * sh->k_w + kx;
              if (ix < 0 || ix >= sh->in_w) {
                continue;
              }
              dxp = dx + ((b * sh->in_h + iy) * sh->in_w + ix) * sh->in_c;
              fp = filter + row * sh->in_c;
              sp = slice + row * split;
              for (i = 0; i < split; i++) {
                const float wr = s * (float)sp[i];
                dxp[i] += gv * wr;
              }
              for (; i < sh->in_c; i++) {
                const float wr = s * (float)fp[i];
                dxp[i] += gv * wr;
              }
            }
          }
        }
      }
    }
  }
}

/*
 * The fast path (mt_grad_input_fast_ok holds: the terms with g == 0 may be added):
 *  - Tap by tap, in DESCENDING (ky, kx) order: for a fixed dx element a larger ky means a
 *    smaller oy (iy = oy * stride_h - pad_h + ky), so this visits its (oy, ox) in ascending
 *    order. Within one tap every in-bounds output position reads a different input pixel.
 *  - Within a tap, blocks of GI_POS positions: the output channels whose g is not zero at all
 *    of them are listed with their gradients (the others only have skipped terms), GI_CHUNK at
 *    a time; then GI_POS positions x 4 input channels of dx are accumulated in registers over the
 *    list, i.e. over the output channels in ascending order, starting from the dx values.
 */

/* Output channels per chunk of the list (the list is a local of GI_CHUNK * 32 bytes). */
#define GI_CHUNK 32

/* Positions per block (6 x 4 accumulators use 24 of the 32 float registers). */
#define GI_POS 6

/* One output channel of a block in the list: its GI_POS gradients, scale and index. */
typedef struct {
  float g[GI_POS];
  float s;
  int32_t oc;
} gi_entry;

/*
 * One tap's weights: input channels [0, split) come from `slice` rows of `split_stride`
 * elements, the others from `filter` rows of `filter_stride`, both already offset to the tap.
 */
typedef struct {
  const float *w_scale;
  int32_t per_channel;
  const int8_t *filter, *slice;
  int32_t filter_stride, split_stride, split;
  int32_t in_c, out_c;
} gi_weights;

/*
 * GI_POS positions x input channels ic .. ic + 3 (all from one weight source: row = base + oc *
 * stride): the terms of the n listed output channels, in order, into dx rows dxp[p]; stores
 * the rows p < np only (the other rows repeat row 0).
 */
static void block_x4(const gi_entry *e, int32_t n, const int8_t *base, int32_t stride,
                      int32_t ic, float *const dxp[GI_POS], int32_t np) {
  float a[GI_POS][4];
  int32_t k, p, i;
  for (p = 0; p < GI_POS; p++) {
    for (i = 0; i < 4; i++) {
      a[p][i] = dxp[p][ic + i];
    }
  }
  for (k = 0; k < n; k++) {
    const int8_t *wp = base + e[k].oc * stride + ic;
    const float s = e[k].s;
    float wr[4];
    for (i = 0; i < 4; i++) {
      wr[i] = s * (float)wp[i];
    }
    for (p = 0; p < GI_POS; p++) {
      const float gv = e[k].g[p];
      for (i = 0; i < 4; i++) {
        a[p][i] += gv * wr[i];
      }
    }
  }
  for (p = 0; p < np; p++) {
    for (i = 0; i < 4; i++) {
      dxp[p][ic + i] = a[p][i];
    }
  }
}

/* block_x4 for one input channel ic (the last channels of a weight source). */
static void block_x1(const gi_entry *e, int32_t n, const int8_t *base, int32_t stride,
                      int32_t ic, float *const dxp[GI_POS], int32_t np) {
  float a[GI_POS];
  int32_t k, p;
  for (p = 0; p < GI_POS; p++) {
    a[p] = dxp[p][ic];
  }
  for (k = 0; k < n; k++) {
    const float wr = e[k].s * (float)base[e[k].oc * stride + ic];
    for (p = 0; p < GI_POS; p++) {
      a[p] += e[k].g[p] * wr;
    }
  }
  for (p = 0; p < np; p++) {
    dxp[p][ic] = a[p];
  }
}

/* The input channels [ic0, ic1) of a block, all from one weight source, over the list e. */
static void block_channels(const gi_weights *w, const gi_entry *e, int32_t n,
                           float *const dxp[GI_POS], int32_t np, int32_t ic0, int32_t ic1) {
  const int8_t *base = ic0 < w->split ? w->slice : w->filter;
  const int32_t stride = ic0 < w->split ? w->split_stride : w->filter_stride;
  int32_t ic = ic0;
  for (; ic + 4 <= ic1; ic += 4) {
    block_x4(e, n, base, stride, ic, dxp, np);
  }
  for (; ic < ic1; ic++) {
    block_x1(e, n, base, stride, ic, dxp, np);
  }
}

/* One block of np <= GI_POS positions (rows p >= np repeat row 0) of one tap. */
static void block(const gi_weights *w, const float *const gp[GI_POS], float *const dxp[GI_POS],
                  int32_t np) {
  gi_entry e[GI_CHUNK];
  int32_t oc0, oc, n, p;
  for (oc0 = 0; oc0 < w->out_c; oc0 += GI_CHUNK) {
    const int32_t oc1 = w->out_c - oc0 < GI_CHUNK ? w->out_c : oc0 + GI_CHUNK;
    n = 0;
    for (oc = oc0; oc < oc1; oc++) {
      int live = 0;
      for (p = 0; p < GI_POS; p++) {
        e[n].g[p] = gp[p][oc];
        live |= e[n].g[p] != 0.0f;
      }
      if (live) {
        e[n].s = w->w_scale[w->per_channel != 0 ? oc : 0];
        e[n].oc = oc;
        n++;
      }
    }
    if (n > 0) {
      block_channels(w, e, n, dxp, np, 0, w->split);
      block_channels(w, e, n, dxp, np, w->split, w->in_c);
    }
  }
}

static void by_taps(const mt_conv_params *p, const float *w_scale, int32_t per_channel,
                    const mt_conv_shape *sh, const int8_t *filter, const int8_t *slice,
                    int32_t split, const float *g, float *dx) {
  gi_weights w;
  int32_t ky, kx, b, oy, ox, i;
  w.w_scale = w_scale;
  w.per_channel = per_channel;
  w.split = split;
  w.in_c = sh->in_c;
  w.out_c = sh->out_c;
  w.filter_stride = sh->k_h * sh->k_w * sh->in_c;
  w.split_stride = sh->k_h * sh->k_w * split;
  for (ky = sh->k_h - 1; ky >= 0; ky--) {
    for (kx = sh->k_w - 1; kx >= 0; kx--) {
      int32_t oy0, oy1, ox0, ox1;
      const float *gp[GI_POS];
      float *dxp[GI_POS];
      int32_t np = 0;
      mt_tap_span(sh->out_h, sh->in_h, p->stride_h, p->pad_h, ky, &oy0, &oy1);
      mt_tap_span(sh->out_w, sh->in_w, p->stride_w, p->pad_w, kx, &ox0, &ox1);
      w.filter = filter + (ky * sh->k_w + kx) * sh->in_c;
      w.slice = slice + (ky * sh->k_w + kx) * split;
      /* the tap's in-bounds positions in order, GI_POS at a time */
      for (b = 0; b < sh->batches; b++) {
        for (oy = oy0; oy < oy1; oy++) {
          const int32_t iy = oy * p->stride_h - p->pad_h + ky;
          for (ox = ox0; ox < ox1; ox++) {
            const int32_t ix = ox * p->stride_w - p->pad_w + kx;
            gp[np] = g + ((b * sh->out_h + oy) * sh->out_w + ox) * sh->out_c;
            dxp[np] = dx + ((b * sh->in_h + iy) * sh->in_w + ix) * sh->in_c;
            if (++np == GI_POS) {
              block(&w, gp, dxp, np);
              np = 0;
            }
          }
        }
      }
      if (np > 0) {
        for (i = np; i < GI_POS; i++) {
          gp[i] = gp[0];
          dxp[i] = dxp[0];
        }
        block(&w, gp, dxp, np);
      }
    }
  }
}

static mt_status grad_input(const mt_conv_params *p, const float *w_scale, int32_t per_channel,
                            const mt_dims *in_dims, const mt_dims *filter_dims,
                            const int8_t *filter, const int8_t *slice, int32_t split,
                            const mt_dims *out_dims, const float *g, float *dx) {
  mt_conv_shape sh;
  if (!mt_grad_input_args_ok(p, w_scale, filter, g, dx, in_dims, filter_dims, out_dims)) {
    return MT_ERR_ARG;
  }
  sh = mt_conv_shape_of(in_dims, filter_dims, out_dims);
  if (in_dims->n != sh.batches || filter_dims->n != sh.out_c || filter_dims->c != sh.in_c ||
      split < 0 || split > sh.in_c || (split > 0 && slice == NULL)) {
    return MT_ERR_ARG;
  }
  if (mt_grad_input_fast_ok(w_scale, per_channel != 0 ? sh.out_c : 1, dx,
                            sh.batches * sh.in_h * sh.in_w * sh.in_c)) {
    by_taps(p, w_scale, per_channel, &sh, filter, slice, split, g, dx);
  } else {
    scatter_reference(p, w_scale, per_channel, &sh, filter, slice, split, g, dx);
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
