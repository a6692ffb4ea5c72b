/*
 * mcutrain runtime — CONV_2D, int8 (TFLite Micro reference semantics, per-channel requantization).
 */
#include "mt_kernels.h"
#include "mt_support.h"

/*
 * Filters of up to this many taps (and at most 256 input channels, so that a tap's filter sum fits
 * an int16) keep their per-tap filter sums on the stack: 2 channels x 64 x 2 bytes.
 */
#define MT_CONV_MAX_TAPS 64

/*
 * MT_OPAQUE(p): an empty asm that makes clang forget what it knows about pointer p. Placed after
 * a loop's pointer increments, it keeps loop strength reduction from rewriting the loop around
 * one index and several row pointers, which on Cortex-M needs more than the 13 registers clang
 * leaves free (the accumulators would spill); the loop then keeps plain post-incremented
 * pointers. No instruction is emitted. Cortex-M (clang) builds only.
 */
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
#define MT_OPAQUE(p) __asm__("" : "+r"(p))
#else
#define MT_OPAQUE(p) ((void)0)
#endif

/* ---- Output channels: requantization and int8 stores (both paths) ----------------------- */

/*
 * One output channel: the constant added to each of its dot products and its requantization.
 */
typedef struct {
  int32_t base;       /* bias + input_offset * (sum of the filter values the dot products use) */
  int32_t fast;       /* 1: rq gives mt_mbqm's result for every accumulator of this channel */
  mt_requant rq;      /* used when fast == 1 */
  int32_t multiplier; /* mt_mbqm's arguments, used when fast == 0 */
  int32_t shift;
} conv_channel;

