/*
 * mcutrain runtime — CONV_2D, int8 (TFLite Micro reference semantics, per-channel requantization).
 */
#include "mt_kernels.h"
#include "mt_support.h"

/* Kernels with more taps than this use the straightforward loop (no per-tap sums on the stack). */
#define MT_CONV_MAX_TAPS 64

/* The reference loop: acc += f * (x + input_offset) tap by tap. */
static mt_status conv_generic(const mt_conv_params *params, const mt_quant_params *quant,
                              int32_t batches, int32_t in_h, int32_t in_w, int32_t in_c,
                              int32_t out_h, int32_t out_w, int32_t out_c, int32_t k_h,
                              int32_t k_w, const int8_t *input, const int8_t *filter,
                              const int32_t *bias, int8_t *output) {
  int32_t b, oy, ox, oc, ky, kx, ic;
  for (b = 0; b < batches; b++) {
    for (oy = 0; oy < out_h; oy++) {
      const int32_t in_y_origin = oy * params->stride_h - params->pad_h;
      for (ox = 0; ox < out_w; ox++) {
        const int32_t in_x_origin = ox * params->stride_w - params->pad_w;
        for (oc = 0; oc < out_c; oc++) {
          int32_t acc = 0;
          for (ky = 0; ky < k_h; ky++) {
            const int32_t iy = in_y_origin + ky;
            if (iy < 0 || iy >= in_h) {
              continue;
            }
            for (kx = 0; kx < k_w; kx++) {
              const int32_t ix = in_x_origin + kx;
              const int8_t *in_px;
              const int8_t *f_px;
              if (ix < 0 || ix >= in_w) {
                continue;
              }
              in_px = input + ((b * in_h + iy) * in_w + ix) * in_c;
              f_px = filter + ((oc * k_h + ky) * k_w + kx) * in_c;
              for (ic = 0; ic < in_c; ic++) {
                acc += (int32_t)f_px[ic] * ((int32_t)in_px[ic] + params->input_offset);
              }
            }
          }
          if (bias != NULL) {
            acc += bias[oc];
          }
          acc = mt_mbqm(acc, mt_quant_multiplier(quant, oc), mt_quant_shift(quant, oc));
          acc += params->output_offset;
          output[((b * out_h + oy) * out_w + ox) * out_c + oc] =
              mt_clamp_s8(acc, params->act_min, params->act_max);
        }
      }
    }
  }
  return MT_OK;
}

/* ---- Pointwise path (1x1 filter, stride 1, no padding): a matrix product ------------------ */

/*
 * One output channel of the pointwise path, prepared once per call: the constant added to each of
 * its dot products and its requantization.
 */
typedef struct {
  int32_t base;       /* input_offset * (sum of the filter row) + bias */
  int32_t fast;       /* 1: rq gives mt_mbqm's result for every accumulator of this channel */
  mt_requant rq;      /* used when fast == 1 */
  int32_t multiplier; /* mt_mbqm's arguments, used when fast == 0 */
  int32_t shift;
} pw_channel;

/* Sum of n int8 values (four per step when the DSP extension is there and f is word-aligned). */
static int32_t sum_s8(const int8_t *f, int32_t n) {
  int32_t sum = 0;
  int32_t i = 0;
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
  if ((((uintptr_t)f) & 3u) == 0u) {
    for (; i + 4 <= n; i += 4) {
      uint32_t w;
      __builtin_memcpy(&w, __builtin_assume_aligned(f + i, 4), 4);
      /* SMLAD with 0x00010001 adds both 16-bit lanes: bytes 0 and 2, then bytes 1 and 3. */
      sum = (int32_t)__builtin_arm_smlad(__builtin_arm_sxtb16(w), 0x00010001u, (uint32_t)sum);
      sum = (int32_t)__builtin_arm_smlad(__builtin_arm_sxtb16((w >> 8) | (w << 24)), 0x00010001u,
                                         (uint32_t)sum);
    }
  }
#endif
  for (; i < n; i++) {
    sum += f[i];
  }
  return sum;
}

