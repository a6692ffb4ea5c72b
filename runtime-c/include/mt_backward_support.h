/*
 * mcutrain runtime — internal helpers shared by the backward kernels (src/backward) and the
 * gradient-accumulation kernels (src/accumulate): argument checks and the weight-gradient sums.
 * Not part of the public API; static inline, so each kernel compiles them into itself.
 *
 * The sums are the ones the Java twins specify (BackwardKernels.conv2dGradWeight,
 * depthwiseGradWeight, fullyConnectedGradWeight): the loop order, the skip conditions and the
 * float expressions below are the contract shared by the fused int8 update kernels
 * (mt_*_update_s8) and the fp32 accumulate kernels (mt_*_grad_weight_acc_f32), so both give the
 * same bits. binary32 only; build with -ffp-contract=off.
 */
#ifndef MT_BACKWARD_SUPPORT_H
#define MT_BACKWARD_SUPPORT_H

#include <stdint.h>
#include <stddef.h>
#include "mt_types.h"
#include "mt_train.h"
#include "mt_train_inline.h"
#include "mt_backward.h"
#include "mt_support.h"

/* 1 when the conv strides are >= 1 and the paddings >= 0 (p non-NULL), else 0. */
static inline int mt_conv_steps_ok(const mt_conv_params *p) {
  return p->stride_h >= 1 && p->stride_w >= 1 && p->pad_h >= 0 && p->pad_w >= 0;
}

/* The bit pattern of v. */
static inline uint32_t mt_float_bits(float v) {
  union {
    float f;
    uint32_t u;
  } bits;
  bits.f = v;
  return bits.u;
}

/* 1 when an int8 zero point is in [-128, 127], else 0. */
static inline int mt_zero_point_ok(int32_t zero_point) {
  return zero_point >= -128 && zero_point <= 127;
}

/*
 * Fused update kernels (mt_*_update_s8), the checks on the update parameters (u non-NULL):
 * stochastic rounding needs rng, a bias update (bias non-NULL) needs k_b, a weight update
 * (channels > 0) needs k_w. 1 when they hold, else 0.
 */
static inline int mt_update_args_ok(const mt_update_params *u, int32_t channels,
                                    const int32_t *bias, const mt_prng *rng) {
  if (u->rounding == MT_ROUND_STOCHASTIC && rng == NULL) {
    return 0;
  }
  if (bias != NULL && u->k_b == NULL) {
    return 0;
  }
  return channels <= 0 || u->k_w != NULL;
}

/*
 * Input-gradient kernels (mt_conv2d_grad_input_f32, mt_depthwise_grad_input_f32): 1 when every
 * pointer is non-NULL, the three shapes are valid and the strides/paddings are possible, else 0.
 */
static inline int mt_grad_input_args_ok(const mt_conv_params *p, const float *w_scale,
                                        const int8_t *filter, const float *g, const float *dx,
                                        const mt_dims *in_dims, const mt_dims *filter_dims,
                                        const mt_dims *out_dims) {
  if (p == NULL || w_scale == NULL || filter == NULL || g == NULL || dx == NULL) {
    return 0;
  }
  if (mt_dims_count(in_dims) < 0 || mt_dims_count(filter_dims) < 0 ||
      mt_dims_count(out_dims) < 0) {
    return 0;
  }
  return mt_conv_steps_ok(p);
}

/*
 * Input-gradient kernels: the reference skips every term with g == 0. Adding such a term instead
 * gives the same bits when w_real = s_w * (float) w is finite (then g * w_real is +-0) and the
 * accumulator is not -0: x + (+-0) == x for every other x, and an accumulator that does not
 * start at -0 never becomes -0 (under round-to-nearest a sum is -0 only when both operands are).
 * (A NaN accumulator stays the same NaN: adding +-0 returns it.) 1 when that holds for the whole
 * call: every one of the n_scales scales times 128 is finite (|w| <= 128) and none of the n_dx dx
 * values (their starting values) is -0 or a NaN (whose payload the reference would not touch);
 * the kernels' fast paths may then add zero terms, else they run the reference loop.
 */
static inline int mt_grad_input_fast_ok(const float *w_scale, int32_t n_scales, const float *dx,
                                        int32_t n_dx) {
  int32_t i;
  for (i = 0; i < n_scales; i++) {
    const float lim = w_scale[i] * 128.0f;
    if (lim - lim != 0.0f) {
      return 0;
    }
  }
  for (i = 0; i < n_dx; i++) {
    const uint32_t b = mt_float_bits(dx[i]);
    if (b == 0x80000000u || (b << 1) > 0xFF000000u) {
      return 0; /* -0, or a NaN (exponent all ones, fraction not zero) */
    }
  }
  return 1;
}