/* Sum of n int8 values (four per step when the DSP extension is there and f is word-aligned). */
static __attribute__((noinline)) int32_t sum_s8(const int8_t *f, int32_t n) {
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
 * The requantization of output channel oc, whose accumulators never exceed max_abs in magnitude.
 * Not inlined: clang would otherwise carry what it learns here (multiplier >= 0 when fast) into
 * the requantization and trade its SMMLAR for a longer unsigned multiply.
 */
static __attribute__((noinline)) void channel_quant(conv_channel *ch,
                                                    const mt_quant_params *quant, int32_t oc,
                                                    uint32_t max_abs) {
  ch->multiplier = mt_quant_multiplier(quant, oc);
  ch->shift = mt_quant_shift(quant, oc);
  ch->fast = mt_requant_prepare(&ch->rq, ch->multiplier, ch->shift, max_abs);
}

/* How a pair of channels turns accumulators into int8 outputs. */
enum {
  OUT_GENERAL = 0, /* per channel: mt_requant_apply if ch->fast, else mt_mbqm; clamp (a call) */
  OUT_FAST = 1,    /* both channels fast: mt_requant_apply and clamp, inlined */
  OUT_FAST_SAT = 2 /* both fast and [act_min, act_max] is all of int8: saturate, inlined */
};

/* What the convolution loops need to know about the layer and the current pair of channels. */
typedef struct {
  int32_t pixels, in_c, out_c;
  int32_t words; /* input and filter rows word-aligned: the DSP loops apply */
  int32_t output_offset, act_min, act_max;
  int32_t mode;  /* OUT_* for the current pair */
  int32_t two;   /* 1: c[1] is a channel of its own; 0: the odd last channel, c[1] repeats c[0] */
  conv_channel c[2];
} conv_layer;

/* The pair's output mode (OUT_*), from its channels' fast flags and the activation range. */
static int32_t output_mode(const conv_layer *l) {
  if (!l->c[0].fast || !l->c[1].fast) {
    return OUT_GENERAL;
  }
  return (l->act_min == -128 && l->act_max == 127) ? OUT_FAST_SAT : OUT_FAST;
}

/* The int8 output of channel ch for accumulator acc: requantized, offset and clamped. */
static __attribute__((noinline)) int8_t output_general(const conv_layer *l,
                                                       const conv_channel *ch, int32_t acc) {
  const int32_t v =
      ch->fast ? mt_requant_apply(&ch->rq, acc) : mt_mbqm(acc, ch->multiplier, ch->shift);
  return mt_clamp_s8(v + l->output_offset, l->act_min, l->act_max);
}

/* output_general for a fast channel, inlined; sat: [act_min, act_max] is all of int8. */
static inline int8_t output_fast(const conv_layer *l, const conv_channel *ch, int32_t sat,
                                 int32_t acc) {
  const int32_t v = mt_requant_apply(&ch->rq, acc) + l->output_offset;
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
  if (sat) {
    return (int8_t)__builtin_arm_ssat(v, 8); /* SSAT: clamp to [-128, 127] in one instruction */
  }
#else
  (void)sat;
#endif
  return mt_clamp_s8(v, l->act_min, l->act_max);
}

/*
 * Requantizes and stores a 2x2 block: s00, s01 (first pixel, channels c[0], c[1]) to out[0],
 * out[1], and s10, s11 (next pixel) to out[out_c], out[out_c + 1]; only channel c[0] when
 * two is 0. All results are computed before any store (stores through int8_t * could alias
 * *l and would force reloads).
 */
static inline __attribute__((always_inline)) void store_2x2(const conv_layer *l, int8_t *out,
                                                              int32_t two, int32_t s00,
                                                              int32_t s01, int32_t s10,
                                                              int32_t s11) {
  const int32_t out_c = l->out_c;
  int8_t r00, r01, r10, r11;
  if (l->mode == OUT_GENERAL) {
    r00 = output_general(l, &l->c[0], s00);
    r01 = output_general(l, &l->c[1], s01);
    r10 = output_general(l, &l->c[0], s10);
    r11 = output_general(l, &l->c[1], s11);
  } else if (l->mode == OUT_FAST_SAT) {
    r00 = output_fast(l, &l->c[0], 1, s00);
    r01 = output_fast(l, &l->c[1], 1, s01);
    r10 = output_fast(l, &l->c[0], 1, s10);
    r11 = output_fast(l, &l->c[1], 1, s11);
  } else {
    r00 = output_fast(l, &l->c[0], 0, s00);
    r01 = output_fast(l, &l->c[1], 0, s01);
    r10 = output_fast(l, &l->c[0], 0, s10);
    r11 = output_fast(l, &l->c[1], 0, s11);
  }
  out[0] = r00;
  out[out_c] = r10;
  if (two) {
    out[1] = r01;
    out[out_c + 1] = r11;
  }
}

/* store_2x2 of acc[0..3], as a call (for the loops where its code size matters more). */
static __attribute__((noinline)) void store_2x2_call(const conv_layer *l, int8_t *out,
                                                     int32_t two, const int32_t acc[4]) {
  store_2x2(l, out, two, acc[0], acc[1], acc[2], acc[3]);
}

/* ---- Dot products: 2 pixels x 2 filters (both paths) ------------------------------------ */

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
 * (each sign-extended word feeds two SMLADs). Pixel rows a = *x and b = *(x + x_off), filter
 * rows v = *w and u = *(w + w_off): s00 += a.v, s01 += a.u, s10 += b.v, s11 += b.u. Advances
 * x and w by 4.
 *
 * MT_OPAQUE keeps the loop on x, w and [x, x_off], [w, w_off] addressing.
 */
#define MT_DOT_2X2_STEP(x, x_off, w, w_off, s00, s01, s10, s11) \
  do {                                                            \
    const uint32_t v_ = load_word(w);                             \
    const uint32_t v02_ = lanes_02(v_);                           \
    const uint32_t v13_ = lanes_13(v_);                           \
    const uint32_t a_ = load_word(x);                             \
    const uint32_t a02_ = lanes_02(a_);                           \
    const uint32_t a13_ = lanes_13(a_);                           \
    const uint32_t b_ = load_word((x) + (x_off));                 \
    const uint32_t b02_ = lanes_02(b_);                           \
    const uint32_t b13_ = lanes_13(b_);                           \
    uint32_t u_;                                                  \
    (s00) = mac2(a02_, v02_, (s00));                              \
    (s00) = mac2(a13_, v13_, (s00));                              \
    (s10) = mac2(b02_, v02_, (s10));                              \
    (s10) = mac2(b13_, v13_, (s10));                              \
    u_ = load_word((w) + (w_off));                                \
    (s01) = mac2(a02_, lanes_02(u_), (s01));                      \
    (s11) = mac2(b02_, lanes_02(u_), (s11));                      \
    (s01) = mac2(a13_, lanes_13(u_), (s01));                      \
    (s11) = mac2(b13_, lanes_13(u_), (s11));                      \
    (x) += 4;                                                     \
    (w) += 4;                                                     \
    MT_OPAQUE(x);                                                 \
    MT_OPAQUE(w);                                                 \
  } while (0)

/*
 * MT_DOT_2X2_STEP over n channels (a multiple of 4): 8 per iteration, or 4 in builds for size
 * (-Os), where the shorter loop saves code.
 */
#if defined(__OPTIMIZE_SIZE__)
#define MT_DOT_2X2_LOOP(x, x_off, w, w_off, n, s00, s01, s10, s11) \
  do {                                                               \
    const int8_t *end_ = (x) + (n);                                  \
    while ((x) != end_) {                                            \
      MT_DOT_2X2_STEP(x, x_off, w, w_off, s00, s01, s10, s11);       \
    }                                                                \
  } while (0)
#else
#define MT_DOT_2X2_LOOP(x, x_off, w, w_off, n, s00, s01, s10, s11) \
  do {                                                               \
    const int8_t *end_ = (x) + ((n) & ~7);                           \
    while ((x) != end_) {                                            \
      MT_DOT_2X2_STEP(x, x_off, w, w_off, s00, s01, s10, s11);       \
      MT_DOT_2X2_STEP(x, x_off, w, w_off, s00, s01, s10, s11);       \
    }                                                                \
    if (((n) & 4) != 0) {                                            \
      MT_DOT_2X2_STEP(x, x_off, w, w_off, s00, s01, s10, s11);       \
    }                                                                \
  } while (0)
#endif

/* dot_2x2_rows for word-aligned data (x, w, x_off, w_off, x_row and n multiples of 4). */
static __attribute__((noinline)) void dot_2x2_rows_words(const int8_t *x, int32_t x_off,
                                                         int32_t x_row, const int8_t *w,
                                                         int32_t w_off, int32_t rows, int32_t n,
                                                         int32_t acc[4]) {
  int32_t s00 = acc[0];
  int32_t s01 = acc[1];
  int32_t s10 = acc[2];
  int32_t s11 = acc[3];
  int32_t r;
  for (r = 0; r < rows; r++) {
    MT_DOT_2X2_LOOP(x, x_off, w, w_off, n, s00, s01, s10, s11);
    x += x_row - n; /* the filter's rows are contiguous: w is already at the next one */
  }
  acc[0] = s00;
  acc[1] = s01;
  acc[2] = s10;
  acc[3] = s11;
}
#endif

/*
 * dot_2x2_rows one byte at a time (any alignment): four LDRSB and four SMLABB per byte. A
 * function of its own so that its loop gets all the registers.
 */
static __attribute__((noinline)) void dot_2x2_rows_bytes(const int8_t *x, int32_t x_off,
                                                         int32_t x_row, const int8_t *w,
                                                         int32_t w_off, int32_t rows, int32_t n,
                                                         int32_t acc[4]) {
  int32_t s00 = acc[0];
  int32_t s01 = acc[1];
  int32_t s10 = acc[2];
  int32_t s11 = acc[3];
  int32_t r;
  for (r = 0; r < rows; r++) {
    const int8_t *y = x + x_off; /* the second pixel */
    const int8_t *u = w + w_off; /* the second filter */
    const int8_t *end = x + n;
    while (x != end) {
      const int32_t a = *x++;
      const int32_t b = *y++;
      const int32_t f = *w++;
      const int32_t g = *u++;
      s00 = mt_add_wrap(s00, a * f);
      s01 = mt_add_wrap(s01, a * g);
      s10 = mt_add_wrap(s10, b * f);
      s11 = mt_add_wrap(s11, b * g);
      MT_OPAQUE(x);
      MT_OPAQUE(y);
      MT_OPAQUE(w);
      MT_OPAQUE(u);
    }
    x += x_row - n; /* the filter's rows are contiguous: w is already at the next one */
  }
  acc[0] = s00;
  acc[1] = s01;
  acc[2] = s10;
  acc[3] = s11;
}

/*
 * Four dot products over `rows` row segments of n bytes, added to acc: pixels x and x + x_off
 * times filters w and w + w_off (acc[0] += x.w, acc[1] += x.(w+w_off), acc[2] += (x+x_off).w,
 * acc[3] += (x+x_off).(w+w_off)). Input segments are x_row bytes apart; the filter's follow
 * each other. words != 0: all of x, w, x_off, w_off, x_row and n are multiples of 4.
 */
static inline void dot_2x2_rows(const int8_t *x, int32_t x_off, int32_t x_row, const int8_t *w,
                                int32_t w_off, int32_t rows, int32_t n, int32_t words,
                                int32_t acc[4]) {
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
  if (words) {
    dot_2x2_rows_words(x, x_off, x_row, w, w_off, rows, n, acc);
    return;
  }
#else
  (void)words;
#endif
  dot_2x2_rows_bytes(x, x_off, x_row, w, w_off, rows, n, acc);
}

/*
 * Two dot products of n channels added to acc: a.b and a.(b + off). Serves one pixel times two
 * filter rows, and (operands swapped) two pixels times one filter row. words != 0: a, b and off
 * are multiples of 4 (so is n).
 */
static __attribute__((noinline)) void dot_1x2(const int8_t *a, const int8_t *b, int32_t off,
                                              int32_t n, int32_t words, int32_t acc[2]) {
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
    s0 = mt_add_wrap(s0, (int32_t)a[i] * (int32_t)b[i]);
    s1 = mt_add_wrap(s1, (int32_t)a[i] * (int32_t)b[i + off]);
  }
  acc[0] = s0;
  acc[1] = s1;
}