/*
 * Prepares output channel oc (filter row f_oc). Not inlined: once per channel is cheap, and clang
 * would otherwise carry what it learns here (multiplier >= 0 when fast) into the requantization
 * and trade its SMMLAR for a longer unsigned multiply.
 */
static __attribute__((noinline)) void pw_channel_prepare(pw_channel *ch,
                                                         const mt_quant_params *quant,
                                                         int32_t oc, const int8_t *f_oc,
                                                         int32_t in_c, int32_t input_offset,
                                                         const int32_t *bias) {
  const int32_t f_sum = sum_s8(f_oc, in_c);
  const uint32_t b_oc = (bias != NULL) ? (uint32_t)bias[oc] : 0u;
  uint32_t abs_base;
  /* int32 arithmetic that wraps (as the reference's Java int does) instead of being undefined */
  ch->base = (int32_t)((uint32_t)input_offset * (uint32_t)f_sum + b_oc);
  ch->multiplier = mt_quant_multiplier(quant, oc);
  ch->shift = mt_quant_shift(quant, oc);
  /*
   * Every accumulator is base + sum f * x with |f|, |x| <= 128, so |acc| <= |base| + 2^14 * in_c
   * (in_c <= 2^15 keeps that sum below 2^32; larger layers simply take mt_mbqm).
   */
  abs_base = (ch->base < 0) ? 0u - (uint32_t)ch->base : (uint32_t)ch->base;
  ch->fast = (in_c <= 32768) ? mt_requant_prepare(&ch->rq, ch->multiplier, ch->shift,
                                                  abs_base + ((uint32_t)in_c << 14))
                             : 0;
}

/* How the pointwise loops turn accumulators into int8 outputs. */
enum {
  PW_GENERAL = 0, /* per channel: mt_requant_apply if ch->fast, else mt_mbqm; clamp */
  PW_FAST_SAT = 1 /* both channels fast and [act_min, act_max] is all of int8: saturate */
};

/* What the pointwise loops need to know about the layer and the current pair of channels. */
typedef struct {
  int32_t pixels, in_c, out_c;
  int32_t words; /* input and filter rows word-aligned: the DSP loop applies */
  int32_t output_offset, act_min, act_max;
  int32_t mode;  /* PW_* for the current pair */
  pw_channel c[2];
} pw_layer;

/*
 * The int8 output of channel ch for accumulator acc: requantized, offset and clamped. mode is a
 * constant wherever the result must be fast (the tests fold away).
 */
static inline int8_t pw_output(const pw_layer *l, const pw_channel *ch, int32_t mode,
                               int32_t acc) {
  int32_t v;
  if (mode == PW_GENERAL && !ch->fast) {
    v = mt_mbqm(acc, ch->multiplier, ch->shift);
  } else {
    v = mt_requant_apply(&ch->rq, acc);
  }
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
  if (mode == PW_FAST_SAT) {
    return (int8_t)__builtin_arm_ssat(v + l->output_offset, 8); /* SSAT: clamp to int8 */
  }
#endif
  return mt_clamp_s8(v + l->output_offset, l->act_min, l->act_max);
}

#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
/* Loads 4 bytes from a word-aligned address as one 32-bit word (LDR). */
static inline uint32_t load_word(const int8_t *p) {
  uint32_t w;
  __builtin_memcpy(&w, __builtin_assume_aligned(p, 4), 4);
  return w;
}

/* SXTB16: bytes 0 and 2 of w, sign-extended into two 16-bit lanes. */
static inline uint32_t lanes_02(uint32_t w) {
  return __builtin_arm_sxtb16(w);
}

/* SXTB16 with ROR #8: bytes 1 and 3 of w, sign-extended into two 16-bit lanes. */
static inline uint32_t lanes_13(uint32_t w) {
  return __builtin_arm_sxtb16((w >> 8) | (w << 24));
}

/* SMLAD: acc + lane0 * lane0' + lane1 * lane1' (products of 16-bit lanes, exact in int32). */
static inline int32_t mac2(uint32_t x, uint32_t y, int32_t acc) {
  return (int32_t)__builtin_arm_smlad(x, y, (uint32_t)acc);
}