/*
 * The sizes an input-gradient kernel loops over: batches (the output's n), the input's h, w, c,
 * the filter's h, w and the output's h, w, c. Filled by mt_conv_shape_of from checked shapes.
 */
typedef struct {
  int32_t batches, in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
} mt_conv_shape;

static inline mt_conv_shape mt_conv_shape_of(const mt_dims *in_dims, const mt_dims *filter_dims,
                                             const mt_dims *out_dims) {
  mt_conv_shape s;
  s.batches = out_dims->n;
  s.in_h = in_dims->h;
  s.in_w = in_dims->w;
  s.in_c = in_dims->c;
  s.k_h = filter_dims->h;
  s.k_w = filter_dims->w;
  s.out_h = out_dims->h;
  s.out_w = out_dims->w;
  s.out_c = out_dims->c;
  return s;
}

/*
 * CONV_2D weight-gradient kernels (fused update and accumulate), the checks that do not depend
 * on x: valid filter and output shapes, filter [out_c, kh, kw, f_c] with 0 <= channels <= f_c,
 * possible strides/paddings (p non-NULL). 1 when they hold, else 0.
 */
static inline int mt_conv2d_grad_weight_dims_ok(const mt_conv_params *p,
                                                const mt_dims *filter_dims, int32_t channels,
                                                const mt_dims *out_dims) {
  if (mt_dims_count(filter_dims) < 0 || mt_dims_count(out_dims) < 0) {
    return 0;
  }
  if (filter_dims->n != out_dims->c || channels < 0 || channels > filter_dims->c) {
    return 0;
  }
  return mt_conv_steps_ok(p);
}

/*
 * CONV_2D weight-gradient kernels, the checks on x (only made when channels > 0): x non-NULL,
 * a valid x shape with the output's batch count and channels <= x_c <= f_c, an int8 zero point.
 */
static inline int mt_conv2d_grad_weight_x_ok(const mt_dims *x_dims, const int8_t *x,
                                             int32_t x_zero_point, const mt_dims *filter_dims,
                                             int32_t channels, const mt_dims *out_dims) {
  if (x == NULL || mt_dims_count(x_dims) < 0) {
    return 0;
  }
  return x_dims->n == out_dims->n && x_dims->c >= channels && x_dims->c <= filter_dims->c &&
         mt_zero_point_ok(x_zero_point);
}

/*
 * DEPTHWISE_CONV_2D weight-gradient kernels, the checks that do not depend on x: valid filter
 * and output shapes, depth multiplier >= 1 dividing out_c, filter [1, kh, kw, out_c],
 * 0 <= channels <= out_c, possible strides/paddings (p non-NULL). 1 when they hold, else 0.
 */
static inline int mt_depthwise_grad_weight_dims_ok(const mt_conv_params *p,
                                                   const mt_dims *filter_dims, int32_t channels,
                                                   const mt_dims *out_dims) {
  const int32_t mult = p->depth_multiplier;
  int32_t out_c;
  if (mt_dims_count(filter_dims) < 0 || mt_dims_count(out_dims) < 0) {
    return 0;
  }
  out_c = out_dims->c;
  if (mult < 1 || filter_dims->n != 1 || filter_dims->c != out_c || out_c % mult != 0 ||
      channels < 0 || channels > out_c) {
    return 0;
  }
  return mt_conv_steps_ok(p);
}

/*
 * DEPTHWISE_CONV_2D weight-gradient kernels, the checks on x (only made when channels > 0, after
 * mt_depthwise_grad_weight_dims_ok): x non-NULL, a valid x shape with the output's batch count
 * holding the input channels of output channels [0, channels) and at most out_c / M channels,
 * an int8 zero point.
 */
static inline int mt_depthwise_grad_weight_x_ok(const mt_conv_params *p, const mt_dims *x_dims,
                                                const int8_t *x, int32_t x_zero_point,
                                                int32_t channels, const mt_dims *out_dims) {
  const int32_t mult = p->depth_multiplier;
  if (x == NULL || mt_dims_count(x_dims) < 0) {
    return 0;
  }
  return x_dims->n == out_dims->n && x_dims->c >= (channels - 1) / mult + 1 &&
         x_dims->c <= out_dims->c / mult && mt_zero_point_ok(x_zero_point);
}