/* ---- Pointwise path (1x1 filter, stride 1, no padding): a matrix product ------------------ */

/* Prepares pointwise output channel oc (filter row f_oc). */
static __attribute__((noinline)) void pw_channel_prepare(conv_channel *ch,
                                                         const mt_quant_params *quant,
                                                         int32_t oc, const int8_t *f_oc,
                                                         int32_t in_c, int32_t input_offset,
                                                         const int32_t *bias) {
  const int32_t f_sum = sum_s8(f_oc, in_c);
  const uint32_t b_oc = (bias != NULL) ? (uint32_t)bias[oc] : 0u;
  uint32_t abs_base;
  /* int32 arithmetic that wraps (as the reference's Java int does) instead of being undefined */
  ch->base = (int32_t)((uint32_t)input_offset * (uint32_t)f_sum + b_oc);
  /*
   * Every accumulator is base + sum f * x with |f|, |x| <= 128, so |acc| <= |base| + 2^14 * in_c
   * (in_c <= 2^15 keeps that sum below 2^32; larger layers simply take mt_mbqm).
   */
  abs_base = (ch->base < 0) ? 0u - (uint32_t)ch->base : (uint32_t)ch->base;
  channel_quant(ch, quant, oc, (in_c <= 32768) ? abs_base + ((uint32_t)in_c << 14) : 0xFFFFFFFFu);
}

#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
/*
 * `pairs` 2x2 blocks with word-aligned rows: pixels x and x + in_c times the pair's filter rows
 * w and w + in_c (pixels and filter rows are both in_c bytes apart, so one offset serves both),
 * written to out[0], out[1] (first pixel) and out[out_c], out[out_c + 1] (second pixel); then
 * the next two pixels. A function of its own: inlined into a bigger loop, clang spills
 * accumulators from the dot product loop.
 */
static __attribute__((noinline)) void pw_blocks_words(const conv_layer *l, const int8_t *w,
                                                      const int8_t *x, int8_t *out,
                                                      int32_t pairs) {
  const int32_t off = l->in_c;
  for (; pairs > 0; pairs--) {
    const int8_t *v = w;
    int32_t s00 = l->c[0].base;
    int32_t s01 = l->c[1].base;
    int32_t s10 = s00;
    int32_t s11 = s01;
    MT_DOT_2X2_LOOP(x, off, v, off, off, s00, s01, s10, s11);
    store_2x2(l, out, 1, s00, s01, s10, s11);
    x += off; /* x is past the first pixel: skip the second */
    out += 2 * l->out_c;
  }
}
#endif

