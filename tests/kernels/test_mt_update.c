/*
 * Host test of runtime-c's training update primitives (mt_train.h): the PRNG against published
 * and independently computed PCG32 values, and the rounding/saturation rules of mt_update_s8,
 * mt_update_s32, mt_qas_delta and mt_sgd_update_f32 on hand-derived cases. Built freestanding with
 * boards/host; prints every failure, then "N passed, N failed", and exits nonzero if anything
 * failed. Uses no 64-bit division, so it also compiles cleanly for Cortex-M7.
 */
#include <stdint.h>
#include <stddef.h>
#include "board.h"
#include "mt_train.h"

static int32_t g_passed = 0;
static int32_t g_failed = 0;

typedef union {
  uint32_t u;
  float f;
} bits32;

static float as_float(uint32_t u) {
  bits32 b;
  b.u = u;
  return b.f;
}

static uint32_t float_bits(float f) {
  bits32 b;
  b.f = f;
  return b.u;
}

static int32_t str_len(const char *s) {
  int32_t n = 0;
  while (s[n] != '\0') {
    n++;
  }
  return n;
}

static void print_str(const char *s) {
  mt_board_write(s, str_len(s));
}

static void print_u32(uint32_t u) {
  char buf[12];
  int32_t i = 11;
  buf[i] = '\0';
  do {
    buf[--i] = (char)('0' + (int32_t)(u % 10u));
    u /= 10u;
  } while (u != 0u);
  print_str(buf + i);
}

static void print_hex64(uint64_t v) {
  char buf[19];
  int32_t i;
  buf[0] = '0';
  buf[1] = 'x';
  for (i = 0; i < 16; i++) {
    uint32_t nib = (uint32_t)(v >> (60 - 4 * i)) & 15u;
    buf[2 + i] = (char)(nib < 10u ? '0' + nib : 'a' + nib - 10u);
  }
  buf[18] = '\0';
  print_str(buf);
}

/* Decimal when it fits in int32, else hex (no 64-bit division). */
static void print_int(int64_t v) {
  if (v >= INT32_MIN && v <= INT32_MAX) {
    int32_t s = (int32_t)v;
    if (s < 0) {
      print_str("-");
      print_u32(0u - (uint32_t)s);
    } else {
      print_u32((uint32_t)s);
    }
    return;
  }
  print_hex64((uint64_t)v);
}

static void check_eq(const char *what, int64_t actual, int64_t expected) {
  if (actual == expected) {
    g_passed++;
    return;
  }
  g_failed++;
  print_str("FAIL ");
  print_str(what);
  print_str(": got ");
  print_int(actual);
  print_str(", expected ");
  print_int(expected);
  print_str("\n");
}

static void check_true(const char *what, int32_t cond) {
  check_eq(what, cond ? 1 : 0, 1);
}

/* Same float, bit for bit. */
static void check_float(const char *what, float actual, float expected) {
  check_eq(what, (int64_t)float_bits(actual), (int64_t)float_bits(expected));
}

static int32_t same_state(const mt_prng *a, const mt_prng *b) {
  return a->state == b->state && a->inc == b->inc;
}

static void test_prng_reference(void) {
  /* pcg32 demo (srandom(42, 54)), first six outputs */
  static const uint32_t seed42[6] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u,
                                     0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};
  /* seed 0, stream 54, computed independently with arbitrary-precision integers */
  static const uint32_t seed0[3] = {0x47c28b93u, 0xb98f6a27u, 0x7d3dcb1eu};
  mt_prng r;
  int32_t i;
  mt_prng_seed(&r, 42u);
  check_eq("inc of stream 54", (int64_t)r.inc, 109);
  for (i = 0; i < 6; i++) {
    check_eq("pcg32 seed 42", mt_prng_next_u32(&r), seed42[i]);
  }
  mt_prng_seed(&r, 0u);
  for (i = 0; i < 3; i++) {
    check_eq("pcg32 seed 0", mt_prng_next_u32(&r), seed0[i]);
  }
  /* next_float: top 24 bits times 2^-24 */
  mt_prng_seed(&r, 42u);
  check_float("next_float seed 42", mt_prng_next_float(&r), (float)(0xa15c02b7u >> 8) / 16777216.0f);
}