/*
 * The outputs o in [0, n_out) whose tap k reads an input inside [0, n_in), i.e.
 * 0 <= o * stride - pad + k < n_in: the range [*lo, *hi) (empty when *lo == *hi).
 * stride >= 1, pad >= 0, n_in >= 1, 0 <= k.
 */
static inline void mt_tap_span(int32_t n_out, int32_t n_in, int32_t stride, int32_t pad,
                               int32_t k, int32_t *lo, int32_t *hi) {
  const int32_t first = pad - k;          /* o * stride >= first */
  const int32_t last = n_in - 1 + pad - k; /* o * stride <= last */
  int32_t l = first <= 0 ? 0 : (first + stride - 1) / stride;
  int32_t h = last < 0 ? 0 : last / stride + 1;
  if (h > n_out) {
    h = n_out;
  }
  if (l > h) {
    l = h;
  }
  *lo = l;
  *hi = h;
}

/* x_real of every int8 q: lut[q + 128] = x_scale * (float) (q - x_zero_point). */
static inline void mt_x_lut_fill(float lut[256], float x_scale, int32_t x_zero_point) {
  int32_t q;
  for (q = -128; q < 128; q++) {
    lut[q + 128] = x_scale * (float)(q - x_zero_point);
  }
}

/*
 * The weight-gradient sums of CONV_2D and DEPTHWISE_CONV_2D (the Java twins' contract): for
 * output channel oc, tap (ky, kx) and input channel ic,
 *   sum over b, oy, ox (in-bounds taps, in this order, from +0) of
 *     g[b,oy,ox,oc] * (x_scale * (float) (x[b,iy,ix,ic] - x_zero_point))
 * with iy = oy*stride_h - pad_h + ky, ix = ox*stride_w - pad_w + kx. CONV_2D sums every
 * (oc, ic < channels); DEPTHWISE_CONV_2D uses ic = oc / M.
 *
 * How they are computed here, with the same bits:
 *  - x_real is read from a 256-entry table filled with the very expression above;
 *  - the in-bounds outputs of a tap form the rectangle mt_tap_span gives, so no bounds tests;
 *  - up to 4 x 4 sums (4 output channels, 4 input channels) are accumulated at once, in
 *    registers, each over the positions in order;
 *  - no term is skipped, like the Java twins. (When x_real is finite for every int8 x, i.e.
 *    x_scale * 256 is finite, a term with g == 0 is +-0, which never changes a sum that starts
 *    at +0 under round-to-nearest; then an output channel whose g is zero everywhere has sums of
 *    +0 without summing: mt_wgrad_all_zero.)
 *
 * mt_wgrad_src holds what the sums read: the int8 input x [n, in_h, in_w, x_c], its x_real
 * table, the output gradient g [n, out_h, out_w, out_c] and the geometry. Filled by
 * mt_wgrad_src_init once the arguments have been checked (channels > 0). About 1.1 KB: a local
 * of the kernel.
 */
typedef struct {
  float lut[256]; /* lut[q + 128] = x_scale * (float) (q - x_zero_point), q in [-128, 127] */
  const int8_t *x;
  const float *g;
  int32_t n, in_h, in_w, x_c, out_h, out_w, out_c;
  int32_t stride_h, stride_w, pad_h, pad_w;
  int32_t skip_zero; /* 1 when x_scale * 256 is finite: zero g terms may be left out */
} mt_wgrad_src;

static inline void mt_wgrad_src_init(mt_wgrad_src *s, const mt_conv_params *p,
                                     const mt_dims *x_dims, const int8_t *x, float x_scale,
                                     int32_t x_zero_point, const mt_dims *out_dims,
                                     const float *g) {
  float lim;
  mt_x_lut_fill(s->lut, x_scale, x_zero_point);
  s->x = x;
  s->g = g;
  s->n = out_dims->n;
  s->in_h = x_dims->h;
  s->in_w = x_dims->w;
  s->x_c = x_dims->c;
  s->out_h = out_dims->h;
  s->out_w = out_dims->w;
  s->out_c = out_dims->c;
  s->stride_h = p->stride_h;
  s->stride_w = p->stride_w;
  s->pad_h = p->pad_h;
  s->pad_w = p->pad_w;
  lim = x_scale * 256.0f;
  s->skip_zero = (lim - lim == 0.0f) ? 1 : 0;
}

