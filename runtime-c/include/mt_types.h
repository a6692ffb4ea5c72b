/*
 * mcutrain runtime — parameter and shape types shared by every kernel.
 *
 * All quantization parameters are precomputed by the compiler (multipliers, shifts, offsets,
 * activation bounds), so kernels only do integer arithmetic on the forward path.
 */
#ifndef MT_TYPES_H
#define MT_TYPES_H

#include <stdint.h>

/* Word alignment for int8 arrays that kernels read four bytes at a time (weights, SRAM copies). */
#if defined(__GNUC__) || defined(__clang__)
#define MT_ALIGNED4 __attribute__((aligned(4)))
#else
#define MT_ALIGNED4
#endif
#include <stddef.h>

typedef enum {
  MT_OK = 0,
  MT_ERR_ARG = -1,      /* a null pointer or an impossible size */
  MT_ERR_SIZE = -2,     /* a buffer of the wrong size */
  MT_ERR_CORRUPT = -3   /* data failed an integrity check */
} mt_status;

/* Shape of an NHWC tensor. Lower-rank tensors use leading 1s. */
typedef struct {
  int32_t n, h, w, c;
} mt_dims;

/* Requantization of an int32 accumulator to int8, one multiplier/shift per output channel
 * (or a single pair broadcast when per_channel is 0). shift > 0 is a left shift. */
typedef struct {
  const int32_t *multiplier;
  const int32_t *shift;
  int32_t per_channel;
} mt_quant_params;

/* CONV_2D and DEPTHWISE_CONV_2D. pad_h/pad_w are the top/left paddings. */
typedef struct {
  int32_t input_offset;      /* -input zero point */
  int32_t output_offset;     /* output zero point */
  int32_t stride_h, stride_w;
  int32_t pad_h, pad_w;
  int32_t depth_multiplier;  /* depthwise only */
  int32_t act_min, act_max;
} mt_conv_params;

/* FULLY_CONNECTED. */
typedef struct {
  int32_t input_offset;
  int32_t output_offset;
  int32_t act_min, act_max;
} mt_fc_params;

/* ADD with TFLite's two-stage rescaling (left shift 20 for int8). */
typedef struct {
  int32_t input1_offset, input2_offset, output_offset;
  int32_t left_shift;
  int32_t input1_multiplier, input1_shift;
  int32_t input2_multiplier, input2_shift;
  int32_t output_multiplier, output_shift;
  int32_t act_min, act_max;
} mt_add_params;

/* AVERAGE_POOL_2D and MAX_POOL_2D (same quantization in and out). */
typedef struct {
  int32_t stride_h, stride_w;
  int32_t filter_h, filter_w;
  int32_t pad_h, pad_w;
  int32_t act_min, act_max;
} mt_pool_params;

/* MEAN over H and W of an NHWC tensor. */
typedef struct {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier, shift;
} mt_mean_params;

/* SOFTMAX int8 -> int8 (output scale 1/256, zero point -128). */
typedef struct {
  int32_t input_multiplier;
  int32_t input_left_shift;
  int32_t diff_min;
} mt_softmax_params;

/* PAD: paddings before/after for each of the 4 NHWC axes, filled with pad_value. */
typedef struct {
  int32_t before[4];
  int32_t after[4];
  int32_t pad_value;
} mt_pad_params;

/* QUANTIZE (float -> int8 or int8 -> int8) and DEQUANTIZE (int8 -> float). */
typedef struct {
  float scale;               /* float -> int8: output scale; int8 -> float: input scale */
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t multiplier, shift; /* int8 -> int8 requantization */
} mt_quantize_params;

/*
 * One convolution of a row pipeline (mt_conv_pipeline_s8): a CONV_2D or DEPTHWISE_CONV_2D with
 * its own parameters, weights and whole-tensor output shape.
 */
typedef struct {
  int32_t depthwise;                /* 0: CONV_2D, 1: DEPTHWISE_CONV_2D */
  const mt_conv_params *params;
  const mt_quant_params *quant;
  const mt_dims *filter_dims;
  const int8_t *filter;
  const int32_t *bias;              /* or NULL */
  const mt_dims *output_dims;       /* the stage's whole output, batch 1 */
} mt_conv_stage;

/* Most stages one pipeline may chain. */
#define MT_PIPELINE_MAX_STAGES 4

#endif /* MT_TYPES_H */
