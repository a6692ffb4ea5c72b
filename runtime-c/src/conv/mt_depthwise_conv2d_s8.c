/*
 * mcutrain runtime — DEPTHWISE_CONV_2D, int8 (TFLite Micro reference semantics).
 */
#include "mt_kernels.h"
#include "mt_support.h"

/* Most taps of the interior-pixel tables of the multiplier-1 path (a 7x7 filter has 49). */
#define MT_DW_TABLE_TAPS 64

#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
/* Requantization of four channels for dw4_run: add[j] = bias + input offset * filter sum. */
typedef struct {
  mt_requant rq[4];
  int32_t add[4];
  int32_t output_offset;
  int32_t act_min;
  int32_t act_max;
} dw4_out;

/* Requantizes, offsets, clamps and stores four channels' accumulators (dw4_run, dw4_rect). */
static inline void dw4_store(const dw4_out *o, int32_t a0, int32_t a1, int32_t a2, int32_t a3,
                             int8_t *out) {
  const int32_t a[4] = {a0, a1, a2, a3};
  int32_t j;
  for (j = 0; j < 4; j++) {
    out[j] = mt_clamp_s8(mt_requant_apply(&o->rq[j], a[j]) + o->output_offset, o->act_min,
                         o->act_max);
  }
}


/*
 * count output pixels of four channels whose taps all lie inside the input, step bytes apart in
 * the input (base: the first pixel's top-left tap) and out_step apart in the output. tap_in[t] is
 * tap t's byte offset, lanes[2t] / lanes[2t + 1] its filter values of channels {0, 2} / {1, 3} as
 * 16-bit lanes; sum f * x + add, then the short exact requantization. Out of line with few live
 * values, so that the tap loop stays in registers.
 */
static __attribute__((noinline)) void dw4_run(const int8_t *base, int32_t step, int32_t count,
                                              const int32_t *tap_in, const uint32_t *lanes,
                                              int32_t taps, const dw4_out *o, int8_t *out,
                                              int32_t out_step) {
  int32_t p;
  for (p = 0; p < count; p++) {
    int32_t a0 = o->add[0];
    int32_t a1 = o->add[1];
    int32_t a2 = o->add[2];
    int32_t a3 = o->add[3];
    const uint32_t *l = lanes;
    int32_t t;
    for (t = 0; t < taps; t++) {
      uint32_t x;
      uint32_t x02;
      uint32_t x13;
      __builtin_memcpy(&x, __builtin_assume_aligned(base + tap_in[t], 4), 4);
      x02 = __builtin_arm_sxtb16(x);
      x13 = __builtin_arm_sxtb16((x >> 8) | (x << 24));
      a0 = __builtin_arm_smlabb((int32_t)x02, (int32_t)l[0], a0);
      a2 = __builtin_arm_smlatt((int32_t)x02, (int32_t)l[0], a2);
      a1 = __builtin_arm_smlabb((int32_t)x13, (int32_t)l[1], a1);
      a3 = __builtin_arm_smlatt((int32_t)x13, (int32_t)l[1], a3);
      l += 2;
    }
    dw4_store(o, a0, a1, a2, a3, out);
    base += step;
    out += out_step;
  }
}

/*
 * The four channel sums of f * (x + offset) over a rectangle of rows x cols taps (a border
 * pixel): in points at its first tap (in_row / in_tap bytes to the next row / tap), lanes at the
 * first tap's filter lanes (2 * k_w words to the next row). SADD16 adds the input offset in 16
 * bits (|x + offset| fits); then o->add (the biases), the short exact requantization and the
 * stores, like dw4_run. Out of line, so that the tap loop stays in registers.
 */