/*
 * 1 when s->skip_zero and g[., ., ., oc + j] == 0 at every output position for every j < no:
 * then every sum of those output channels is +0 (see above).
 */
static inline int mt_wgrad_all_zero(const mt_wgrad_src *s, int32_t oc, int32_t no) {
  const int32_t positions = s->n * s->out_h * s->out_w;
  const float *gp = s->g + oc;
  int32_t pos, j;
  if (!s->skip_zero) {
    return 0;
  }
  for (pos = 0; pos < positions; pos++) {
    for (j = 0; j < no; j++) {
      if (gp[j] != 0.0f) {
        return 0;
      }
    }
    gp += s->out_c;
  }
  return 1;
}

/*
 * The in-bounds positions of tap (ky, kx) as rows: for b, oy in [oy0, oy1), the row of outputs
 * ox in [ox0, ox1) reads inputs ix = ix0 + (ox - ox0) * stride_w of row iy. When each row ends
 * where the next one starts, both in g and in x (whole output rows reading whole input rows, as
 * a 1x1 stride-1 convolution does), a batch's rows are walked as one: `rows` rows of `run`
 * positions each.
 */
typedef struct {
  int32_t oy0, oy1, ox0, ox1, ix0, ky;
  int32_t rows, run;
} mt_tap_rows;

/* The rows of tap (ky, kx); 0 when the tap reads no input at all. */
static inline int mt_tap_rows_of(const mt_wgrad_src *s, int32_t ky, int32_t kx, mt_tap_rows *t) {
  mt_tap_span(s->out_h, s->in_h, s->stride_h, s->pad_h, ky, &t->oy0, &t->oy1);
  mt_tap_span(s->out_w, s->in_w, s->stride_w, s->pad_w, kx, &t->ox0, &t->ox1);
  t->ix0 = t->ox0 * s->stride_w - s->pad_w + kx;
  t->ky = ky;
  t->rows = t->oy1 - t->oy0;
  t->run = t->ox1 - t->ox0;
  if (t->run == s->out_w && t->run * s->stride_w == s->stride_h * s->in_w) {
    t->run *= t->rows;
    t->rows = 1;
  }
  return t->oy0 < t->oy1 && t->ox0 < t->ox1;
}

/* mt_conv_wgrad_sums' common case, no = ni = 4: 16 sums in registers, 4 g and 4 x_real loaded
 * per position. */
static inline void mt_conv_wgrad_4x4(const mt_wgrad_src *s, const mt_tap_rows *t, int32_t oc,
                                     int32_t ic, float sums[4][4]) {
  const float *lut = s->lut + 128;
  const int32_t x_step = s->stride_w * s->x_c;
  const int32_t g_step = s->out_c;
  float a[4][4];
  int32_t b, r, oy, ox, j, i;
  for (j = 0; j < 4; j++) {
    for (i = 0; i < 4; i++) {
      a[j][i] = 0.0f;
    }
  }
  for (b = 0; b < s->n; b++) {
    for (r = 0, oy = t->oy0; r < t->rows; r++, oy++) {
      const int32_t iy = oy * s->stride_h - s->pad_h + t->ky;
      const float *gp = s->g + ((b * s->out_h + oy) * s->out_w + t->ox0) * s->out_c + oc;
      const int8_t *xp = s->x + ((b * s->in_h + iy) * s->in_w + t->ix0) * s->x_c + ic;
      for (ox = 0; ox < t->run; ox++) {
        float gv[4], xr[4];
        for (j = 0; j < 4; j++) {
          gv[j] = gp[j];
          xr[j] = lut[xp[j]];
        }
        for (j = 0; j < 4; j++) {
          for (i = 0; i < 4; i++) {
            a[j][i] += gv[j] * xr[i];
          }
        }
        gp += g_step;
        xp += x_step;
      }
    }
  }
  for (j = 0; j < 4; j++) {
    for (i = 0; i < 4; i++) {
      sums[j][i] = a[j][i];
    }
  }
}

/*
 * CONV_2D: the sums of output channels oc .. oc + no - 1 and input channels ic .. ic + ni - 1
 * (1 <= no, ni <= 4) at tap t: sums[j][i] for (oc + j, ic + i). t == NULL: every sum is +0 (a
 * tap that reads no input, or mt_wgrad_all_zero).
 */
