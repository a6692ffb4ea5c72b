/*
 * mcutrain runtime — the public kernel API.
 *
 * Every kernel is generic by parameter (no shape-specific variants), freestanding C99, no malloc,
 * no double. Argument order: op params, quant params, then (dims, data) pairs, output last.
 * Int8 forward kernels reproduce TensorFlow Lite Micro's reference kernels bit for bit
 * (double-rounding requantization).
 */
#ifndef MT_KERNELS_H
#define MT_KERNELS_H

#include "mt_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* CONV_2D, int8. input [n,h,w,ci], filter OHWI [co,kh,kw,ci], bias int32 [co] or NULL,
 * output [n,oh,ow,co]. Padded taps contribute nothing. */
mt_status mt_conv2d_s8(const mt_conv_params *params, const mt_quant_params *quant,
                       const mt_dims *input_dims, const int8_t *input,
                       const mt_dims *filter_dims, const int8_t *filter,
                       const int32_t *bias,
                       const mt_dims *output_dims, int8_t *output);

/* DEPTHWISE_CONV_2D, int8. filter [1,kh,kw,co] with co = ci * depth_multiplier;
 * output channel oc = ic * depth_multiplier + m. filter_dims is {1, kh, kw, co}. */
mt_status mt_depthwise_conv2d_s8(const mt_conv_params *params, const mt_quant_params *quant,
                                 const mt_dims *input_dims, const int8_t *input,
                                 const mt_dims *filter_dims, const int8_t *filter,
                                 const int32_t *bias,
                                 const mt_dims *output_dims, int8_t *output);

/* FULLY_CONNECTED, int8. input [batches, depth], filter [units, depth], bias [units] or NULL,
 * output [batches, units]. */
mt_status mt_fully_connected_s8(const mt_fc_params *params, const mt_quant_params *quant,
                                int32_t batches, int32_t depth, int32_t units,
                                const int8_t *input, const int8_t *filter, const int32_t *bias,
                                int8_t *output);

/* ADD, int8, with broadcasting: each input dim equals the output dim or is 1. */
mt_status mt_add_s8(const mt_add_params *params,
                    const mt_dims *input1_dims, const int8_t *input1,
                    const mt_dims *input2_dims, const int8_t *input2,
                    const mt_dims *output_dims, int8_t *output);

/* AVERAGE_POOL_2D, int8: mean over in-bounds taps, rounded half away from zero. */
mt_status mt_avg_pool2d_s8(const mt_pool_params *params,
                           const mt_dims *input_dims, const int8_t *input,
                           const mt_dims *output_dims, int8_t *output);

/* MAX_POOL_2D, int8: max over in-bounds taps. */
mt_status mt_max_pool2d_s8(const mt_pool_params *params,
                           const mt_dims *input_dims, const int8_t *input,
                           const mt_dims *output_dims, int8_t *output);

/* MEAN over H and W, int8: input [n,h,w,c] -> output [n,1,1,c]. */
mt_status mt_mean_hw_s8(const mt_mean_params *params,
                        const mt_dims *input_dims, const int8_t *input, int8_t *output);

/* SOFTMAX over the last axis, int8 -> int8 (gemmlowp fixed point, as TFLite Micro). */
mt_status mt_softmax_s8(const mt_softmax_params *params, int32_t outer, int32_t depth,
                        const int8_t *input, int8_t *output);

/* PAD, int8, on a 4-D NHWC tensor. */
mt_status mt_pad_s8(const mt_pad_params *params,
                    const mt_dims *input_dims, const int8_t *input,
                    const mt_dims *output_dims, int8_t *output);

/* QUANTIZE float -> int8: q = clamp(round(x / scale) + zp). */
mt_status mt_quantize_f32_s8(const mt_quantize_params *params, int32_t size,
                             const float *input, int8_t *output);

/* QUANTIZE int8 -> int8: q = clamp(MBQM(x - in_zp, m, s) + out_zp). */
mt_status mt_requantize_s8(const mt_quantize_params *params, int32_t size,
                           const int8_t *input, int8_t *output);

/* DEQUANTIZE int8 -> float: x = scale * (q - zp). */
mt_status mt_dequantize_s8_f32(const mt_quantize_params *params, int32_t size,
                               const int8_t *input, float *output);

/*
 * A chain of convolutions computed row by row, so that no intermediate tensor exists whole
 * (the inverted-residual expand -> depthwise -> project, for instance). Stage 0 reads the whole
 * input; stage s > 0 reads a window of the last filter_h rows of stage s-1's output, kept in
 * scratch; the last stage writes its rows straight into output. Every row of every stage is
 * computed exactly once, by the same kernels on row bands, so the output is bit for bit what
 * running the stages one after the other gives. Batch 1 only; every output row of a stage must
 * have at least one input row inside the input (padding smaller than the filter).
 * scratch holds, per stage s > 0, filter_h(s) rows of stage s-1's output, each window starting
 * on a 16-byte boundary: mt_conv_pipeline_scratch_bytes gives the size.
 */
mt_status mt_conv_pipeline_s8(const mt_conv_stage *stages, int32_t count,
                              const mt_dims *input_dims, const int8_t *input,
                              int8_t *scratch, int32_t scratch_bytes, int8_t *output);

/* Scratch bytes mt_conv_pipeline_s8 needs for these stages (negative for bad arguments). */
int32_t mt_conv_pipeline_scratch_bytes(const mt_conv_stage *stages, int32_t count,
                                       const mt_dims *input_dims);

/* Byte copy (aliasing-safe forward copy is not needed: regions never overlap). */
void mt_copy(void *dst, const void *src, int32_t n);

#ifdef __cplusplus
}
#endif

#endif /* MT_KERNELS_H */
