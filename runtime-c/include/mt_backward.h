/*
 * mcutrain runtime — on-device training: fp32 backward kernels and fused int8 weight-gradient +
 * update kernels.
 *
 * Every kernel has a Java twin that is its specification (dev.mcutrain.reference.BackwardKernels
 * and the update loops of dev.mcutrain.train.ReferenceTrainer) and gives the same bits: the loop
 * nests, the summation order and the float expressions below are the contract (design.md §3).
 * binary32 only, no double; build with -ffp-contract=off.
 *
 * Conventions (as mt_kernels.h): op params first, then (dims, data) pairs, output last; every
 * kernel returns MT_OK, or MT_ERR_ARG for a null pointer, a non-positive dimension, a negative
 * count, inconsistent shapes or impossible op parameters (nothing is written then).
 * Dims are NHWC {n, h, w, c}; conv filters are OHWI [co,kh,kw,ci], depthwise filters
 * [1,kh,kw,co] (co = ci * depth_multiplier, oc = ic * depth_multiplier + m), fully connected
 * filters [units, depth].
 *
 * g is the gradient of the loss with respect to an operator's real-valued output, already
 * multiplied by the output's clamp mask (mt_mask_grad_f32). Every *_grad_input_* kernel
 * ACCUMULATES (+=) into dx in the order stated; dx starts at zero and a tensor read by several
 * operators receives their contributions in reverse operator order.
 */
#ifndef MT_BACKWARD_H
#define MT_BACKWARD_H

#include <stdint.h>
#include <stddef.h>
#include "mt_types.h"
#include "mt_train.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- clamp masks -------------------------------------------------------------------------- */

/* g[i] = (act_min < y[i] && y[i] < act_max) ? dy[i] : 0.0f for i in [0, n). g may equal dy.
 * [act_min, act_max] must be a sub-range of [-128, 127]. */
mt_status mt_mask_grad_f32(const int8_t *y, int32_t n, int32_t act_min, int32_t act_max,
                           const float *dy, float *g);

/* The same mask as 1 bit per element: bit (i % 8) of bits[i / 8] (LSB first) is 1 where
 * act_min < y[i] < act_max. Writes (n + 7) / 8 bytes; unused high bits of the last byte are 0. */
mt_status mt_mask_pack(const int8_t *y, int32_t n, int32_t act_min, int32_t act_max,
                       uint8_t *bits);

/* g[i] = bit i of bits ? dy[i] : 0.0f for i in [0, n). g may equal dy. */
mt_status mt_mask_grad_bits_f32(const uint8_t *bits, int32_t n, const float *dy, float *g);

/* ---- input gradients ---------------------------------------------------------------------- */

/*
 * CONV_2D input gradient (BackwardKernels.conv2dGradInput). Uses p->stride_*, p->pad_*.
 * w_scale: one scale per output channel when per_channel != 0, else w_scale[0] for all.
 * Order: for b, oy, ox, oc (skipping g == 0), for in-bounds ky, then in-bounds kx, for ic:
 *   dx[b,iy,ix,ic] += g * (s_w[oc] * (float) w[oc,ky,kx,ic]).
 * filter_dims = {out_c, kh, kw, in_c}; out_dims = {in_n, oh, ow, out_c}.
 */
mt_status mt_conv2d_grad_input_f32(const mt_conv_params *p, const float *w_scale,
                                   int32_t per_channel,
                                   const mt_dims *in_dims,
                                   const mt_dims *filter_dims, const int8_t *filter,
                                   const mt_dims *out_dims, const float *g, float *dx);

/*
 * DEPTHWISE_CONV_2D input gradient (BackwardKernels.depthwiseGradInput); M = p->depth_multiplier.
 * Order: for b, oy, ox, ic, m (oc = ic*M + m; skipping g == 0), for in-bounds ky, kx:
 *   dx[b,iy,ix,ic] += g * (s_w[oc] * (float) w[ky,kx,oc]).
 * filter_dims = {1, kh, kw, out_c}; out_c = in_c * M.
 */
mt_status mt_depthwise_grad_input_f32(const mt_conv_params *p, const float *w_scale,
                                      int32_t per_channel,
                                      const mt_dims *in_dims,
                                      const mt_dims *filter_dims, const int8_t *filter,
                                      const mt_dims *out_dims, const float *g, float *dx);

/*
 * FULLY_CONNECTED input gradient (BackwardKernels.fullyConnectedGradInput). g [batches, units],
 * dx [batches, depth]. Order: for b, u (skipping g == 0), for d:
 *   dx[b,d] += g[b,u] * (s_w[u] * (float) w[u,d]).
 */
mt_status mt_fully_connected_grad_input_f32(int32_t batches, int32_t depth, int32_t units,
                                            const float *w_scale, int32_t per_channel,
                                            const int8_t *filter, const float *g, float *dx);