static inline void mt_conv_wgrad_sums(const mt_wgrad_src *s, const mt_tap_rows *t, int32_t oc,
                                      int32_t no, int32_t ic, int32_t ni, float sums[4][4]) {
  const float *lut = s->lut + 128;
  const int32_t x_step = s->stride_w * s->x_c;
  int32_t b, oy, ox, j, i;
  if (t != NULL && no == 4 && ni == 4) {
    mt_conv_wgrad_4x4(s, t, oc, ic, sums);
    return;
  }
  for (j = 0; j < no; j++) {
    for (i = 0; i < ni; i++) {
      sums[j][i] = 0.0f;
    }
  }
  if (t == NULL) {
    return;
  }
  /* the edges of the channel ranges: the same sums, in memory */
  for (b = 0; b < s->n; b++) {
    for (oy = t->oy0; oy < t->oy1; oy++) {
      const int32_t iy = oy * s->stride_h - s->pad_h + t->ky;
      const float *gp = s->g + ((b * s->out_h + oy) * s->out_w + t->ox0) * s->out_c + oc;
      const int8_t *xp = s->x + ((b * s->in_h + iy) * s->in_w + t->ix0) * s->x_c + ic;
      for (ox = t->ox0; ox < t->ox1; ox++) {
        for (j = 0; j < no; j++) {
          for (i = 0; i < ni; i++) {
            sums[j][i] += gp[j] * lut[xp[i]];
          }
        }
        gp += s->out_c;
        xp += x_step;
      }
    }
  }
}

/* mt_depthwise_wgrad_sums' common case, no = 4: 4 sums in registers; xp[d[j]] is the input of
 * output channel oc + j. */
static inline void mt_depthwise_wgrad_4(const mt_wgrad_src *s, const mt_tap_rows *t, int32_t oc,
                                        int32_t ic, const int32_t d[4], float sums[4]) {
  const float *lut = s->lut + 128;
  const int32_t x_step = s->stride_w * s->x_c;
  const int32_t g_step = s->out_c;
  const int32_t d0 = d[0], d1 = d[1], d2 = d[2], d3 = d[3];
  float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
  int32_t b, r, oy, ox;
  for (b = 0; b < s->n; b++) {
    for (r = 0, oy = t->oy0; r < t->rows; r++, oy++) {
      const int32_t iy = oy * s->stride_h - s->pad_h + t->ky;
      const float *gp = s->g + ((b * s->out_h + oy) * s->out_w + t->ox0) * s->out_c + oc;
      const int8_t *xp = s->x + ((b * s->in_h + iy) * s->in_w + t->ix0) * s->x_c + ic;
      for (ox = 0; ox < t->run; ox++) {
        a0 += gp[0] * lut[xp[d0]];
        a1 += gp[1] * lut[xp[d1]];
        a2 += gp[2] * lut[xp[d2]];
        a3 += gp[3] * lut[xp[d3]];
        gp += g_step;
        xp += x_step;
      }
    }
  }
  sums[0] = a0;
  sums[1] = a1;
  sums[2] = a2;
  sums[3] = a3;
}

/*
 * DEPTHWISE_CONV_2D (multiplier mult): the sums of output channels oc .. oc + no - 1
 * (1 <= no <= 4) at tap t, output channel oc + j reading input channel (oc + j) / mult:
 * sums[j] for oc + j. t == NULL: every sum is +0.
 */
static inline void mt_depthwise_wgrad_sums(const mt_wgrad_src *s, const mt_tap_rows *t,
                                           int32_t oc, int32_t no, int32_t mult, float sums[4]) {
  const float *lut = s->lut + 128;
  const int32_t x_step = s->stride_w * s->x_c;
  const int32_t ic = oc / mult;
  int32_t d[4]; /* the input channel of oc + j, relative to ic */
  int32_t b, oy, ox, j;
  for (j = 0; j < 4; j++) {
    d[j] = (oc + j) / mult - ic;
    sums[j] = 0.0f;
  }
  if (t == NULL) {
    return;
  }
  if (no == 4) {
    mt_depthwise_wgrad_4(s, t, oc, ic, d, sums);
    return;
  }
  for (b = 0; b < s->n; b++) {
    for (oy = t->oy0; oy < t->oy1; oy++) {
      const int32_t iy = oy * s->stride_h - s->pad_h + t->ky;
      const float *gp = s->g + ((b * s->out_h + oy) * s->out_w + t->ox0) * s->out_c + oc;
      const int8_t *xp = s->x + ((b * s->in_h + iy) * s->in_w + t->ix0) * s->x_c + ic;
      for (ox = t->ox0; ox < t->ox1; ox++) {
        for (j = 0; j < no; j++) {
          sums[j] += gp[j] * lut[xp[d[j]]];
        }
        gp += s->out_c;
        xp += x_step;
      }
    }
  }
}

