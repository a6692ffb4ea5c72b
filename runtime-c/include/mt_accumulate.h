/*
 * mcutrain runtime — gradient accumulation over B samples (--accumulate B).
 *
 * Each sample ADDS its parameter gradients into fp32 accumulators (the *_grad_*acc* kernels);
 * every B-th sample applies the mean, acc / (float) count (a division, not a multiplication by
 * a reciprocal), as one update (the *_apply_acc* kernels) and clears the accumulators to +0.
 * Java twin and specification: dev.mcutrain.reference.AccumulateKernels (same loop orders, same
 * float expressions, same bits; with count == 1 and zeroed accumulators one accumulate + apply
 * gives the bits of the fused mt_*_update_s8 kernels of mt_backward.h).
 * binary32 only, no double; build with -ffp-contract=off.
 *
 * Accumulator layouts: conv [out_c][kh][kw][channels]; depthwise [channels][kh][kw]; fully
 * connected [units][channels]; bias [out_c]; fp32 head weights [units][depth] and biases [units].
 * `channels` is the number of trained input channels (conv, fully connected) or trained output
 * channels (depthwise), as in the fused kernels; channels == 0 trains no weight (the buffers
 * x, x_dims, acc, filter and k_w may then be NULL).
 *
 * Conventions (as mt_backward.h): op params first, then (dims, data) pairs, output last; every
 * kernel returns MT_OK, or MT_ERR_ARG for a null pointer, a non-positive dimension, count < 1,
 * inconsistent shapes or impossible op parameters (nothing is written then).
 */
#ifndef MT_ACCUMULATE_H
#define MT_ACCUMULATE_H

#include <stdint.h>
#include <stddef.h>
#include "mt_types.h"
#include "mt_train.h"
#include "mt_backward.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- accumulate one sample's gradient ----------------------------------------------------- */

/*
 * CONV_2D weight gradient, accumulated (AccumulateKernels.conv2dGradWeightAcc).
 * Order: for oc, ky, kx, ic < channels:
 *   gw = sum over b, oy, ox (in-bounds taps, in order, from +0) of
 *        g[b,oy,ox,oc] * (x_scale * (float) (x[b,iy,ix,ic] - x_zero_point))
 *   acc[((oc*kh + ky)*kw + kx)*channels + ic] += gw
 * Uses p->stride_*, p->pad_*. x is the saved input slice as in mt_conv2d_update_s8:
 * x_dims = {n, ih, iw, cx} with channels <= cx <= filter_dims->c (x is indexed with cx).
 * filter_dims = {out_c, kh, kw, in_c}; out_dims = {n, oh, ow, out_c}.
 */
mt_status mt_conv2d_grad_weight_acc_f32(const mt_conv_params *p,
                                        const mt_dims *x_dims, const int8_t *x, float x_scale,
                                        int32_t x_zero_point,
                                        const mt_dims *filter_dims, int32_t channels,
                                        const mt_dims *out_dims, const float *g, float *acc);

/*
 * DEPTHWISE_CONV_2D weight gradient, accumulated (AccumulateKernels.depthwiseGradWeightAcc);
 * M = p->depth_multiplier. Order: for o < channels (OUTPUT channels), ky, kx:
 *   gw = sum over b, oy, ox (in-bounds, in order, from +0) of
 *        g[b,oy,ox,o] * (x_scale * (float) (x[b,iy,ix,o / M] - x_zero_point))
 *   acc[(o*kh + ky)*kw + kx] += gw
 * x slice as in mt_depthwise_update_s8: ceil(channels / M) <= x_dims->c <= filter_dims->c / M.
 * filter_dims = {1, kh, kw, out_c}.
 */
mt_status mt_depthwise_grad_weight_acc_f32(const mt_conv_params *p,
                                           const mt_dims *x_dims, const int8_t *x,
                                           float x_scale, int32_t x_zero_point,
                                           const mt_dims *filter_dims, int32_t channels,
                                           const mt_dims *out_dims, const float *g, float *acc);

/*
 * FULLY_CONNECTED weight gradient, accumulated (AccumulateKernels.fullyConnectedGradWeightAcc).
 * Order: for u < units, d < channels:
 *   gw = sum over b (in order, from +0) of g[b,u] * (x_scale * (float) (x[b,d] - x_zero_point))
 *   acc[u*channels + d] += gw
 * x is the saved slice [batches, channels] (as mt_fully_connected_update_s8); g [batches, units].
 */