/*
 * One step of a 2x2 block over 4 channels: 4 loads, 8 SXTB16 and 8 SMLAD for 16 multiply-adds
 * (each sign-extended word feeds two SMLADs). Pixel rows a = *x and b = *(x + off), filter rows
 * v = *w and u = *(w + off): s00 += a.v, s01 += a.u, s10 += b.v, s11 += b.u. Advances x and w.
 *
 * The empty asm only hides the pointer updates from clang's loop strength reduction, which
 * would otherwise keep four row pointers and an index (more registers than the 13 it has here,
 * so the accumulators would spill); with it the loop uses x, w, off and [x, off] addressing.
 */
#define MT_DOT_2X2_STEP(x, w, off, s00, s01, s10, s11) \
  do {                                                   \
    const uint32_t v_ = load_word(w);                    \
    const uint32_t v02_ = lanes_02(v_);                  \
    const uint32_t v13_ = lanes_13(v_);                  \
    const uint32_t a_ = load_word(x);                    \
    const uint32_t a02_ = lanes_02(a_);                  \
    const uint32_t a13_ = lanes_13(a_);                  \
    const uint32_t b_ = load_word((x) + (off));          \
    const uint32_t b02_ = lanes_02(b_);                  \
    const uint32_t b13_ = lanes_13(b_);                  \
    uint32_t u_;                                         \
    (s00) = mac2(a02_, v02_, (s00));                     \
    (s00) = mac2(a13_, v13_, (s00));                     \
    (s10) = mac2(b02_, v02_, (s10));                     \
    (s10) = mac2(b13_, v13_, (s10));                     \
    u_ = load_word((w) + (off));                         \
    (s01) = mac2(a02_, lanes_02(u_), (s01));             \
    (s11) = mac2(b02_, lanes_02(u_), (s11));             \
    (s01) = mac2(a13_, lanes_13(u_), (s01));             \
    (s11) = mac2(b13_, lanes_13(u_), (s11));             \
    (x) += 4;                                            \
    (w) += 4;                                            \
    __asm__("" : "+r"(x), "+r"(w));                      \
  } while (0)

/*
 * One 2x2 block with word-aligned rows: pixels x and x + in_c times the pair's filter rows w and
 * w + in_c (pixels and filter rows are both in_c bytes apart, so one offset serves both),
 * written to out[0], out[1] (first pixel) and out[out_c], out[out_c + 1] (second pixel).
 * A function of its own: inlined into the pixel loop, clang spills accumulators from the dot
 * product loop to keep the pixel loop's state in registers.
 */
static __attribute__((noinline)) void pw_block_words(const pw_layer *l, const int8_t *w,
                                                     const int8_t *x, int8_t *out) {
  const int32_t off = l->in_c;
  const int8_t *end = x + (off & ~7);
  int32_t s00 = l->c[0].base;
  int32_t s01 = l->c[1].base;
  int32_t s10 = s00;
  int32_t s11 = s01;
  while (x != end) { /* 8 channels per iteration */
    MT_DOT_2X2_STEP(x, w, off, s00, s01, s10, s11);
    MT_DOT_2X2_STEP(x, w, off, s00, s01, s10, s11);
  }
  if ((off & 4) != 0) {
    MT_DOT_2X2_STEP(x, w, off, s00, s01, s10, s11);
  }
  /* All four results before any store: stores through int8_t * could alias *l. */
  if (l->mode == PW_FAST_SAT) {
    const int8_t r00 = pw_output(l, &l->c[0], PW_FAST_SAT, s00);
    const int8_t r01 = pw_output(l, &l->c[1], PW_FAST_SAT, s01);
    const int8_t r10 = pw_output(l, &l->c[0], PW_FAST_SAT, s10);
    const int8_t r11 = pw_output(l, &l->c[1], PW_FAST_SAT, s11);
    const int32_t out_c = l->out_c;
    out[0] = r00;
    out[1] = r01;
    out[out_c] = r10;
    out[out_c + 1] = r11;
  } else {
    const int8_t r00 = pw_output(l, &l->c[0], PW_GENERAL, s00);
    const int8_t r01 = pw_output(l, &l->c[1], PW_GENERAL, s01);
    const int8_t r10 = pw_output(l, &l->c[0], PW_GENERAL, s10);
    const int8_t r11 = pw_output(l, &l->c[1], PW_GENERAL, s11);
    const int32_t out_c = l->out_c;
    out[0] = r00;
    out[1] = r01;
    out[out_c] = r10;
    out[out_c + 1] = r11;
  }
}
#endif