/*
 * The three input gradients above for a layer that trains only the first `split` innermost
 * channels of its filter (viewed as [rows][D]): those channels are read from `slice`
 * [rows][split] (the trainable copy in SRAM), the others from `filter` (the whole filter in
 * flash, whose first `split` channels are not read). Same order, same results as the whole-filter
 * kernel on the merged filter.
 */
mt_status mt_conv2d_grad_input_split_f32(const mt_conv_params *p, const float *w_scale,
                                         int32_t per_channel, const mt_dims *in_dims,
                                         const mt_dims *filter_dims, const int8_t *filter,
                                         const int8_t *slice, int32_t split,
                                         const mt_dims *out_dims, const float *g, float *dx);
mt_status mt_depthwise_grad_input_split_f32(const mt_conv_params *p, const float *w_scale,
                                            int32_t per_channel, const mt_dims *in_dims,
                                            const mt_dims *filter_dims, const int8_t *filter,
                                            const int8_t *slice, int32_t split,
                                            const mt_dims *out_dims, const float *g, float *dx);
mt_status mt_fully_connected_grad_input_split_f32(int32_t batches, int32_t depth, int32_t units,
                                                  const float *w_scale, int32_t per_channel,
                                                  const int8_t *filter, const int8_t *slice,
                                                  int32_t split, const float *g, float *dx);

/*
 * ADD input gradient of one operand (BackwardKernels.addGradInput): each in_dims dim equals the
 * out_dims dim or is 1 (broadcast). Order: for n, h, w, c over the output:
 *   dx[broadcast index] += g[i++].
 */
mt_status mt_add_grad_input_f32(const mt_dims *in_dims, const mt_dims *out_dims, const float *g,
                                float *dx);

/*
 * AVERAGE_POOL_2D input gradient (BackwardKernels.avgPoolGradInput). Uses p's stride, filter
 * and pad (act range ignored). Order: for b, oy, ox (windows without an in-bounds tap are
 * skipped), c (skipping g == 0): share = g / (float) count (count = in-bounds taps), then for
 * in-bounds fy, fx: dx += share.
 */
mt_status mt_avg_pool2d_grad_input_f32(const mt_pool_params *p, const mt_dims *in_dims,
                                       const mt_dims *out_dims, const float *g, float *dx);

/* MEAN over H, W input gradient (BackwardKernels.meanGradInput): g [n, c];
 * dx[b,h,w,c] += g[b,c] / (float) (H * W), in b, h, w, c order. */
mt_status mt_mean_hw_grad_input_f32(const mt_dims *in_dims, const float *g, float *dx);

/* PAD input gradient (BackwardKernels.padGradInput): dx += the interior of g, in n, h, w, c
 * order. Uses p->before only; needs before[k] >= 0 and in + before <= out on every axis. */
mt_status mt_pad_grad_input_f32(const mt_pad_params *p, const mt_dims *in_dims,
                                const mt_dims *out_dims, const float *g, float *dx);

/* ---- fused weight gradient + update ------------------------------------------------------- */

/*
 * How a real-domain parameter gradient gr becomes an integer update (ReferenceTrainer):
 *   w = mt_update_s8(w, mt_qas_delta(gr, k_w[oc], lr), rounding, rng)
 *   b = mt_update_s32(b, mt_qas_delta(gr, k_b[oc], lr), rounding, rng)
 * k_w / k_b hold one factor per output channel (always the full output-channel count, also for
 * per-tensor scales): 1 / s_w and 1 / s_b with QAS, s_w and s_b without. rng is needed (non-NULL)
 * for MT_ROUND_STOCHASTIC only; every stochastic update draws one value, in the order stated.
 */
typedef struct {
  float lr;
  const float *k_w;   /* [out_c], may be NULL when no weight is updated (channels == 0) */
  const float *k_b;   /* [out_c], may be NULL when no bias is updated (bias == NULL) */
  mt_rounding rounding;
} mt_update_params;

/*
 * Bias-only update: for o < channels: gb = sum over p < positions (in order, from 0) of
 * g[p * channels + o]; bias[o] = mt_update_s32(bias[o], mt_qas_delta(gb, k_b[o], lr), ...).
 * g is [positions, channels] (positions = n * h * w of the output).
 */
mt_status mt_bias_update_s32(const mt_update_params *u, int32_t positions, int32_t channels,
                             const float *g, int32_t *bias, mt_prng *rng);

