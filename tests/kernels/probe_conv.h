/*
 * The shared body of probe_conv2d.c and probe_depthwise.c, which run mt_conv2d_s8 or
 * mt_depthwise_conv2d_s8 on cases read from stdin; built for the host and for the emulated
 * Cortex-M7 (where the DSP paths run) by dev.mcutrain.runtime.ConvKernelProbeTest's subclasses,
 * which check both against the Java reference.
 *
 * Reads cases from stdin until end of input. A case is 20 little-endian int32:
 *   n, h, w, in_c, out_c, k_h, k_w, out_h, out_w, stride_h, stride_w, pad_h, pad_w,
 *   input_offset, output_offset, act_min, act_max, per_channel, has_bias, misalign
 * then the input (n*h*w*in_c bytes), the filter (CONV_2D: out_c*k_h*k_w*in_c bytes; depthwise:
 * k_h*k_w*out_c bytes with out_c = in_c * depth multiplier), the bias (out_c int32, if has_bias),
 * the multipliers and the shifts (out_c int32 each, or 1 each when per_channel is 0). misalign
 * puts the input at byte offset (misalign & 3) from a word boundary, the filter at
 * ((misalign >> 2) & 3) and the output at ((misalign >> 4) & 3).
 * For each case writes the status (int32) and the output bytes (n*out_h*out_w*out_c); a write to
 * the GUARD bytes after the output turns the status into 0x7E57.
 * Exits 2 on a malformed or oversized case, 3 on a write error.
 */
#ifndef PROBE_CONV_H
#define PROBE_CONV_H

#include <stdint.h>
#include <stddef.h>
#include "mt_kernels.h"
#include "probe_io.h"

#define MAX_BYTES 65536
#define MAX_CHANNELS 1024
#define GUARD 64 /* bytes after the output that the kernel must leave alone */

static int8_t g_input[MAX_BYTES + 4] __attribute__((aligned(4)));
static int8_t g_filter[MAX_BYTES + 4] __attribute__((aligned(4)));
static int8_t g_output[MAX_BYTES + 4 + GUARD] __attribute__((aligned(4)));
static int32_t g_bias[MAX_CHANNELS];
static int32_t g_multiplier[MAX_CHANNELS];
static int32_t g_shift[MAX_CHANNELS];

/* Reads count int32 into dst; 1 on success. */
static int32_t read_words(int32_t *dst, int32_t count) {
  uint8_t buf[4];
  int32_t i;
  for (i = 0; i < count; i++) {
    if (read_full(buf, 4) != 4) {
      return 0;
    }
    dst[i] = (int32_t)get_u32(buf);
  }
  return 1;
}

/* n*h*w*c, or -1 when a dimension is below 1 or the product exceeds MAX_BYTES. */
static int32_t volume(int32_t n, int32_t h, int32_t w, int32_t c) {
  if (n < 1 || h < 1 || w < 1 || c < 1 || n > MAX_BYTES || h > MAX_BYTES || w > MAX_BYTES ||
      c > MAX_BYTES) {
    return -1;
  }
  if ((int64_t)n * h * w * c > MAX_BYTES) {
    return -1;
  }
  return n * h * w * c;
}

/* Runs the probe loop for mt_conv2d_s8 (depthwise == 0) or mt_depthwise_conv2d_s8. */
static int probe_conv_main(int depthwise) {
  for (;;) {
    uint8_t header[80];
    int32_t hd[20];
    int32_t got, i, guard_ok;
    uint8_t status_bytes[4];
    mt_conv_params params;
    mt_quant_params quant;
    mt_dims in_dims, f_dims, out_dims;
    int32_t in_count, f_count, out_count, quant_count;
    int8_t *input, *filter, *output;
    mt_status status;
    got = read_full(header, 80);
    if (got == 0) {
      return 0;
    }
    if (got != 80) {
      return 2;
    }
    for (i = 0; i < 20; i++) {
      hd[i] = (int32_t)get_u32(header + 4 * i);
    }
    in_count = volume(hd[0], hd[1], hd[2], hd[3]);
    f_count = depthwise ? volume(1, hd[5], hd[6], hd[4]) : volume(hd[4], hd[5], hd[6], hd[3]);
    out_count = volume(hd[0], hd[7], hd[8], hd[4]);
    if (in_count < 0 || f_count < 0 || out_count < 0 || hd[4] > MAX_CHANNELS ||
        (depthwise && hd[4] % hd[3] != 0)) {
      return 2;
    }
    input = g_input + (hd[19] & 3);
    filter = g_filter + ((hd[19] >> 2) & 3);
    output = g_output + ((hd[19] >> 4) & 3);
    quant_count = (hd[17] != 0) ? hd[4] : 1;
    if (read_full((uint8_t *)input, in_count) != in_count ||
        read_full((uint8_t *)filter, f_count) != f_count ||
        (hd[18] != 0 && !read_words(g_bias, hd[4])) || !read_words(g_multiplier, quant_count) ||
        !read_words(g_shift, quant_count)) {
      return 2;
    }
    in_dims.n = hd[0];
    in_dims.h = hd[1];
    in_dims.w = hd[2];
    in_dims.c = hd[3];
    f_dims.n = depthwise ? 1 : hd[4];
    f_dims.h = hd[5];
    f_dims.w = hd[6];
    f_dims.c = depthwise ? hd[4] : hd[3];
    out_dims.n = hd[0];
    out_dims.h = hd[7];
    out_dims.w = hd[8];
    out_dims.c = hd[4];
    params.stride_h = hd[9];
    params.stride_w = hd[10];
    params.pad_h = hd[11];
    params.pad_w = hd[12];
    params.input_offset = hd[13];
    params.output_offset = hd[14];
    params.act_min = hd[15];
    params.act_max = hd[16];
    params.depth_multiplier = depthwise ? hd[4] / hd[3] : 1;
    quant.multiplier = g_multiplier;
    quant.shift = g_shift;
    quant.per_channel = hd[17];
    for (i = 0; i < GUARD; i++) {
      output[out_count + i] = 0x5A;
    }
    status = depthwise ? mt_depthwise_conv2d_s8(&params, &quant, &in_dims, input, &f_dims,
                                                filter, hd[18] != 0 ? g_bias : NULL, &out_dims,
                                                output)
                       : mt_conv2d_s8(&params, &quant, &in_dims, input, &f_dims, filter,
                                      hd[18] != 0 ? g_bias : NULL, &out_dims, output);
    guard_ok = 1;
    for (i = 0; i < GUARD; i++) {
      if (output[out_count + i] != 0x5A) {
        guard_ok = 0;
      }
    }
    /* a write past the output is reported as a bad status */
    put_u32(status_bytes, guard_ok ? (uint32_t)status : 0x7E57u);
    if (!write_full(status_bytes, 4) || !write_full((const uint8_t *)output, out_count)) {
      return 3;
    }
  }
}

#endif /* PROBE_CONV_H */