static void test_prng_float_and_below(void) {
  mt_prng r;
  mt_prng before;
  int32_t i;
  int32_t counts[3] = {0, 0, 0};
  int32_t ok = 1;
  mt_prng_seed(&r, 7u);
  for (i = 0; i < 10000; i++) {
    float f = mt_prng_next_float(&r);
    if (!(f >= 0.0f && f < 1.0f)) {
      ok = 0;
    }
  }
  check_true("next_float in [0, 1)", ok);
  before = r;
  check_eq("below(0) = 0", mt_prng_below(&r, 0u), 0);
  check_true("below(0) draws nothing", same_state(&r, &before));
  ok = 1;
  for (i = 0; i < 3000; i++) {
    uint32_t v = mt_prng_below(&r, 3u);
    if (v >= 3u) {
      ok = 0;
    } else {
      counts[v]++;
    }
  }
  check_true("below(3) in range", ok);
  check_true("below(3) hits 0, 1, 2 about equally",
             counts[0] > 850 && counts[1] > 850 && counts[2] > 850);
  ok = 1;
  for (i = 0; i < 1000; i++) {
    if (mt_prng_below(&r, 1u) != 0u) {
      ok = 0;
    }
    if (mt_prng_below(&r, 0x80000001u) > 0x80000000u) {
      ok = 0;
    }
  }
  check_true("below(1) = 0, below(2^31 + 1) in range", ok);
  /* one draw when accepted: below(2) uses the top bit of one output */
  mt_prng_seed(&r, 42u);
  check_eq("below(2) = top bit", mt_prng_below(&r, 2u), 0xa15c02b7u >> 31);
  check_eq("below(2) then next", mt_prng_next_u32(&r), 0x7b47f409u);
}