static __attribute__((noinline)) void dw4_rect(const int8_t *in, int32_t in_row, int32_t in_tap,
                                               const uint32_t *lanes, int32_t lane_row,
                                               int32_t rows, int32_t cols, uint32_t off2,
                                               const dw4_out *o, int8_t *out) {
  int32_t a0 = o->add[0];
  int32_t a1 = o->add[1];
  int32_t a2 = o->add[2];
  int32_t a3 = o->add[3];
  int32_t r;
  for (r = 0; r < rows; r++) {
    const int8_t *x_p = in + r * in_row;
    const uint32_t *l = lanes + r * lane_row;
    int32_t c;
    for (c = 0; c < cols; c++) {
      uint32_t x;
      uint32_t x02;
      uint32_t x13;
      __builtin_memcpy(&x, __builtin_assume_aligned(x_p, 4), 4);
      x02 = __builtin_arm_sadd16(__builtin_arm_sxtb16(x), off2);
      x13 = __builtin_arm_sadd16(__builtin_arm_sxtb16((x >> 8) | (x << 24)), off2);
      a0 = __builtin_arm_smlabb((int32_t)x02, (int32_t)l[0], a0);
      a2 = __builtin_arm_smlatt((int32_t)x02, (int32_t)l[0], a2);
      a1 = __builtin_arm_smlabb((int32_t)x13, (int32_t)l[1], a1);
      a3 = __builtin_arm_smlatt((int32_t)x13, (int32_t)l[1], a3);
      x_p += in_tap;
      l += 2;
    }
  }
  dw4_store(o, a0, a1, a2, a3, out);
}

#endif



/*
 * Depthwise 2-D convolution of an NHWC int8 input. The filter is [1, kh, kw, out_c] with
 * out_c = in_c * depth_multiplier; output channel oc = ic * depth_multiplier + m reads input
 * channel ic only.
 *
 * out[b,oy,ox,oc] = clamp(MBQM(sum + bias[oc], mult[oc], shift[oc]) + output_offset, act_min, act_max)
 * with sum over the in-bounds taps (ky,kx) of filter[ky,kx,oc] * (in[b,iy,ix,ic] + input_offset).
 * Dilation is 1. bias may be NULL (treated as 0).
 *
 * Returns MT_OK, or MT_ERR_ARG for a null pointer, a non-positive dimension, stride or depth
 * multiplier, a negative padding, inconsistent channel counts, or an activation range outside int8.
 */