/*
 * CONV_2D weight gradient fused with the update, then the bias update (ReferenceTrainer):
 *   for oc, ky, kx, ic < channels:
 *     gw = sum over b, oy, ox (in-bounds taps, in order, from 0) of
 *          g[b,oy,ox,oc] * (x_scale * (float) (x[b,iy,ix,ic] - x_zero_point))
 *     filter[oc,ky,kx,ic] = mt_update_s8(filter[..], mt_qas_delta(gw, k_w[oc], lr), ...)
 *   then, when bias != NULL, for oc: bias[oc] updated from sum over b, oy, ox of g[b,oy,ox,oc].
 * x is the saved input SLICE: x_dims = {n, ih, iw, cx} holds input channels 0 .. cx - 1 of the
 * full input, with channels <= cx <= filter_dims->c (cx == channels to save memory; the full
 * input also works). channels == 0 updates the bias only; x and x_dims may be NULL then.
 * Terms with g == 0 may be left out when x_scale * 256 is finite (their product is +-0, which
 * never changes a sum that starts at +0): same bits as the reference.
 * The caller runs the input gradient first: it reads the old weights.
 */
mt_status mt_conv2d_update_s8(const mt_conv_params *p, const mt_update_params *u,
                              const mt_dims *x_dims, const int8_t *x, float x_scale,
                              int32_t x_zero_point,
                              const mt_dims *filter_dims, int8_t *filter, int32_t channels,
                              const mt_dims *out_dims, const float *g, int32_t *bias,
                              mt_prng *rng);

/*
 * DEPTHWISE_CONV_2D weight gradient fused with the update, then the bias (ReferenceTrainer):
 *   for oc < channels (OUTPUT channels), ky, kx:
 *     gw = sum over b, oy, ox (in-bounds, in order) of g[b,oy,ox,oc] * x_real[b,iy,ix,oc / M]
 *     filter[0,ky,kx,oc] = mt_update_s8(filter[..], mt_qas_delta(gw, k_w[oc], lr), ...)
 *   then, when bias != NULL, the bias of every output channel.
 * x slice: x_dims->c = cx input channels with ceil(channels / M) <= cx <= filter_dims->c / M.
 */
mt_status mt_depthwise_update_s8(const mt_conv_params *p, const mt_update_params *u,
                                 const mt_dims *x_dims, const int8_t *x, float x_scale,
                                 int32_t x_zero_point,
                                 const mt_dims *filter_dims, int8_t *filter, int32_t channels,
                                 const mt_dims *out_dims, const float *g, int32_t *bias,
                                 mt_prng *rng);

/*
 * mt_depthwise_update_s8 on the trainable slice only: `slice` is [kh * kw][channels] (tap-major,
 * the first `channels` output channels of each tap); filter_dims still describes the whole
 * filter. (CONV_2D and FULLY_CONNECTED updates take a slice directly: pass filter dims
 * {out_c, kh, kw, channels}, or depth = channels.)
 */
mt_status mt_depthwise_update_slice_s8(const mt_conv_params *p, const mt_update_params *u,
                                       const mt_dims *x_dims, const int8_t *x, float x_scale,
                                       int32_t x_zero_point, const mt_dims *filter_dims,
                                       int8_t *slice, int32_t channels,
                                       const mt_dims *out_dims, const float *g, int32_t *bias,
                                       mt_prng *rng);

/*
 * FULLY_CONNECTED weight gradient fused with the update, then the bias (ReferenceTrainer):
 *   for u < units, d < channels: gw = sum over b of g[b,u] * x_real[b,d];
 *     filter[u,d] = mt_update_s8(filter[u * depth + d], mt_qas_delta(gw, k_w[u], lr), ...)
 *   then, when bias != NULL, for u: gb = sum over b of g[b,u].
 * x is the slice [batches, channels] (the first channels input features of each batch row).
 */
mt_status mt_fully_connected_update_s8(const mt_update_params *u, int32_t batches, int32_t depth,
                                       int32_t units, const int8_t *x, float x_scale,
                                       int32_t x_zero_point, int8_t *filter, int32_t channels,
                                       const float *g, int32_t *bias, mt_prng *rng);

/* ---- fp32 head and dequantization --------------------------------------------------------- */

/* logits[u] = (sum over d, in order, from 0, of w[u*depth+d] * f[d]) + b[u]. */
mt_status mt_fc_f32(int32_t units, int32_t depth, const float *w, const float *b, const float *f,
                    float *logits);

/* For u (skipping dlogits[u] == 0), d: df[d] += dlogits[u] * w[u*depth+d] (accumulates). */
mt_status mt_fc_f32_grad_input(int32_t units, int32_t depth, const float *w,
                               const float *dlogits, float *df);

/* For u: for d: w[i] = w[i] - lr * (dlogits[u] * f[d]) (i = u*depth+d);
 * then b[u] = b[u] - lr * dlogits[u]. */
mt_status mt_fc_f32_update(int32_t units, int32_t depth, float *w, float *b, const float *f,
                           const float *dlogits, float lr);

/* out[i] = scale * (float) (q[i] - zp) for i in [0, n); zp in [-128, 127]. */
mt_status mt_dequantize_f32(const int8_t *q, int32_t n, float scale, int32_t zp, float *out);

#ifdef __cplusplus
}
#endif

#endif /* MT_BACKWARD_H */
