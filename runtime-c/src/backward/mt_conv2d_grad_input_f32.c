/*
 * mcutrain runtime — CONV_2D input gradient, fp32. Java twin: BackwardKernels.conv2dGradInput.
 */
#include "mt_backward.h"
#include "mt_backward_support.h"

/*
 * The contract: for b, oy, ox, oc (skipping g == 0), for in-bounds ky, kx, for ic:
 *   dx[b,iy,ix,ic] += g * (s_w[oc] * (float) w[oc,ky,kx,ic])
 * so each dx element receives its terms by (oy, ox) ascending, then oc ascending.
 *
 * How it is computed (same bits):
 *  - Tap by tap, in DESCENDING (ky, kx) order: for a fixed dx element a larger ky means a
 *    smaller oy (iy = oy * stride_h - pad_h + ky), so this visits its (oy, ox) in ascending
 *    order. Within one tap every in-bounds output position reads a different input pixel.
 *  - Within a tap, 4 positions x 4 input channels of dx are accumulated in registers over the
 *    output channels in ascending order (block_4x4), starting from the dx values.
 *  - An output channel whose g is zero at all 4 positions is left out (the reference skips those
 *    terms too). The remaining terms with g == 0 are ADDED: g * w_real is then +-0 (w_real is
 *    finite when s_w * 128 is finite), and adding +-0 leaves an accumulator unchanged unless it
 *    is -0; an accumulator that does not start at -0 never becomes -0 (under round-to-nearest a
 *    sum is -0 only when both operands are). So a block takes this path only when every scale
 *    passes the check and none of its dx values is -0; otherwise it runs block_exact, the
 *    reference loop with the skips.
 */

/* Output channels per chunk of the compacted list (the list is a local of 40 * 24 bytes). */
#define GI_CHUNK 40

/* Positions per block. */
#define GI_POS 4

/* One output channel of a block in the compacted list: its 4 gradients, scale and index. */
typedef struct {
  float g[GI_POS];
  float s;
  int32_t oc;
} gi_entry;

/*
 * What one tap's pass reads: the weights of input channels [0, split) come from `slice` rows
 * of `split_stride` elements, the others from `filter` rows of `filter_stride`, both already
 * offset to the tap: w(oc, ic) = ic < split ? slice[oc * split_stride + ic]
 *                                           : filter[oc * filter_stride + ic].
 */
typedef struct {
  const float *w_scale;
  int32_t per_channel;
  const int8_t *filter, *slice;
  int32_t filter_stride, split_stride, split;
  int32_t in_c, out_c;
} gi_weights;

static const int8_t *gi_row(const gi_weights *w, int32_t oc, int32_t ic) {
  return ic < w->split ? w->slice + oc * w->split_stride : w->filter + oc * w->filter_stride;
}

/*
 * The reference loop for positions p < np (gradients gp[p], dx rows dxp[p]), input channels
 * [ic0, ic1), output channels [oc0, oc1): per dx element, the terms of oc ascending, skipping
 * g == 0.
 */
static void block_exact(const gi_weights *w, const float *const gp[GI_POS],
                        float *const dxp[GI_POS], int32_t np, int32_t ic0, int32_t ic1,
                        int32_t oc0, int32_t oc1) {
  int32_t p, ic, oc;
  for (p = 0; p < np; p++) {
    for (ic = ic0; ic < ic1; ic++) {
      float acc = dxp[p][ic];
      for (oc = oc0; oc < oc1; oc++) {
        const float gv = gp[p][oc];
        if (gv == 0.0f) {
          continue;
        }
        acc += gv * (w->w_scale[w->per_channel != 0 ? oc : 0] * (float)gi_row(w, oc, ic)[ic]);
      }
      dxp[p][ic] = acc;
    }
  }
}

/*
 * 4 positions x input channels ic .. ic + 3 (all from one weight source: row = base + oc *
 * stride): the terms of the n listed output channels, in order, into dx rows dxp[p]; stores
 * the rows p < np only (the other rows repeat row 0).
 */