/* Output channels l->c[0] and l->c[1] (filter rows w and w + in_c) for every pixel. */
static void pw_two_channels(const conv_layer *l, const int8_t *w, const int8_t *input,
                            int8_t *out) {
  const int32_t in_c = l->in_c;
  const int32_t out_c = l->out_c;
  int32_t acc[4];
  int32_t p = 0;
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
  if (l->words) { /* all pairs of pixels with the DSP loop */
    p = l->pixels & ~1;
    pw_blocks_words(l, w, input, out, p / 2);
    input += p * in_c;
    out += p * out_c;
  }
#endif
  for (; p + 1 < l->pixels; p += 2) { /* two pixels at a time */
    acc[0] = l->c[0].base;
    acc[1] = l->c[1].base;
    acc[2] = l->c[0].base;
    acc[3] = l->c[1].base;
    dot_2x2_rows(input, in_c, 0, w, in_c, 1, in_c, 0, acc);
    store_2x2_call(l, out, 1, acc);
    input += 2 * in_c;
    out += 2 * out_c;
  }
  if (p < l->pixels) { /* an odd last pixel */
    acc[0] = l->c[0].base;
    acc[1] = l->c[1].base;
    dot_1x2(input, w, in_c, in_c, l->words, acc);
    out[0] = output_general(l, &l->c[0], acc[0]);
    out[1] = output_general(l, &l->c[1], acc[1]);
  }
}