/*
 * Four dot products of n channels added to acc, one byte at a time: input pixels x and x + off
 * times filter rows w and w + off: acc[0] += x.w, acc[1] += x.(w+off), acc[2] += (x+off).w,
 * acc[3] += (x+off).(w+off).
 */
static void dot_2x2_bytes(const int8_t *x, const int8_t *w, int32_t off, int32_t n,
                          int32_t acc[4]) {
  int32_t i;
  for (i = 0; i < n; i++) {
    const int32_t a = x[i];
    const int32_t b = x[i + off];
    const int32_t f = w[i];
    const int32_t g = w[i + off];
    acc[0] += a * f;
    acc[1] += a * g;
    acc[2] += b * f;
    acc[3] += b * g;
  }
}

/*
 * Two dot products of n channels added to acc: a.b and a.(b + off). Serves one pixel times two
 * filter rows, and (operands swapped) two pixels times one filter row. words != 0: a, b and off
 * are multiples of 4 (so is n).
 */
static void dot_1x2(const int8_t *a, const int8_t *b, int32_t off, int32_t n, int32_t words,
                    int32_t acc[2]) {
  int32_t s0 = acc[0];
  int32_t s1 = acc[1];
  int32_t i;
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
  if (words) {
    for (i = n >> 2; i > 0; i--) {
      const uint32_t x = load_word(a);
      const uint32_t y = load_word(b);
      const uint32_t z = load_word(b + off);
      const uint32_t x02 = lanes_02(x);
      const uint32_t x13 = lanes_13(x);
      s0 = mac2(x02, lanes_02(y), s0);
      s0 = mac2(x13, lanes_13(y), s0);
      s1 = mac2(x02, lanes_02(z), s1);
      s1 = mac2(x13, lanes_13(z), s1);
      a += 4;
      b += 4;
    }
    n = 0;
  }
#else
  (void)words;
#endif
  for (i = 0; i < n; i++) {
    s0 += (int32_t)a[i] * (int32_t)b[i];
    s1 += (int32_t)a[i] * (int32_t)b[i + off];
  }
  acc[0] = s0;
  acc[1] = s1;
}

/* Output channels l->c[0] and l->c[1] (filter rows w and w + in_c) for every pixel. */
static void pw_two_channels(const pw_layer *l, const int8_t *w, const int8_t *input,
                            int8_t *out) {
  const int32_t in_c = l->in_c;
  const int32_t out_c = l->out_c;
  int32_t acc[4];
  int32_t p;
  for (p = 0; p + 1 < l->pixels; p += 2) { /* two pixels at a time */
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
    if (l->words) {
      pw_block_words(l, w, input, out);
      input += 2 * in_c;
      out += 2 * out_c;
      continue;
    }
#endif
    acc[0] = l->c[0].base;
    acc[1] = l->c[1].base;
    acc[2] = l->c[0].base;
    acc[3] = l->c[1].base;
    dot_2x2_bytes(input, w, in_c, in_c, acc);
    out[0] = pw_output(l, &l->c[0], PW_GENERAL, acc[0]);
    out[1] = pw_output(l, &l->c[1], PW_GENERAL, acc[1]);
    out[out_c] = pw_output(l, &l->c[0], PW_GENERAL, acc[2]);
    out[out_c + 1] = pw_output(l, &l->c[1], PW_GENERAL, acc[3]);
    input += 2 * in_c;
    out += 2 * out_c;
  }
  if (p < l->pixels) { /* an odd last pixel */
    acc[0] = l->c[0].base;
    acc[1] = l->c[1].base;
    dot_1x2(input, w, in_c, in_c, l->words, acc);
    out[0] = pw_output(l, &l->c[0], PW_GENERAL, acc[0]);
    out[1] = pw_output(l, &l->c[1], PW_GENERAL, acc[1]);
  }
}