mt_status mt_fully_connected_grad_weight_acc_f32(int32_t batches, int32_t depth, int32_t units,
                                                 const int8_t *x, float x_scale,
                                                 int32_t x_zero_point, int32_t channels,
                                                 const float *g, float *acc);

/*
 * Bias gradient, accumulated (AccumulateKernels.biasGradAcc). g is [positions, channels]
 * (positions = n * h * w of the output, or batches). Order: for o < channels:
 *   gb = sum over p < positions (in order, from +0) of g[p*channels + o];  acc[o] += gb
 */
mt_status mt_bias_grad_acc_f32(int32_t positions, int32_t channels, const float *g, float *acc);

/* ---- apply the mean and clear ------------------------------------------------------------- */

/*
 * CONV_2D apply (AccumulateKernels.conv2dApply). Order: for oc, ky, kx, ic < channels:
 *   a = ((oc*kh + ky)*kw + kx)*channels + ic;  i = ((oc*kh + ky)*kw + kx)*in_c + ic
 *   filter[i] = mt_update_s8(filter[i], mt_qas_delta(acc[a] / (float) count, k_w[oc], lr),
 *                            rounding, rng);  acc[a] = 0
 * filter_dims = {out_c, kh, kw, in_c}, channels <= in_c; u->k_w has out_c entries.
 * rng is needed for MT_ROUND_STOCHASTIC only (one draw per weight, in the order above).
 */
mt_status mt_conv2d_apply_acc_s8(const mt_update_params *u, int32_t count,
                                 const mt_dims *filter_dims, int8_t *filter, int32_t channels,
                                 float *acc, mt_prng *rng);

/*
 * DEPTHWISE_CONV_2D apply (AccumulateKernels.depthwiseApply). Order: for o < channels, ky, kx:
 *   a = (o*kh + ky)*kw + kx;  i = (ky*kw + kx)*out_c + o
 *   filter[i] = mt_update_s8(filter[i], mt_qas_delta(acc[a] / (float) count, k_w[o], lr),
 *                            rounding, rng);  acc[a] = 0
 * filter_dims = {1, kh, kw, out_c}, channels <= out_c.
 */
mt_status mt_depthwise_apply_acc_s8(const mt_update_params *u, int32_t count,
                                    const mt_dims *filter_dims, int8_t *filter, int32_t channels,
                                    float *acc, mt_prng *rng);

/*
 * FULLY_CONNECTED apply (AccumulateKernels.fullyConnectedApply). Order: for u < units,
 * d < channels:  a = u*channels + d;  i = u*depth + d
 *   filter[i] = mt_update_s8(filter[i], mt_qas_delta(acc[a] / (float) count, k_w[u], lr),
 *                            rounding, rng);  acc[a] = 0
 * filter [units, depth], channels <= depth.
 */
mt_status mt_fully_connected_apply_acc_s8(const mt_update_params *u, int32_t count,
                                          int32_t depth, int32_t units, int8_t *filter,
                                          int32_t channels, float *acc, mt_prng *rng);

/*
 * Bias apply (AccumulateKernels.biasApply). Order: for o < channels:
 *   bias[o] = mt_update_s32(bias[o], mt_qas_delta(acc[o] / (float) count, k_b[o], lr),
 *                           rounding, rng);  acc[o] = 0
 */
mt_status mt_bias_apply_acc_s32(const mt_update_params *u, int32_t count, int32_t channels,
                                int32_t *bias, float *acc, mt_prng *rng);

/* ---- fp32 head ---------------------------------------------------------------------------- */

/*
 * fp32 head gradient, accumulated (AccumulateKernels.headGradAcc). Order: for u < units:
 *   for d < depth: acc_w[u*depth + d] += dlogits[u] * f[d];  then acc_b[u] += dlogits[u]
 * (no term is skipped).
 */
mt_status mt_fc_f32_grad_acc(int32_t units, int32_t depth, const float *f, const float *dlogits,
                             float *acc_w, float *acc_b);

/*
 * fp32 head apply (AccumulateKernels.headApply). Order: for u < units:
 *   for d < depth: i = u*depth + d; w[i] = w[i] - lr * (acc_w[i] / (float) count); acc_w[i] = 0
 *   then b[u] = b[u] - lr * (acc_b[u] / (float) count); acc_b[u] = 0
 */
mt_status mt_fc_f32_apply_acc(int32_t units, int32_t depth, float *w, float *b, float *acc_w,
                              float *acc_b, int32_t count, float lr);

#ifdef __cplusplus
}
#endif

#endif /* MT_ACCUMULATE_H */