static void test_s8_rounding(void) {
  mt_prng r;
  mt_prng before;
  int32_t i;
  int32_t zeros = 0;
  int32_t ones = 0;
  int32_t others = 0;
  mt_prng_seed(&r, 1u);
  before = r;
  check_eq("0.4 trunc", mt_update_s8(0, 0.4f, MT_ROUND_TRUNCATE, NULL), 0);
  check_eq("0.4 nearest", mt_update_s8(0, 0.4f, MT_ROUND_NEAREST, NULL), 0);
  check_eq("-0.6 trunc", mt_update_s8(0, -0.6f, MT_ROUND_TRUNCATE, &r), 0);
  check_eq("-0.6 nearest", mt_update_s8(0, -0.6f, MT_ROUND_NEAREST, &r), -1);
  check_true("trunc/nearest draw nothing", same_state(&r, &before));
  check_eq("0.5 nearest", mt_update_s8(0, 0.5f, MT_ROUND_NEAREST, NULL), 1);
  check_eq("-0.5 nearest", mt_update_s8(0, -0.5f, MT_ROUND_NEAREST, NULL), -1);
  check_eq("1.5 nearest", mt_update_s8(3, 1.5f, MT_ROUND_NEAREST, NULL), 5);
  check_eq("2.5 nearest (away, not even)", mt_update_s8(3, 2.5f, MT_ROUND_NEAREST, NULL), 6);
  check_eq("0.49999997 nearest", mt_update_s8(3, as_float(0x3effffffu), MT_ROUND_NEAREST, NULL), 3);
  check_eq("-1.9 trunc", mt_update_s8(3, -1.9f, MT_ROUND_TRUNCATE, NULL), 2);
  check_eq("-1.9 nearest", mt_update_s8(3, -1.9f, MT_ROUND_NEAREST, NULL), 1);
  check_eq("bad mode acts as trunc", mt_update_s8(3, -1.9f, (mt_rounding)7, NULL), 2);
  check_eq("-0.0", mt_update_s8(-5, -0.0f, MT_ROUND_NEAREST, NULL), -5);
  check_eq("tiny", mt_update_s8(-5, 1e-30f, MT_ROUND_NEAREST, NULL), -5);
  /* saturation to [-127, 127] */
  check_eq("sat +", mt_update_s8(120, 10.0f, MT_ROUND_TRUNCATE, NULL), 127);
  check_eq("sat -", mt_update_s8(-120, -10.0f, MT_ROUND_NEAREST, NULL), -127);
  check_eq("-128 in, 0 out clamps", mt_update_s8(-128, 0.0f, MT_ROUND_TRUNCATE, NULL), -127);
  check_eq("-128 + 254.9 trunc", mt_update_s8(-128, 254.9f, MT_ROUND_TRUNCATE, NULL), 126);
  check_eq("-128 + 255", mt_update_s8(-128, 255.0f, MT_ROUND_TRUNCATE, NULL), 127);
  check_eq("127 - 254", mt_update_s8(127, -254.0f, MT_ROUND_TRUNCATE, NULL), -127);
  check_eq("huge +", mt_update_s8(-127, 1e30f, MT_ROUND_NEAREST, NULL), 127);
  check_eq("huge -", mt_update_s8(127, -3e38f, MT_ROUND_TRUNCATE, NULL), -127);
  check_eq("+inf", mt_update_s8(0, as_float(0x7f800000u), MT_ROUND_TRUNCATE, NULL), 127);
  check_eq("-inf", mt_update_s8(0, as_float(0xff800000u), MT_ROUND_NEAREST, NULL), -127);
  check_eq("NaN keeps w", mt_update_s8(42, as_float(0x7fc00000u), MT_ROUND_NEAREST, NULL), 42);
  check_eq("NaN keeps -128", mt_update_s8(-128, as_float(0xffc00001u), MT_ROUND_TRUNCATE, NULL),
           -128);
  /* stochastic: one draw per call, floor(delta + u) */
  for (i = 0; i < 1000; i++) {
    mt_prng copy = r;
    float u = mt_prng_next_float(&copy);
    float s = 0.4f + u;
    int32_t expect = s >= 1.0f ? 1 : 0;
    int32_t got = mt_update_s8(0, 0.4f, MT_ROUND_STOCHASTIC, &r);
    if (got == 0) {
      zeros++;
    } else if (got == 1) {
      ones++;
    } else {
      others++;
    }
    if (got != expect || !same_state(&r, &copy)) {
      others++;
    }
  }
  check_eq("stochastic 0.4: only 0 or 1, one draw, floor(delta + u)", others, 0);
  check_true("stochastic 0.4: about 40% ones", ones > 330 && ones < 470 && zeros > 0);
  {
    mt_prng copy = r;
    (void)mt_prng_next_u32(&copy);
    check_eq("stochastic NaN keeps w", mt_update_s8(9, as_float(0x7fc00000u), MT_ROUND_STOCHASTIC,
                                                    &r), 9);
    check_true("stochastic NaN still draws once", same_state(&r, &copy));
    check_eq("stochastic 0 -> 0", mt_update_s8(9, 0.0f, MT_ROUND_STOCHASTIC, &r), 9);
    check_eq("stochastic -0.0 -> 0", mt_update_s8(9, -0.0f, MT_ROUND_STOCHASTIC, &r), 9);
    check_eq("stochastic 2.0 -> 2", mt_update_s8(9, 2.0f, MT_ROUND_STOCHASTIC, &r), 11);
    check_eq("stochastic -inf", mt_update_s8(9, as_float(0xff800000u), MT_ROUND_STOCHASTIC, &r),
             -127);
  }
  /* stochastic of a tiny negative delta: -1 only when u == 0 */
  {
    mt_prng z;
    z.inc = 109u;
    z.state = 0u; /* the output of state 0 is 0, so u = 0 */
    check_eq("stochastic -1e-10 with u = 0", mt_update_s8(0, -1e-10f, MT_ROUND_STOCHASTIC, &z), -1);
  }
}