/* The odd last output channel l->c[0] (filter row w) for every pixel, two pixels at a time. */
static void pw_one_channel(const pw_layer *l, const int8_t *w, const int8_t *input,
                           int8_t *out) {
  int32_t acc[2];
  int32_t p;
  for (p = 0; p + 1 < l->pixels; p += 2) {
    acc[0] = l->c[0].base;
    acc[1] = l->c[0].base;
    dot_1x2(w, input, l->in_c, l->in_c, l->words, acc);
    out[0] = pw_output(l, &l->c[0], PW_GENERAL, acc[0]);
    out[l->out_c] = pw_output(l, &l->c[0], PW_GENERAL, acc[1]);
    input += 2 * l->in_c;
    out += 2 * l->out_c;
  }
  if (p < l->pixels) {
    out[0] = pw_output(l, &l->c[0], PW_GENERAL, l->c[0].base + mt_dot_s8(input, w, l->in_c));
  }
}

/*
 * Pointwise convolution of `pixels` rows of in_c channels: the product of the [pixels, in_c]
 * input and the transposed [out_c, in_c] filter, in blocks of 2 output channels x 2 pixels that
 * share their loads.
 *
 * sum_ic f * (x + input_offset) = sum_ic f * x + input_offset * sum_ic f, exactly in int32: the
 * dot products run on raw int8 data and the offset term is part of each channel's base.
 */
static void conv_pointwise(const mt_conv_params *params, const mt_quant_params *quant,
                           int32_t pixels, int32_t in_c, int32_t out_c, const int8_t *input,
                           const int8_t *filter, const int32_t *bias, int8_t *output) {
  const int32_t full_range = (params->act_min == -128 && params->act_max == 127) ? 1 : 0;
  pw_layer l;
  int32_t oc;
  l.pixels = pixels;
  l.in_c = in_c;
  l.out_c = out_c;
  l.words = ((((uintptr_t)input) | ((uintptr_t)filter) | (uint32_t)in_c) & 3u) == 0u ? 1 : 0;
  l.output_offset = params->output_offset;
  l.act_min = params->act_min;
  l.act_max = params->act_max;
  for (oc = 0; oc + 1 < out_c; oc += 2) {
    const int8_t *w = filter + oc * in_c;
    pw_channel_prepare(&l.c[0], quant, oc, w, in_c, params->input_offset, bias);
    pw_channel_prepare(&l.c[1], quant, oc + 1, w + in_c, in_c, params->input_offset, bias);
    l.mode = (l.c[0].fast && l.c[1].fast && full_range) ? PW_FAST_SAT : PW_GENERAL;
    pw_two_channels(&l, w, input, output + oc);
  }
  if (oc < out_c) {
    const int8_t *w = filter + oc * in_c;
    pw_channel_prepare(&l.c[0], quant, oc, w, in_c, params->input_offset, bias);
    pw_one_channel(&l, w, input, output + oc);
  }
}

/*
 * 2-D convolution of an NHWC int8 input with an OHWI int8 filter.
 *
 * out[b,oy,ox,oc] = clamp(MBQM(sum + bias[oc], mult[oc], shift[oc]) + output_offset, act_min, act_max)
 * where sum runs over the taps (ky,kx,ic) whose input position iy = oy*stride_h - pad_h + ky,
 * ix = ox*stride_w - pad_w + kx lies inside the input; padded taps contribute nothing.
 * Dilation is 1. bias may be NULL (treated as 0).
 *
 * Returns MT_OK, or MT_ERR_ARG for a null pointer, a non-positive dimension or stride, a negative
 * padding, mismatched channel/batch counts, or an activation range outside int8.
 */