mt_status mt_depthwise_conv2d_s8(const mt_conv_params *params, const mt_quant_params *quant,
                                 const mt_dims *input_dims, const int8_t *input,
                                 const mt_dims *filter_dims, const int8_t *filter,
                                 const int32_t *bias,
                                 const mt_dims *output_dims, int8_t *output) {
  int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w, depth_mult;
  int32_t b, oy, ox, ic, m, ky, kx;

  if (params == NULL || input == NULL || filter == NULL || output == NULL) {
    return MT_ERR_ARG;
  }
  if (mt_dims_count(input_dims) < 0 || mt_dims_count(filter_dims) < 0 ||
      mt_dims_count(output_dims) < 0) {
    return MT_ERR_ARG;
  }
  batches = input_dims->n;
  in_h = input_dims->h;
  in_w = input_dims->w;
  in_c = input_dims->c;
  out_h = output_dims->h;
  out_w = output_dims->w;
  out_c = output_dims->c;
  k_h = filter_dims->h;
  k_w = filter_dims->w;
  depth_mult = params->depth_multiplier;
  if (depth_mult < 1 || in_c > INT32_MAX / depth_mult) {
    return MT_ERR_ARG;
  }
  if (output_dims->n != batches || filter_dims->n != 1 || filter_dims->c != out_c ||
      out_c != in_c * depth_mult) {
    return MT_ERR_ARG;
  }
  if (params->stride_h < 1 || params->stride_w < 1 || params->pad_h < 0 || params->pad_w < 0) {
    return MT_ERR_ARG;
  }
  if (!mt_act_range_valid(params->act_min, params->act_max) || !mt_quant_valid(quant, out_c)) {
    return MT_ERR_ARG;
  }

  if (depth_mult == 1) {
    const int32_t off = params->input_offset;
    /* |x + offset| <= |offset| + 128, so |sum of f * (x + offset)| <= taps * 128 * that. */
    const uint32_t x_abs = (off < 0 ? 0u - (uint32_t)off : (uint32_t)off) + 128u;
    const uint64_t sum_bound = (uint64_t)k_h * (uint64_t)k_w * 128u * x_abs;
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
    /* Word loads need every tap's four channels 4-byte aligned; x + offset must fit 16 bits. */
    const int words = (in_c & 3) == 0 && x_abs <= 32767u &&
                      ((((uintptr_t)input) | ((uintptr_t)filter)) & 3u) == 0u;
    const uint32_t off2 = (uint32_t)(uint16_t)(int16_t)off * 0x00010001u;
    /*
     * Interior pixels (every tap inside the input) take a table of tap offsets and the filter's
     * taps already split into 16-bit lanes; the input offset then joins once per output as
     * offset * sum of the filter (the same int32 sum). Up to MT_DW_TABLE_TAPS taps.
     */
    int32_t tap_in[MT_DW_TABLE_TAPS];
    const int table = words && k_h * k_w <= MT_DW_TABLE_TAPS;
    /* Output columns whose taps are all inside the input: [ox_lo, ox_hi]. */
    const int32_t ox_lo = (params->pad_w + params->stride_w - 1) / params->stride_w;
    const int32_t ox_fit = in_w - k_w + params->pad_w >= 0
                               ? (in_w - k_w + params->pad_w) / params->stride_w
                               : -1;
    const int32_t ox_hi = ox_fit < out_w - 1 ? ox_fit : out_w - 1;
    if (table) {
      int32_t t = 0;
      for (ky = 0; ky < k_h; ky++) {
        for (kx = 0; kx < k_w; kx++) {
          tap_in[t++] = (ky * in_w + kx) * in_c;
        }
      }
    }
#endif
    int32_t c0;
    /*
     * Four channels at a time (channels innermost, so one word per tap): their requantization
     * is prepared once, then every output pixel adds its valid taps — the rectangle [ky0, ky1) x
     * [kx0, kx1) — into four accumulators. The same int32 sums per channel as tap by tap.
     */
    for (c0 = 0; c0 < in_c; c0 += 4) {
      const int32_t nc = in_c - c0 < 4 ? in_c - c0 : 4;
      mt_requant rq[4];
      int32_t fast[4];
      int32_t b4[4];
      int32_t mult4[4];
      int32_t shift4[4];
      int32_t j;
      for (j = 0; j < nc; j++) {
        const int32_t oc = c0 + j;
        uint32_t babs;
        b4[j] = bias != NULL ? bias[oc] : 0;
        mult4[j] = mt_quant_multiplier(quant, oc);
        shift4[j] = mt_quant_shift(quant, oc);
        babs = b4[j] < 0 ? 0u - (uint32_t)b4[j] : (uint32_t)b4[j];
        /* The short exact requantization when |accumulator| stays below 2^30, else mt_mbqm. */
        fast[j] = sum_bound + babs < (((uint64_t)1) << 30) &&
                  mt_requant_prepare(&rq[j], mult4[j], shift4[j], (uint32_t)(sum_bound + babs));
      }
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
      uint32_t f_lanes[2 * MT_DW_TABLE_TAPS]; /* per tap: channels {0, 2}, then {1, 3} */
      int32_t f_sum[4] = {0, 0, 0, 0};
      if (table) {
        int32_t t;
        for (t = 0; t < k_h * k_w; t++) {
          uint32_t f;
          __builtin_memcpy(&f, __builtin_assume_aligned(filter + t * out_c + c0, 4), 4);
          f_lanes[2 * t] = __builtin_arm_sxtb16(f);
          f_lanes[2 * t + 1] = __builtin_arm_sxtb16((f >> 8) | (f << 24));
          for (j = 0; j < 4; j++) {
            f_sum[j] += filter[t * out_c + c0 + j];
          }
        }
      }
      /* Runs of interior pixels go to dw4_run when all four channels requantize short. */
      dw4_out run_out;
      dw4_out rect_out;
      const int all_fast = table && fast[0] && fast[1] && fast[2] && fast[3];
      const int runs = all_fast && ox_lo <= ox_hi;
      if (all_fast) {
        for (j = 0; j < 4; j++) {
          run_out.rq[j] = rq[j];
          run_out.add[j] = b4[j] + off * f_sum[j];
        }
        run_out.output_offset = params->output_offset;
        run_out.act_min = params->act_min;
        run_out.act_max = params->act_max;
        rect_out = run_out;
        for (j = 0; j < 4; j++) {
          rect_out.add[j] = b4[j];
        }
      }
#endif
      for (b = 0; b < batches; b++) {
        for (oy = 0; oy < out_h; oy++) {
          const int32_t iy0 = oy * params->stride_h - params->pad_h;
          const int32_t ky0 = iy0 < 0 ? -iy0 : 0;
          const int32_t ky1 = in_h - iy0 < k_h ? in_h - iy0 : k_h;
          for (ox = 0; ox < out_w; ox++) {
            const int32_t ix0 = ox * params->stride_w - params->pad_w;
            const int32_t kx0 = ix0 < 0 ? -ix0 : 0;
            const int32_t kx1 = in_w - ix0 < k_w ? in_w - ix0 : k_w;
            int8_t *out_px = output + ((b * out_h + oy) * out_w + ox) * out_c + c0;
            int32_t a[4] = {0, 0, 0, 0};
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
            if (all_fast && !(ky0 == 0 && ky1 == k_h && kx0 == 0 && kx1 == k_w)) {
              dw4_rect(input + ((b * in_h + iy0 + ky0) * in_w + ix0 + kx0) * in_c + c0,
                       in_w * in_c, in_c, f_lanes + 2 * (ky0 * k_w + kx0), 2 * k_w,
                       ky1 - ky0, kx1 - kx0, off2, &rect_out, out_px);
              continue;
            }
            if (runs && ox == ox_lo && ky0 == 0 && ky1 == k_h) {
              dw4_run(input + ((b * in_h + iy0) * in_w + ix0) * in_c + c0,
                      params->stride_w * in_c, ox_hi - ox_lo + 1, tap_in, f_lanes, k_h * k_w,
                      &run_out, out_px, out_c);
              ox = ox_hi;
              continue;
            }
            if (table && ky0 == 0 && kx0 == 0 && ky1 == k_h && kx1 == k_w) {
              const int8_t *base = input + ((b * in_h + iy0) * in_w + ix0) * in_c + c0;
              const uint32_t *fl = f_lanes;
              int32_t t;
              for (t = 0; t < k_h * k_w; t++) {
                uint32_t x;
                uint32_t x02;
                uint32_t x13;
                __builtin_memcpy(&x, __builtin_assume_aligned(base + tap_in[t], 4), 4);
                x02 = __builtin_arm_sxtb16(x);
                x13 = __builtin_arm_sxtb16((x >> 8) | (x << 24));
                a[0] = __builtin_arm_smlabb((int32_t)x02, (int32_t)fl[0], a[0]);
                a[2] = __builtin_arm_smlatt((int32_t)x02, (int32_t)fl[0], a[2]);
                a[1] = __builtin_arm_smlabb((int32_t)x13, (int32_t)fl[1], a[1]);
                a[3] = __builtin_arm_smlatt((int32_t)x13, (int32_t)fl[1], a[3]);
                fl += 2;
              }
              for (j = 0; j < 4; j++) {
                a[j] += off * f_sum[j];
              }
            } else if (words) {
              /*
               * SXTB16 splits a word into lanes {c0, c2} and {c1, c3}, SADD16 adds the input
               * offset in 16 bits (|x + offset| <= 255), SMLABB / SMLATT multiply-accumulate
               * each lane into its own channel's sum.
               */
              for (ky = ky0; ky < ky1; ky++) {
                const int8_t *in_p =
                    input + ((b * in_h + iy0 + ky) * in_w + ix0 + kx0) * in_c + c0;
                const int8_t *f_p = filter + (ky * k_w + kx0) * out_c + c0;
                for (kx = kx0; kx < kx1; kx++) {
                  uint32_t x;
                  uint32_t f;
                  uint32_t x02;
                  uint32_t x13;
                  uint32_t f02;
                  uint32_t f13;
                  __builtin_memcpy(&x, __builtin_assume_aligned(in_p, 4), 4);
                  __builtin_memcpy(&f, __builtin_assume_aligned(f_p, 4), 4);
                  x02 = __builtin_arm_sadd16(__builtin_arm_sxtb16(x), off2);
                  x13 = __builtin_arm_sadd16(__builtin_arm_sxtb16((x >> 8) | (x << 24)), off2);
                  f02 = __builtin_arm_sxtb16(f);
                  f13 = __builtin_arm_sxtb16((f >> 8) | (f << 24));
                  a[0] = __builtin_arm_smlabb((int32_t)x02, (int32_t)f02, a[0]);
                  a[2] = __builtin_arm_smlatt((int32_t)x02, (int32_t)f02, a[2]);
                  a[1] = __builtin_arm_smlabb((int32_t)x13, (int32_t)f13, a[1]);
                  a[3] = __builtin_arm_smlatt((int32_t)x13, (int32_t)f13, a[3]);
                  in_p += in_c;
                  f_p += out_c;
                }
              }
            } else
#endif
            {
              for (ky = ky0; ky < ky1; ky++) {
                const int8_t *in_p =
                    input + ((b * in_h + iy0 + ky) * in_w + ix0 + kx0) * in_c + c0;
                const int8_t *f_p = filter + (ky * k_w + kx0) * out_c + c0;
                for (kx = kx0; kx < kx1; kx++) {
                  for (j = 0; j < nc; j++) {
                    a[j] += (int32_t)f_p[j] * ((int32_t)in_p[j] + off);
                  }
                  in_p += in_c;
                  f_p += out_c;
                }
              }
            }
            for (j = 0; j < nc; j++) {
              const int32_t acc = a[j] + b4[j];
              const int32_t v = fast[j] ? mt_requant_apply(&rq[j], acc)
                                        : mt_mbqm(acc, mult4[j], shift4[j]);
              out_px[j] = mt_clamp_s8(v + params->output_offset, params->act_min,
                                      params->act_max);
            }
          }
        }
      }
    }
    return MT_OK;
  }

  /*
   * Per output pixel the valid taps form a rectangle [ky0, ky1) x [kx0, kx1); per channel the sum
   * f * (x + input_offset) is computed as sum f * x + input_offset * sum f over those taps, with
   * pointers stepping through the input and filter — the same int32 result as tap by tap.
   */
  for (b = 0; b < batches; b++) {
    for (oy = 0; oy < out_h; oy++) {
      const int32_t iy0 = oy * params->stride_h - params->pad_h;
      const int32_t ky0 = iy0 < 0 ? -iy0 : 0;
      const int32_t ky1 = in_h - iy0 < k_h ? in_h - iy0 : k_h;
      for (ox = 0; ox < out_w; ox++) {
        const int32_t ix0 = ox * params->stride_w - params->pad_w;
        const int32_t kx0 = ix0 < 0 ? -ix0 : 0;
        const int32_t kx1 = in_w - ix0 < k_w ? in_w - ix0 : k_w;
        int8_t *out_px = output + ((b * out_h + oy) * out_w + ox) * out_c;
        for (ic = 0; ic < in_c; ic++) {
          for (m = 0; m < depth_mult; m++) {
            const int32_t oc = ic * depth_mult + m;
            int32_t acc = 0;
            int32_t f_sum = 0;
            for (ky = ky0; ky < ky1; ky++) {
              const int8_t *in_p = input + ((b * in_h + iy0 + ky) * in_w + ix0 + kx0) * in_c + ic;
              const int8_t *f_p = filter + (ky * k_w + kx0) * out_c + oc;
              for (kx = kx0; kx < kx1; kx++) {
                const int32_t f_val = *f_p;
                acc += f_val * (int32_t)*in_p;
                f_sum += f_val;
                in_p += in_c;
                f_p += out_c;
              }
            }
            acc += params->input_offset * f_sum;
            if (bias != NULL) {
              acc += bias[oc];
            }
            acc = mt_mbqm(acc, mt_quant_multiplier(quant, oc), mt_quant_shift(quant, oc));
            acc += params->output_offset;
            out_px[oc] = mt_clamp_s8(acc, params->act_min, params->act_max);
          }
        }
      }
    }
  }
  return MT_OK;
}