static void block_4x4(const gi_entry *e, int32_t n, const int8_t *base, int32_t stride,
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

/* 1 when some dx value of rows p < np, channels [0, in_c) is -0. */
static int has_negative_zero(float *const dxp[GI_POS], int32_t np, int32_t in_c) {
  int32_t p, ic;
  for (p = 0; p < np; p++) {
    for (ic = 0; ic < in_c; ic++) {
      if (mt_is_negative_zero(dxp[p][ic])) {
        return 1;
      }
    }
  }
  return 0;
}

/*
 * The input channels [ic0, ic1) of a block, all from one weight source, with output channels
 * e[0 .. n) (chunk [oc0, oc1)): 4 at a time by block_4x4, the rest by block_exact.
 */
static void block_channels(const gi_weights *w, const gi_entry *e, int32_t n,
                           const float *const gp[GI_POS], float *const dxp[GI_POS], int32_t np,
                           int32_t ic0, int32_t ic1, int32_t oc0, int32_t oc1) {
  const int8_t *base = ic0 < w->split ? w->slice : w->filter;
  const int32_t stride = ic0 < w->split ? w->split_stride : w->filter_stride;
  int32_t ic = ic0;
  for (; ic + 4 <= ic1; ic += 4) {
    block_4x4(e, n, base, stride, ic, dxp, np);
  }
  if (ic < ic1) {
    block_exact(w, gp, dxp, np, ic, ic1, oc0, oc1);
  }
}

/* One block of np <= 4 positions (rows p >= np repeat row 0) of one tap's pass. */
static void block(const gi_weights *w, int fast, const float *const gp[GI_POS],
                  float *const dxp[GI_POS], int32_t np) {
  gi_entry e[GI_CHUNK];
  int32_t oc0, oc, n, p;
  if (!fast || has_negative_zero(dxp, np, w->in_c)) {
    block_exact(w, gp, dxp, np, 0, w->in_c, 0, w->out_c);
    return;
  }
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
    if (n == 0) {
      continue;
    }
    block_channels(w, e, n, gp, dxp, np, 0, w->split, oc0, oc1);
    block_channels(w, e, n, gp, dxp, np, w->split, w->in_c, oc0, oc1);
  }
}

static mt_status grad_input(const mt_conv_params *p, const float *w_scale, int32_t per_channel,
                            const mt_dims *in_dims, const mt_dims *filter_dims,
                            const int8_t *filter, const int8_t *slice, int32_t split,
                            const mt_dims *out_dims, const float *g, float *dx) {
  mt_conv_shape sh;
  gi_weights w;
  int fast = 1;
  int32_t ky, kx, b, oy, ox, i;

  if (!mt_grad_input_args_ok(p, w_scale, filter, g, dx, in_dims, filter_dims, out_dims)) {
    return MT_ERR_ARG;
  }
  sh = mt_conv_shape_of(in_dims, filter_dims, out_dims);
  if (in_dims->n != sh.batches || filter_dims->n != sh.out_c || filter_dims->c != sh.in_c ||
      split < 0 || split > sh.in_c || (split > 0 && slice == NULL)) {
    return MT_ERR_ARG;
  }

  /* every w_real = s * (float) w is finite when every scale times 128 is */
  for (i = 0; i < (per_channel != 0 ? sh.out_c : 1); i++) {
    const float lim = w_scale[i] * 128.0f;
    fast &= lim - lim == 0.0f;
  }
  w.w_scale = w_scale;
  w.per_channel = per_channel;
  w.split = split;
  w.in_c = sh.in_c;
  w.out_c = sh.out_c;
  w.filter_stride = sh.k_h * sh.k_w * sh.in_c;
  w.split_stride = sh.k_h * sh.k_w * split;

  for (ky = sh.k_h - 1; ky >= 0; ky--) {
    for (kx = sh.k_w - 1; kx >= 0; kx--) {
      int32_t oy0, oy1, ox0, ox1;
      const float *gp[GI_POS];
      float *dxp[GI_POS];
      int32_t np = 0;
      mt_tap_span(sh.out_h, sh.in_h, p->stride_h, p->pad_h, ky, &oy0, &oy1);
      mt_tap_span(sh.out_w, sh.in_w, p->stride_w, p->pad_w, kx, &ox0, &ox1);
      w.filter = filter + (ky * sh.k_w + kx) * sh.in_c;
      w.slice = slice + (ky * sh.k_w + kx) * split;
      /* the tap's in-bounds positions in order, GI_POS at a time */
      for (b = 0; b < sh.batches; b++) {
        for (oy = oy0; oy < oy1; oy++) {
          const int32_t iy = oy * p->stride_h - p->pad_h + ky;
          for (ox = ox0; ox < ox1; ox++) {
            const int32_t ix = ox * p->stride_w - p->pad_w + kx;
            gp[np] = g + ((b * sh.out_h + oy) * sh.out_w + ox) * sh.out_c;
            dxp[np] = dx + ((b * sh.in_h + iy) * sh.in_w + ix) * sh.in_c;
            if (++np == GI_POS) {
              block(&w, fast, gp, dxp, np);
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
        block(&w, fast, gp, dxp, np);
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