mt_status mt_conv2d_s8(const mt_conv_params *params, const mt_quant_params *quant,
                       const mt_dims *input_dims, const int8_t *input,
                       const mt_dims *filter_dims, const int8_t *filter,
                       const int32_t *bias,
                       const mt_dims *output_dims, int8_t *output) {
  int32_t batches, in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w;
  int32_t b, oy, ox, oc, ky, kx, ic;

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
  if (output_dims->n != batches || filter_dims->n != out_c || filter_dims->c != in_c) {
    return MT_ERR_ARG;
  }
  if (params->stride_h < 1 || params->stride_w < 1 || params->pad_h < 0 || params->pad_w < 0) {
    return MT_ERR_ARG;
  }
  if (!mt_act_range_valid(params->act_min, params->act_max) || !mt_quant_valid(quant, out_c)) {
    return MT_ERR_ARG;
  }

  if (k_h * k_w > MT_CONV_MAX_TAPS) {
    return conv_generic(params, quant, batches, in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w,
                        input, filter, bias, output);
  }
  /*
   * sum_taps f * (x + input_offset) = sum_taps f * x + input_offset * sum_taps f, exactly in
   * int32: the dot products run on raw int8 data (two 16-bit MACs per instruction with the DSP
   * extension), and each output channel's per-tap filter sums are computed once.
   */
  if (k_h == 1 && k_w == 1 && params->stride_h == 1 && params->stride_w == 1 &&
      params->pad_h == 0 && params->pad_w == 0 && out_h == in_h && out_w == in_w) {
    conv_pointwise(params, quant, batches * in_h * in_w, in_c, out_c, input, filter, bias, output);
    return MT_OK;
  }
  for (oc = 0; oc < out_c; oc++) {
    int32_t tap_sum[MT_CONV_MAX_TAPS];
    int32_t row_sum[MT_CONV_MAX_TAPS];
    const int8_t *f_oc = filter + oc * k_h * k_w * in_c;
    const int32_t b_oc = bias != NULL ? bias[oc] : 0;
    const int32_t mult = mt_quant_multiplier(quant, oc);
    const int32_t shift = mt_quant_shift(quant, oc);
    for (ky = 0; ky < k_h * k_w; ky++) {
      int32_t t = 0;
      for (ic = 0; ic < in_c; ic++) {
        t += f_oc[ky * in_c + ic];
      }
      tap_sum[ky] = t;
    }
    for (ky = 0; ky < k_h; ky++) {
      int32_t t = 0;
      for (kx = 0; kx < k_w; kx++) {
        t += tap_sum[ky * k_w + kx];
      }
      row_sum[ky] = t;
    }
    for (b = 0; b < batches; b++) {
      for (oy = 0; oy < out_h; oy++) {
        const int32_t in_y_origin = oy * params->stride_h - params->pad_h;
        for (ox = 0; ox < out_w; ox++) {
          const int32_t in_x_origin = ox * params->stride_w - params->pad_w;
          int32_t acc = 0;
          int32_t offset_taps = 0;
          for (ky = 0; ky < k_h; ky++) {
            const int32_t iy = in_y_origin + ky;
            if (iy < 0 || iy >= in_h) {
              continue;
            }
            if (in_x_origin >= 0 && in_x_origin + k_w <= in_w) {
              /* The whole filter row is inside: k_w * in_c contiguous bytes on both sides. */
              acc += mt_dot_s8(input + ((b * in_h + iy) * in_w + in_x_origin) * in_c,
                               f_oc + ky * k_w * in_c, k_w * in_c);
              offset_taps += row_sum[ky];
              continue;
            }
            for (kx = 0; kx < k_w; kx++) {
              const int32_t ix = in_x_origin + kx;
              if (ix < 0 || ix >= in_w) {
                continue;
              }
              acc += mt_dot_s8(input + ((b * in_h + iy) * in_w + ix) * in_c,
                               f_oc + (ky * k_w + kx) * in_c, in_c);
              offset_taps += tap_sum[ky * k_w + kx];
            }
          }
          acc += params->input_offset * offset_taps + b_oc;
          acc = mt_mbqm(acc, mult, shift) + params->output_offset;
          output[((b * out_h + oy) * out_w + ox) * out_c + oc] =
              mt_clamp_s8(acc, params->act_min, params->act_max);
        }
      }
    }
  }
  return MT_OK;
}