static void test_s32(void) {
  check_eq("s32 +1 at max", mt_update_s32(INT32_MAX, 1.0f, MT_ROUND_TRUNCATE, NULL), INT32_MAX);
  check_eq("s32 -1 at min", mt_update_s32(INT32_MIN, -1.0f, MT_ROUND_NEAREST, NULL), INT32_MIN);
  check_eq("s32 -0.6 nearest", mt_update_s32(1000, -0.6f, MT_ROUND_NEAREST, NULL), 999);
  check_eq("s32 -0.6 trunc", mt_update_s32(1000, -0.6f, MT_ROUND_TRUNCATE, NULL), 1000);
  check_eq("s32 3e9", mt_update_s32(0, 3e9f, MT_ROUND_TRUNCATE, NULL), INT32_MAX);
  check_eq("s32 min + 2^31", mt_update_s32(INT32_MIN, 2147483648.0f, MT_ROUND_NEAREST, NULL), 0);
  check_eq("s32 min + (2^32 - 256)",
           mt_update_s32(INT32_MIN, 4294967040.0f, MT_ROUND_TRUNCATE, NULL), 2147483392);
  check_eq("s32 min + 2^32", mt_update_s32(INT32_MIN, 4294967296.0f, MT_ROUND_TRUNCATE, NULL),
           INT32_MAX);
  check_eq("s32 max - (2^32 - 256)",
           mt_update_s32(INT32_MAX, -4294967040.0f, MT_ROUND_TRUNCATE, NULL), -2147483393);
  check_eq("s32 max - 2^32", mt_update_s32(INT32_MAX, -4294967296.0f, MT_ROUND_NEAREST, NULL),
           INT32_MIN);
  check_eq("s32 2^24 + 1 (float rounds to 2^24)",
           mt_update_s32(100, 16777217.0f, MT_ROUND_NEAREST, NULL), 16777316);
  check_eq("s32 8388607.5 nearest", mt_update_s32(0, 8388607.5f, MT_ROUND_NEAREST, NULL), 8388608);
  check_eq("s32 -8388607.5 trunc", mt_update_s32(0, -8388607.5f, MT_ROUND_TRUNCATE, NULL),
           -8388607);
  check_eq("s32 -8388607.5 nearest", mt_update_s32(0, -8388607.5f, MT_ROUND_NEAREST, NULL),
           -8388608);
  check_eq("s32 -2^23", mt_update_s32(5, -8388608.0f, MT_ROUND_TRUNCATE, NULL), -8388603);
  check_eq("s32 NaN", mt_update_s32(-77, as_float(0x7fc00000u), MT_ROUND_NEAREST, NULL), -77);
  check_eq("s32 +inf", mt_update_s32(INT32_MIN, as_float(0x7f800000u), MT_ROUND_NEAREST, NULL),
           INT32_MAX);
  check_eq("s32 -inf", mt_update_s32(INT32_MAX, as_float(0xff800000u), MT_ROUND_TRUNCATE, NULL),
           INT32_MIN);
  check_eq("s32 -1e38", mt_update_s32(0, -1e38f, MT_ROUND_TRUNCATE, NULL), INT32_MIN);
  {
    mt_prng r;
    mt_prng copy;
    int32_t i;
    int32_t ok = 1;
    mt_prng_seed(&r, 99u);
    for (i = 0; i < 1000; i++) {
      int32_t got;
      float u;
      copy = r;
      u = mt_prng_next_float(&copy);
      got = mt_update_s32(-5, 1.25f, MT_ROUND_STOCHASTIC, &r);
      if (got != (1.25f + u >= 2.0f ? -3 : -4) || !same_state(&r, &copy)) {
        ok = 0;
      }
    }
    check_true("s32 stochastic 1.25: floor(delta + u), one draw", ok);
  }
}

static void test_qas_and_sgd(void) {
  float w[4] = {1.0f, 2.0f, -3.0f, 0.1f};
  const float g[4] = {2.0f, -4.0f, 0.0f, 0.3f};
  check_float("qas 2*3*0.5", mt_qas_delta(2.0f, 3.0f, 0.5f), -3.0f);
  /* order: lr * (g * k): g * k overflows to inf first; (lr * g) * k would be finite */
  check_float("qas order", mt_qas_delta(1e30f, 1e10f, 1e-20f), as_float(0xff800000u));
  check_float("qas order 2", mt_qas_delta(1e-30f, 1e-20f, 1e20f), -0.0f);
  mt_sgd_update_f32(w, g, 3, 0.25f);
  check_float("sgd 0", w[0], 0.5f);
  check_float("sgd 1", w[1], 3.0f);
  check_float("sgd 2", w[2], -3.0f);
  check_float("sgd n respected", w[3], 0.1f);
  mt_sgd_update_f32(w + 3, g + 3, 1, 0.1f);
  {
    float step = 0.1f * 0.3f;
    check_float("sgd rounding", w[3], 0.1f - step);
  }
  mt_sgd_update_f32(w, g, 0, 1.0f);
  check_float("sgd n = 0", w[0], 0.5f);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  test_prng_reference();
  test_prng_float_and_below();
  test_s8_rounding();
  test_s32();
  test_qas_and_sgd();
  print_u32((uint32_t)g_passed);
  print_str(" passed, ");
  print_u32((uint32_t)g_failed);
  print_str(" failed\n");
  return g_failed == 0 ? 0 : 1;
}