/*
 * Stochastic updates of several output channels at once: the updates of output channel oc draw
 * the PRNG values number oc * D .. oc * D + D - 1 of the kernel's sequence (D = updates per
 * output channel), so a copy of the generator moved D steps ahead per channel ("cursor") gives
 * each channel its own values, in the same order as one generator drawing channel after channel.
 * PCG32's step (mt_train.h) is the affine map state' = state * 6364136223846793005 + inc; D steps
 * compose to state' = state * mult + plus (O'Neill's pcg_advance_lcg_64), integer only.
 */
typedef struct {
  uint64_t mult, plus;
} mt_prng_jump;

static inline mt_prng_jump mt_prng_jump_of(const mt_prng *rng, uint32_t steps) {
  uint64_t cur_mult = MT_PCG_MULT;
  uint64_t cur_plus = rng->inc;
  mt_prng_jump j;
  j.mult = 1u;
  j.plus = 0u;
  while (steps > 0u) {
    if ((steps & 1u) != 0u) {
      j.mult *= cur_mult;
      j.plus = j.plus * cur_mult + cur_plus;
    }
    cur_plus = (cur_mult + 1u) * cur_plus;
    cur_mult *= cur_mult;
    steps >>= 1;
  }
  return j;
}

/*
 * The generators of output channels oc + j, j < no (no <= 4), whose updates start at *rng:
 * draw[j] = rng when not stochastic (nothing is drawn; rng may be NULL), else
 * draw[j] = &cursor[j], a copy of *rng moved j * D steps ahead (per_oc = D steps). After the
 * updates of the no channels, mt_prng_cursors_done moves *rng past them.
 */
static inline void mt_prng_cursors(mt_prng *rng, int stochastic, const mt_prng_jump *per_oc,
                                   int32_t no, mt_prng cursor[4], mt_prng *draw[4]) {
  int32_t j;
  for (j = 0; j < no; j++) {
    draw[j] = rng;
    if (stochastic) {
      cursor[j] = *rng;
      if (j > 0) {
        cursor[j].state = cursor[j - 1].state * per_oc->mult + per_oc->plus;
      }
      draw[j] = &cursor[j];
    }
  }
}

static inline void mt_prng_cursors_done(mt_prng *rng, int stochastic, int32_t no,
                                        const mt_prng cursor[4]) {
  if (stochastic) {
    rng->state = cursor[no - 1].state; /* the last channel's cursor drew its D values */
  }
}

/*
 * FULLY_CONNECTED weight-gradient kernels, the shape checks: g non-NULL, positive batches, depth
 * and units whose products fit an int32, 0 <= channels <= depth. 1 when they hold, else 0.
 */
static inline int mt_fc_grad_weight_dims_ok(const float *g, int32_t batches, int32_t depth,
                                            int32_t units, int32_t channels) {
  return g != NULL && batches >= 1 && depth >= 1 && units >= 1 && units <= INT32_MAX / depth &&
         batches <= INT32_MAX / units && batches <= INT32_MAX / depth && channels >= 0 &&
         channels <= depth;
}

/* Inputs per run of FULLY_CONNECTED weight-gradient sums (a local of 4 * MT_FC_RUN bytes). */
#define MT_FC_RUN 64

/*
 * The FULLY_CONNECTED weight gradients of unit u, inputs d0 .. d0 + n - 1 (n <= MT_FC_RUN; x is
 * the slice [batches, channels], lut its x_real table from mt_x_lut_fill):
 *   gw[i] = sum over b (in order, from +0) of g[b,u] * (x_scale * (float) (x[b,d0+i] - x_zero_point))
 * No term is skipped.
 */
static inline void mt_fc_wgrad_sums(const float lut[256], const int8_t *x, int32_t channels,
                                    const float *g, int32_t units, int32_t batches, int32_t u,
                                    int32_t d0, int32_t n, float gw[MT_FC_RUN]) {
  const float *xr = lut + 128;
  int32_t b, i;
  for (i = 0; i < n; i++) {
    gw[i] = 0.0f;
  }
  for (b = 0; b < batches; b++) {
    const float gv = g[b * units + u];
    const int8_t *xp = x + b * channels + d0;
    for (i = 0; i < n; i++) {
      gw[i] += gv * xr[xp[i]];
    }
  }
}

#endif /* MT_BACKWARD_SUPPORT_H */