/* The odd last output channel l->c[0] (filter row w) for every pixel, two pixels at a time. */
static void pw_one_channel(const conv_layer *l, const int8_t *w, const int8_t *input,
                           int8_t *out) {
  int32_t acc[2];
  int32_t p;
  for (p = 0; p + 1 < l->pixels; p += 2) {
    acc[0] = l->c[0].base;
    acc[1] = l->c[0].base;
    dot_1x2(w, input, l->in_c, l->in_c, l->words, acc);
    out[0] = output_general(l, &l->c[0], acc[0]);
    out[l->out_c] = output_general(l, &l->c[0], acc[1]);
    input += 2 * l->in_c;
    out += 2 * l->out_c;
  }
  if (p < l->pixels) {
    out[0] = output_general(l, &l->c[0], l->c[0].base + mt_dot_s8(input, w, l->in_c));
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
  conv_layer l;
  int32_t oc;
  l.pixels = pixels;
  l.in_c = in_c;
  l.out_c = out_c;
  l.words = ((((uintptr_t)input) | ((uintptr_t)filter) | (uint32_t)in_c) & 3u) == 0u ? 1 : 0;
  l.output_offset = params->output_offset;
  l.act_min = params->act_min;
  l.act_max = params->act_max;
  l.two = 1; /* pw_one_channel handles an odd last channel */
  for (oc = 0; oc + 1 < out_c; oc += 2) {
    const int8_t *w = filter + oc * in_c;
    pw_channel_prepare(&l.c[0], quant, oc, w, in_c, params->input_offset, bias);
    pw_channel_prepare(&l.c[1], quant, oc + 1, w + in_c, in_c, params->input_offset, bias);
    l.mode = output_mode(&l);
    pw_two_channels(&l, w, input, output + oc);
  }
  if (oc < out_c) {
    const int8_t *w = filter + oc * in_c;
    pw_channel_prepare(&l.c[0], quant, oc, w, in_c, params->input_offset, bias);
    pw_one_channel(&l, w, input, output + oc);
  }
}

/* ---- Filters of several taps: row segments, 2 output channels x 2 pixels ---------------- */

/*
 * The sum of tap t's filter values in filter f_c (in_c of them): from sums[t] when the sums are
 * cached, else counted again.
 */
static int32_t tap_sum(const int16_t *sums, const int8_t *f_c, int32_t t, int32_t in_c) {
  return (sums != NULL) ? sums[t] : sum_s8(f_c + t * in_c, in_c);
}

#if !defined(__OPTIMIZE_SIZE__)
/* ---- Small filters (the stem: 3x3 on 3 channels): gathered windows, 2 pixels x 2 filters ---- */

/*
 * Filters of at most MT_SMALL_PATCH bytes (k_h * k_w * in_c), at most MT_SMALL_OC output
 * channels and at most MT_SMALL_FILTER bytes of word-padded filters take conv_small: their row
 * segments (9 bytes for 3x3x3) are too short and unaligned for the word loops. Buffers on the
 * stack: 448 + 17 * 16 + 192 + 48 + 16 bytes. Not compiled in builds for size (-Os).
 */
#define MT_SMALL_PATCH 48
#define MT_SMALL_OC 16
#define MT_SMALL_FILTER 448

/* 16-bit lanes and their multiply-adds (SXTB16, SMLAD), with portable equivalents. */
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
#define SM_LANES_02(w) lanes_02(w)
#define SM_LANES_13(w) lanes_13(w)
#define SM_MAC2(x, y, acc) mac2((x), (y), (acc))
#else
/* The int8 in bits [8 * i, 8 * i + 8) of w. */
static int32_t sm_byte(uint32_t w, int32_t i) {
  const int32_t b = (int32_t)((w >> (8 * i)) & 0xFFu);
  return b - ((b & 0x80) << 1);
}
static uint32_t sm_lanes(uint32_t w, int32_t i) { /* bytes i and i + 2 as 16-bit lanes */
  return ((uint32_t)sm_byte(w, i) & 0xFFFFu) | ((uint32_t)sm_byte(w, i + 2) << 16);
}
static int32_t sm_lane(uint32_t x, int32_t i) { /* 16-bit lane i of x, signed */
  const int32_t h = (int32_t)((x >> (16 * i)) & 0xFFFFu);
  return h - ((h & 0x8000) << 1);
}
static int32_t sm_mac2(uint32_t x, uint32_t y, int32_t acc) {
  return mt_add_wrap(mt_add_wrap(acc, sm_lane(x, 0) * sm_lane(y, 0)),
                     sm_lane(x, 1) * sm_lane(y, 1));
}
#define SM_LANES_02(w) sm_lanes((w), 0)
#define SM_LANES_13(w) sm_lanes((w), 1)
#define SM_MAC2(x, y, acc) sm_mac2((x), (y), (acc))
#endif

/*
 * An output channel of conv_small: its accumulators' constant and its requantization, the exact
 * short one when fast, else mt_mbqm.
 */
typedef struct {
  int32_t base; /* bias + input_offset * (sum of the whole filter) */
  mt_requant rq;
  int32_t fast;
  int32_t multiplier;
  int32_t shift;
} small_channel;

/* The layer as conv_small sees it. */
typedef struct {
  const int8_t *input;
  int32_t in_h, in_w, in_c, out_h, out_w, out_c, k_h, k_w, stride_h, stride_w, pad_h, pad_w;
  int32_t words; /* the window padded to a multiple of 4 bytes, in words */
  int32_t output_offset, act_min, act_max;
  int32_t sat;   /* [act_min, act_max] is all of int8 */
  int8_t pad;    /* the byte -input_offset: f * (pad + input_offset) == 0 */
} small_layer;

/* Copies `rows` segments of seg bytes, row_len bytes apart from src, to dst back to back. */
static inline void small_copy(int8_t *dst, const int8_t *src, int32_t rows, int32_t seg,
                              int32_t row_len) {
  for (; rows > 0; rows--) {
    const int8_t *s = src;
    const int8_t *const end = src + seg;
    do {
      *dst++ = *s++;
    } while (s != end);
    src += row_len;
  }
}

/* The words of win sign-extended into 16-bit lanes: x[4k], x[4k + 1] get bytes 0, 2 and 1, 3. */
static inline void small_extend(const int8_t *win, int32_t words, uint32_t *x) {
  for (; words > 0; words--) {
    uint32_t w;
    __builtin_memcpy(&w, win, 4);
    x[0] = SM_LANES_02(w);
    x[1] = SM_LANES_13(w);
    win += 4;
    x += 4;
  }
}

/*
 * Output pixel p's window (k_h * k_w * in_c bytes in the filter's order, g->pad at the taps
 * outside the input) gathered into the word-aligned bytes win (zero after the window), then
 * sign-extended into 16-bit lanes: x[4 * k] and x[4 * k + 1] are bytes 0, 2 and 1, 3 of its
 * word k.
 */
static __attribute__((noinline)) void small_gather(const small_layer *g, int32_t p, int8_t *win,
                                                   uint32_t *x) {
  const int32_t in_h = g->in_h;
  const int32_t in_w = g->in_w;
  const int32_t in_c = g->in_c;
  const int32_t k_h = g->k_h;
  const int32_t k_w = g->k_w;
  const int32_t ox = p % g->out_w;
  const int32_t oy = (p / g->out_w) % g->out_h;
  const int32_t iy0 = oy * g->stride_h - g->pad_h;
  const int32_t ix0 = ox * g->stride_w - g->pad_w;
  const int32_t seg = k_w * in_c;
  const int32_t row_len = in_w * in_c;
  const int8_t *img = g->input + (p / (g->out_w * g->out_h)) * in_h * row_len;
  int32_t ky, kx, i;
  if (ix0 >= 0 && ix0 + k_w <= in_w && iy0 >= 0 && iy0 + k_h <= in_h) { /* k_h row segments */
    small_copy(win, img + iy0 * row_len + ix0 * in_c, k_h, seg, row_len);
  } else {
    const int8_t pad = g->pad;
    int8_t *dst = win;
    for (ky = 0; ky < k_h; ky++) {
      const int32_t iy = iy0 + ky;
      const int8_t *row = img + iy * row_len;
      for (kx = 0; kx < k_w; kx++) {
        const int32_t ix = ix0 + kx;
        const int32_t inside = (iy >= 0 && iy < in_h && ix >= 0 && ix < in_w) ? 1 : 0;
        for (i = 0; i < in_c; i++) {
          *dst++ = inside ? row[ix * in_c + i] : pad;
        }
      }
    }
  }
  small_extend(win, g->words, x);
}

/*
 * The int8 output of channel c for accumulator acc (output_fast for a small_channel); sat (a
 * constant): [act_min, act_max] is all of int8.
 */
static inline __attribute__((always_inline)) int8_t small_out(const small_layer *g,
                                                              const small_channel *c,
                                                              int32_t sat, int32_t acc) {
  const int32_t v = (c->fast ? mt_requant_apply(&c->rq, acc)
                             : mt_mbqm(acc, c->multiplier, c->shift)) +
                    g->output_offset;
#if defined(__ARM_FEATURE_DSP) && defined(__clang__)
  if (sat) {
    return (int8_t)__builtin_arm_ssat(v, 8);
  }
#else
  (void)sat;
#endif
  return mt_clamp_s8(v, g->act_min, g->act_max);
}

/*
 * One word of the windows x (two pixels' 16-bit lanes) times one word of the filter pair w
 * (interleaved), added to s00, s01 (first pixel) and s10, s11 (second): 4 loads, 4 SXTB16 and
 * 8 SMLAD for 16 multiply-adds. Advances x by 4 and w by 2.
 */
#define SM_STEP(x, w, s00, s01, s10, s11)  \
  do {                                     \
    const uint32_t v_ = (w)[0];            \
    const uint32_t u_ = (w)[1];            \
    const uint32_t v02_ = SM_LANES_02(v_); \
    const uint32_t v13_ = SM_LANES_13(v_); \
    const uint32_t u02_ = SM_LANES_02(u_); \
    const uint32_t u13_ = SM_LANES_13(u_); \
    (s00) = SM_MAC2((x)[0], v02_, (s00));  \
    (s01) = SM_MAC2((x)[0], u02_, (s01));  \
    (s00) = SM_MAC2((x)[1], v13_, (s00));  \
    (s01) = SM_MAC2((x)[1], u13_, (s01));  \
    (s10) = SM_MAC2((x)[2], v02_, (s10));  \
    (s11) = SM_MAC2((x)[2], u02_, (s11));  \
    (s10) = SM_MAC2((x)[3], v13_, (s10));  \
    (s11) = SM_MAC2((x)[3], u13_, (s11));  \
    (x) += 4;                              \
    (w) += 2;                              \
    MT_OPAQUE(x);                          \
    MT_OPAQUE(w);                          \
  } while (0)

/*
 * All output channels of two pixels, two channels at a time: x holds the pixels' windows as
 * 16-bit lanes (x[4k], x[4k + 1]: first pixel, x[4k + 2], x[4k + 3]: second, for word k), w the
 * filters pair by pair with their words interleaved (w[2k], w[2k + 1]: word k of the pair's two
 * filters). Outputs go to out[oc] and out2[oc]; the last pair has one channel when two_last is
 * 0. SM_STEP per word. sat: see small_out.
 */
static inline __attribute__((always_inline)) void small_blocks(
    const small_layer *g, const small_channel *c, const uint32_t *x, const uint32_t *w,
    int8_t *out, int8_t *out2, int32_t pairs, int32_t two_last, int32_t sat) {
  const uint32_t *const end = x + 4 * g->words;
  for (; pairs > 0; pairs--) {
    const uint32_t *xp = x;
    int32_t s00 = c[0].base;
    int32_t s01 = c[1].base;
    int32_t s10 = s00;
    int32_t s11 = s01;
    int8_t r00, r01, r10, r11;
    do {
      SM_STEP(xp, w, s00, s01, s10, s11);
    } while (xp != end);
    r00 = small_out(g, &c[0], sat, s00);
    r01 = small_out(g, &c[1], sat, s01);
    r10 = small_out(g, &c[0], sat, s10);
    r11 = small_out(g, &c[1], sat, s11);
    out[0] = r00;
    out2[0] = r10;
    if (pairs > 1 || two_last) {
      out[1] = r01;
      out2[1] = r11;
    }
    c += 2;
    out += 2;
    out2 += 2;
  }
}

/* small_blocks for a full int8 activation range (SSAT) and for others (clamp). */
static __attribute__((noinline)) void small_blocks_sat(const small_layer *g,
                                                       const small_channel *c,
                                                       const uint32_t *x, const uint32_t *w,
                                                       int8_t *out, int8_t *out2, int32_t pairs,
                                                       int32_t two_last) {
  small_blocks(g, c, x, w, out, out2, pairs, two_last, 1);
}
static __attribute__((noinline)) void small_blocks_clamp(const small_layer *g,
                                                         const small_channel *c,
                                                         const uint32_t *x, const uint32_t *w,
                                                         int8_t *out, int8_t *out2,
                                                         int32_t pairs, int32_t two_last) {
  small_blocks(g, c, x, w, out, out2, pairs, two_last, 0);
}

/*
 * Whether conv_small may take the layer: a window of at most MT_SMALL_PATCH bytes, at most
 * MT_SMALL_OC channels whose word-padded filters fit MT_SMALL_FILTER bytes, and an
 * input_offset whose negation is an int8 (the padding byte).
 */
static int32_t small_fits(const mt_conv_params *params, const mt_dims *filter_dims,
                          int32_t out_c) {
  const int32_t patch = filter_dims->h * filter_dims->w * filter_dims->c;
  return (patch <= MT_SMALL_PATCH && out_c <= MT_SMALL_OC &&
          ((out_c + 1) & ~1) * ((patch + 3) & ~3) <= MT_SMALL_FILTER &&
          params->input_offset >= -127 && params->input_offset <= 128)
             ? 1
             : 0;
}

/*
 * CONV_2D for small filters (see MT_SMALL_PATCH); returns 0, with nothing written, when the
 * layer does not fit its buffers. Channels requantize with the short exact form where
 * mt_requant_prepare allows it, else with mt_mbqm.
 * The filters are copied once into word-padded, zero-filled rows (pairs interleaved word by
 * word). Each pair of output pixels has its windows gathered, with the byte -input_offset at
 * the taps outside the input (their f * (x + input_offset) is then 0, so every accumulator is
 * bias + input_offset * (sum of the whole filter) + window . filter), and extended to 16-bit
 * lanes once for all channels. The accumulators equal conv_taps' (int32 sums that wrap), and so
 * do the requantizations.
 */
static __attribute__((noinline)) int32_t conv_small(const mt_conv_params *params,
                                                    const mt_quant_params *quant,
                                                    const mt_dims *input_dims,
                                                    const int8_t *input,
                                                    const mt_dims *filter_dims,
                                                    const int8_t *filter, const int32_t *bias,
                                                    const mt_dims *output_dims, int8_t *output) {
  const int32_t out_c = output_dims->c;
  const int32_t patch = filter_dims->h * filter_dims->w * filter_dims->c;
  const int32_t words = (patch + 3) / 4;
  const int32_t io = params->input_offset;
  const uint32_t abs_io = (io < 0) ? 0u - (uint32_t)io : (uint32_t)io;
  const int32_t pixels = input_dims->n * output_dims->h * output_dims->w;
  uint32_t fbuf[MT_SMALL_FILTER / 4];   /* [pair][word][2]: the filters, zero-padded */
  uint32_t xbuf[MT_SMALL_PATCH];        /* [word][4]: two windows' 16-bit lanes */
  uint32_t wbuf[MT_SMALL_PATCH / 4];    /* one gathered window */
  small_channel chans[MT_SMALL_OC + 1]; /* + a copy of an odd last channel */
  int8_t spare[MT_SMALL_OC];            /* the outputs of a missing pixel */
  int8_t *const fb = (int8_t *)fbuf;
  int8_t *const win = (int8_t *)wbuf;
  small_layer g;
  int32_t oc, i, p;
  for (oc = 0; oc < out_c; oc++) {
    const int32_t b_oc = (bias != NULL) ? bias[oc] : 0;
    const uint32_t abs_b = (b_oc < 0) ? 0u - (uint32_t)b_oc : (uint32_t)b_oc;
    conv_channel ch;
    /* conv_taps' bound: |acc| <= |bias| + (|input_offset| + 128) * 128 * patch */
    channel_quant(&ch, quant, oc, abs_b + ((abs_io + 128u) << 7) * (uint32_t)patch);
    chans[oc].rq = ch.rq;
    chans[oc].fast = ch.fast;
    chans[oc].multiplier = ch.multiplier;
    chans[oc].shift = ch.shift;
  }
  chans[out_c] = chans[out_c - 1];
  for (i = 0; i < ((out_c + 1) / 2) * words * 2; i++) {
    fbuf[i] = 0u;
  }
  for (i = 0; i < words; i++) {
    wbuf[i] = 0u;
  }
  for (oc = 0; oc < out_c; oc++) {
    /* word k of filter oc is word 2k + (oc & 1) of the pair oc / 2 */
    const int8_t *f = filter + oc * patch;
    int8_t *d = fb + ((oc >> 1) * words * 2 + (oc & 1)) * 4;
    uint32_t sum = 0u;
    for (i = 0; i < patch; i++) {
      d[(i >> 2) * 8 + (i & 3)] = f[i];
      sum += (uint32_t)f[i];
    }
    chans[oc].base = (int32_t)((uint32_t)io * sum + (uint32_t)((bias != NULL) ? bias[oc] : 0));
  }
  g.input = input;
  g.in_h = input_dims->h;
  g.in_w = input_dims->w;
  g.in_c = input_dims->c;
  g.out_h = output_dims->h;
  g.out_w = output_dims->w;
  g.out_c = out_c;
  g.k_h = filter_dims->h;
  g.k_w = filter_dims->w;
  g.stride_h = params->stride_h;
  g.stride_w = params->stride_w;
  g.pad_h = params->pad_h;
  g.pad_w = params->pad_w;
  g.words = words;
  g.output_offset = params->output_offset;
  g.act_min = params->act_min;
  g.act_max = params->act_max;
  g.sat = (params->act_min == -128 && params->act_max == 127) ? 1 : 0;
  g.pad = (int8_t)(-io);
  for (p = 0; p < pixels; p += 2) {
    int8_t *out = output + p * out_c;
    const int32_t two = (p + 1 < pixels) ? 1 : 0;
    small_gather(&g, p, win, xbuf);
    small_gather(&g, p + two, win, xbuf + 2); /* a missing second pixel: the first again */
    (g.sat ? small_blocks_sat : small_blocks_clamp)(&g, chans, xbuf, fbuf, out,
                                                    two ? out + out_c : spare, (out_c + 1) / 2,
                                                    (out_c & 1) ? 0 : 1);
  }
  return 1;
}
#endif

/*
 * CONV_2D with any filter size, stride and padding. Output channels go in pairs (filters f and
 * f + k_h * k_w * in_c) and the output pixels of a row in pairs: when both pixels' windows lie
 * inside the input horizontally, each valid filter row is one contiguous segment of k_w * in_c
 * bytes on both sides (dot_2x2_rows). Pixels whose window crosses the left or right edge go one
 * at a time, tap by tap.
 *
 * sum_taps f * (x + input_offset) = sum_taps f * x + input_offset * sum_taps f over the taps
 * inside the input: the dot products run on raw int8 data, and each tap's filter sum is computed
 * once per pair of channels (up to MT_CONV_MAX_TAPS taps of at most 256 channels; larger filters
 * count them again where needed). int32 sums wrap (as the reference's Java int does).
 */
static mt_status conv_taps(const mt_conv_params *params, const mt_quant_params *quant,
                           const mt_dims *input_dims, const int8_t *input,
                           const mt_dims *filter_dims, const int8_t *filter,
                           const int32_t *bias, const mt_dims *output_dims, int8_t *output) {
  const int32_t batches = input_dims->n;
  const int32_t in_h = input_dims->h;
  const int32_t in_w = input_dims->w;
  const int32_t in_c = input_dims->c;
  const int32_t out_h = output_dims->h;
  const int32_t out_w = output_dims->w;
  const int32_t out_c = output_dims->c;
  const int32_t k_h = filter_dims->h;
  const int32_t k_w = filter_dims->w;
  const int32_t taps = k_h * k_w;
  const int32_t f_len = taps * in_c;  /* bytes of one output channel's filter */
  const int32_t seg = k_w * in_c;     /* bytes of one filter row (and of an input row segment) */
  const int32_t row_len = in_w * in_c;
  const int32_t stride_w = params->stride_w;
  const int32_t io = params->input_offset;
  const uint32_t abs_io = (io < 0) ? 0u - (uint32_t)io : (uint32_t)io;
  /* Output columns [ox_lo, ox_hi) have their whole window inside the input horizontally. */
  const int32_t ox_lo = (params->pad_w + stride_w - 1) / stride_w;
  const int32_t ox_hi = (in_w - k_w + params->pad_w >= 0)
                            ? (in_w - k_w + params->pad_w) / stride_w + 1
                            : 0;
  int16_t cache[2][MT_CONV_MAX_TAPS];
  const int16_t *sums[2]; /* cache[c], or NULL for larger filters */
  int32_t b_oc[2];
  conv_layer l;
  int32_t oc, b, oy, ox, ky, kx, t, c;
  l.in_c = in_c;
  l.out_c = out_c;
  l.words = ((((uintptr_t)input) | ((uintptr_t)filter) | (uint32_t)in_c) & 3u) == 0u ? 1 : 0;
  l.output_offset = params->output_offset;
  l.act_min = params->act_min;
  l.act_max = params->act_max;
  for (oc = 0; oc < out_c; oc += 2) {
    const int8_t *f = filter + oc * f_len;
    const int32_t w_off = (oc + 1 < out_c) ? f_len : 0; /* 0: the odd last channel, twice */
    l.two = (w_off != 0) ? 1 : 0;
    for (c = 0; c < 2; c++) {
      const int32_t ch = oc + c * l.two;
      uint32_t abs_b;
      sums[c] = NULL;
      if (taps <= MT_CONV_MAX_TAPS && in_c <= 256) { /* |sum| <= 128 * 256: an int16 */
        for (t = 0; t < taps; t++) {
          cache[c][t] = (int16_t)sum_s8(f + c * w_off + t * in_c, in_c);
        }
        sums[c] = cache[c];
      }
      b_oc[c] = (bias != NULL) ? bias[ch] : 0;
      /*
       * |acc| <= |bias| + (|input_offset| + 128) * 128 * f_len (every |f| <= 128, |x| <= 128).
       * The limits on input_offset and f_len keep that sum below 2^32.
       */
      abs_b = (b_oc[c] < 0) ? 0u - (uint32_t)b_oc[c] : (uint32_t)b_oc[c];
      channel_quant(&l.c[c], quant, ch,
                    (abs_io <= 256u && f_len <= 16384)
                        ? abs_b + ((abs_io + 128u) << 7) * (uint32_t)f_len
                        : 0xFFFFFFFFu);
    }
    l.mode = output_mode(&l);
    for (b = 0; b < batches; b++) {
      for (oy = 0; oy < out_h; oy++) {
        const int32_t iy0 = oy * params->stride_h - params->pad_h;
        const int32_t ky_lo = (iy0 < 0) ? -iy0 : 0;
        const int32_t ky_hi = (iy0 + k_h > in_h) ? in_h - iy0 : k_h; /* valid rows [lo, hi) */
        const int32_t rows = (ky_hi > ky_lo) ? ky_hi - ky_lo : 0;
        /* the first valid input row */
        const int8_t *in_row = (rows > 0) ? input + (b * in_h + iy0 + ky_lo) * row_len : input;
        int8_t *out = output + (b * out_h + oy) * out_w * out_c + oc;
        /* bias + input_offset * (filter sum of the valid rows), for windows inside horizontally */
        for (c = 0; c < 2; c++) {
          uint32_t rsum = 0;
          for (t = ky_lo * k_w; t < ky_lo * k_w + rows * k_w; t++) {
            rsum += (uint32_t)tap_sum(sums[c], f + c * w_off, t, in_c);
          }
          l.c[c].base = (int32_t)((uint32_t)io * rsum + (uint32_t)b_oc[c]);
        }
        ox = 0;
        while (ox < out_w) {
          const int32_t ix0 = ox * stride_w - params->pad_w;
          int32_t acc[4];
          if (ox >= ox_lo && ox + 1 < ox_hi) {
            /* ox and ox + 1: whole windows, rows * seg bytes each */
            acc[0] = l.c[0].base;
            acc[1] = l.c[1].base;
            acc[2] = l.c[0].base;
            acc[3] = l.c[1].base;
            if (rows > 0) {
              dot_2x2_rows(in_row + ix0 * in_c, stride_w * in_c, row_len, f + ky_lo * seg,
                           w_off, rows, seg, l.words, acc);
            }
            store_2x2_call(&l, out + ox * out_c, l.two, acc);
            ox += 2;
            continue;
          }
          /* One pixel, tap by tap where its window crosses the left or right edge. */
          {
            uint32_t offset_taps[2] = {0u, 0u};
            acc[0] = 0;
            acc[1] = 0;
            for (ky = ky_lo; ky < ky_hi; ky++) {
              const int8_t *in_y = in_row + (ky - ky_lo) * row_len;
              for (kx = 0; kx < k_w; kx++) {
                const int32_t ix = ix0 + kx;
                if (ix < 0 || ix >= in_w) {
                  continue;
                }
                t = ky * k_w + kx;
                dot_1x2(in_y + ix * in_c, f + t * in_c, w_off, in_c, l.words, acc);
                offset_taps[0] += (uint32_t)tap_sum(sums[0], f, t, in_c);
                offset_taps[1] += (uint32_t)tap_sum(sums[1], f + w_off, t, in_c);
              }
            }
            for (c = 0; c < 2; c++) {
              acc[c] = (int32_t)((uint32_t)acc[c] + (uint32_t)io * offset_taps[c] +
                                 (uint32_t)b_oc[c]);
            }
            out[ox * out_c] = output_general(&l, &l.c[0], acc[0]);
            if (l.two) {
              out[ox * out_c + 1] = output_general(&l, &l.c[1], acc[1]);
            }
            ox++;
          }
        }
      }
    }
  }
  return MT_OK;
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

  if (k_h == 1 && k_w == 1 && params->stride_h == 1 && params->stride_w == 1 &&
      params->pad_h == 0 && params->pad_w == 0 && out_h == in_h && out_w == in_w) {
    conv_pointwise(params, quant, batches * in_h * in_w, in_c, out_c, input, filter, bias, output);
    return MT_OK;
  }
#if !defined(__OPTIMIZE_SIZE__)
  if (small_fits(params, filter_dims, out_c) &&
      conv_small(params, quant, input_dims, input, filter_dims, filter, bias, output_dims,
                 output)) {
    return MT_OK;
  }
#endif
  /* The same arguments, so that clang can make this a tail call (its frame leaves the stack). */
  return conv_taps(params, quant, input_dims, input, filter_dims, filter, bias, output_dims,
                   output);
}
