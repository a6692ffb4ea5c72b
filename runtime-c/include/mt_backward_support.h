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
#include "mt_backward.h"
#include "mt_support.h"

/* 1 when the conv strides are >= 1 and the paddings >= 0 (p non-NULL), else 0. */
static inline int mt_conv_steps_ok(const mt_conv_params *p) {
  return p->stride_h >= 1 && p->stride_w >= 1 && p->pad_h >= 0 && p->pad_w >= 0;
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
 * What a CONV_2D / DEPTHWISE_CONV_2D weight-gradient sum reads: the int8 input x [n, in_h, in_w,
 * x_c] with its quantization, the output gradient g [n, out_h, out_w, out_c] and the geometry.
 * Filled by mt_wgrad_src_init once the arguments have been checked (channels > 0).
 */
typedef struct {
  const mt_conv_params *p;
  const int8_t *x;
  float x_scale;
  int32_t x_zero_point;
  const float *g;
  int32_t n, in_h, in_w, x_c, out_h, out_w, out_c;
  int32_t skip_zero; /* 1 when terms with g == 0 may be skipped (x_scale * 256 finite) */
} mt_wgrad_src;

/*
 * Skipping a term with g == 0 leaves the sum's bits unchanged when x_real is finite (the term is
 * +-0 and the sum, starting at +0, is never -0 under round-to-nearest), which holds for every
 * int8 x when x_scale * 256 is finite (inf - inf and NaN give NaN).
 */
static inline void mt_wgrad_src_init(mt_wgrad_src *s, const mt_conv_params *p,
                                     const mt_dims *x_dims, const int8_t *x, float x_scale,
                                     int32_t x_zero_point, const mt_dims *out_dims,
                                     const float *g) {
  float lim;
  s->p = p;
  s->x = x;
  s->x_scale = x_scale;
  s->x_zero_point = x_zero_point;
  s->g = g;
  s->n = out_dims->n;
  s->in_h = x_dims->h;
  s->in_w = x_dims->w;
  s->x_c = x_dims->c;
  s->out_h = out_dims->h;
  s->out_w = out_dims->w;
  s->out_c = out_dims->c;
  lim = x_scale * 256.0f;
  s->skip_zero = (lim - lim == 0.0f) ? 1 : 0;
}

/*
 * The weight gradient of tap (ky, kx) from input channel ic to output channel oc:
 *   sum over b, oy, ox (in-bounds taps, in this order, from +0) of
 *     g[b,oy,ox,oc] * (x_scale * (float) (x[b,iy,ix,ic] - x_zero_point))
 * with iy = oy*stride_h - pad_h + ky, ix = ox*stride_w - pad_w + kx, skipping g == 0 terms when
 * s->skip_zero. CONV_2D sums every (oc, ic < channels); DEPTHWISE_CONV_2D passes ic = oc / M.
 */
static inline float mt_conv_wgrad_sum(const mt_wgrad_src *s, int32_t oc, int32_t ky, int32_t kx,
                                      int32_t ic) {
  const mt_conv_params *p = s->p;
  float gw = 0.0f;
  int32_t b, oy, ox;
  for (b = 0; b < s->n; b++) {
    for (oy = 0; oy < s->out_h; oy++) {
      const int32_t iy = oy * p->stride_h - p->pad_h + ky;
      if (iy < 0 || iy >= s->in_h) {
        continue;
      }
      for (ox = 0; ox < s->out_w; ox++) {
        const int32_t ix = ox * p->stride_w - p->pad_w + kx;
        float gv;
        float xr;
        if (ix < 0 || ix >= s->in_w) {
          continue;
        }
        gv = s->g[((b * s->out_h + oy) * s->out_w + ox) * s->out_c + oc];
        if (gv == 0.0f && s->skip_zero) {
          continue;
        }
        xr = s->x_scale *
             (float)((int32_t)s->x[((b * s->in_h + iy) * s->in_w + ix) * s->x_c + ic] -
                     s->x_zero_point);
        gw += gv * xr;
      }
    }
  }
  return gw;
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

/*
 * The FULLY_CONNECTED weight gradient of unit u, input d (x is the slice [batches, channels]):
 *   sum over b (in order, from +0) of g[b,u] * (x_scale * (float) (x[b,d] - x_zero_point))
 * No term is skipped.
 */
static inline float mt_fc_wgrad_sum(const int8_t *x, float x_scale, int32_t x_zero_point,
                                    int32_t channels, const float *g, int32_t units,
                                    int32_t batches, int32_t u, int32_t d) {
  float gw = 0.0f;
  int32_t b;
  for (b = 0; b < batches; b++) {
    const float xr = x_scale * (float)((int32_t)x[b * channels + d] - x_zero_point);
    gw += g[b * units + u] * xr;
  }
  return gw;
}

#endif /* MT_BACKWARD_SUPPORT_H */
