/*
 * Host test of runtime-c's float math for training (mt_math.h: mt_expf, mt_logf,
 * mt_softmax_xent_f32) on hand-picked cases. Expected values are the correctly rounded binary32
 * results (computed offline with 50-digit arithmetic); mt_expf/mt_logf may be off by at most
 * 1 ulp, the softmax results by a few ulp (several roundings). Special values are exact.
 * Built freestanding with boards/host; prints every failure, then "N passed, N failed", and exits
 * nonzero if anything failed.
 */
#include <stdint.h>
#include <stddef.h>
#include "board.h"
#include "mt_math.h"

static int32_t g_passed = 0;
static int32_t g_failed = 0;

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

static void print_int(int64_t v) {
  char buf[24];
  int32_t i = 23;
  uint64_t u = (v < 0) ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  buf[i] = '\0';
  do {
    buf[--i] = (char)('0' + (int32_t)(u % 10u));
    u /= 10u;
  } while (u != 0u);
  if (v < 0) {
    buf[--i] = '-';
  }
  print_str(buf + i);
}

static void print_hex(uint32_t u) {
  char buf[11];
  int32_t i;
  buf[0] = '0';
  buf[1] = 'x';
  for (i = 0; i < 8; i++) {
    uint32_t d = (u >> (28 - 4 * i)) & 0xfu;
    buf[2 + i] = (char)(d < 10u ? '0' + (int32_t)d : 'a' + (int32_t)d - 10);
  }
  buf[10] = '\0';
  print_str(buf);
}

static void record(int32_t ok, const char *what, uint32_t got, uint32_t expected, int32_t ulps) {
  if (ok) {
    g_passed++;
    return;
  }
  g_failed++;
  print_str("FAIL ");
  print_str(what);
  print_str(": got ");
  print_hex(got);
  print_str(", expected ");
  print_hex(expected);
  if (ulps != 0) {
    print_str(" +- ");
    print_int(ulps);
    print_str(" ulp");
  }
  print_str("\n");
}

/* Same sign and bit patterns at most `ulps` apart (finite values of one sign are ordered). */
static void check_ulps(const char *what, float got, uint32_t expected_bits, int32_t ulps) {
  uint32_t g = mt_f32_to_bits(got);
  int64_t diff = (int64_t)g - (int64_t)expected_bits;
  int32_t same_sign = ((g ^ expected_bits) & 0x80000000u) == 0u;
  if (diff < 0) {
    diff = -diff;
  }
  record(same_sign && diff <= ulps, what, g, expected_bits, ulps);
}

static void check_bits(const char *what, float got, uint32_t expected_bits) {
  check_ulps(what, got, expected_bits, 0);
}

static void check_true(const char *what, int32_t cond) {
  record(cond != 0, what, (uint32_t)(cond != 0), 1u, 0);
}

static void test_expf(void) {
  check_bits("exp(0)", mt_expf(0.0f), 0x3f800000u);
  check_bits("exp(-0)", mt_expf(-0.0f), 0x3f800000u);
  check_ulps("exp(1)", mt_expf(1.0f), 0x402df854u, 1);
  check_ulps("exp(-1)", mt_expf(-1.0f), 0x3ebc5ab2u, 1);
  check_ulps("exp(0.5)", mt_expf(0.5f), 0x3fd3094cu, 1);
  check_ulps("exp(10)", mt_expf(10.0f), 0x46ac14eeu, 1);
  check_ulps("exp(-10)", mt_expf(-10.0f), 0x383e6bceu, 1);
  check_ulps("exp(88.72283)", mt_expf(0x1.62e42ep6f), 0x7f7fff84u, 1);
  check_ulps("exp(-87.5) (subnormal)", mt_expf(-87.5f), 0x006cb2bcu, 1);
  check_ulps("exp(-100) (subnormal)", mt_expf(-100.0f), 0x0000001bu, 1);
  check_bits("exp(88.72284) overflows", mt_expf(0x1.62e430p6f), 0x7f800000u);
  check_bits("exp(1000)", mt_expf(1000.0f), 0x7f800000u);
  check_bits("exp(+inf)", mt_expf(mt_f32_from_bits(0x7f800000u)), 0x7f800000u);
  check_bits("exp(-inf)", mt_expf(mt_f32_from_bits(0xff800000u)), 0x00000000u);
  check_bits("exp(-104.5)", mt_expf(-104.5f), 0x00000000u);
  check_bits("exp(-1e30)", mt_expf(-1e30f), 0x00000000u);
  check_bits("exp(NaN)", mt_expf(mt_f32_from_bits(0x7fc00000u)), MT_NAN_BITS);
  check_bits("exp(-sNaN)", mt_expf(mt_f32_from_bits(0xff800001u)), MT_NAN_BITS);
  check_bits("exp(2^-149)", mt_expf(0x1p-149f), 0x3f800000u);
}

static void test_logf(void) {
  check_bits("log(1)", mt_logf(1.0f), 0x00000000u);
  check_ulps("log(2)", mt_logf(2.0f), 0x3f317218u, 1);
  check_ulps("log(3)", mt_logf(3.0f), 0x3f8c9f54u, 1);
  check_ulps("log(10)", mt_logf(10.0f), 0x40135d8eu, 1);
  check_ulps("log(0.1f)", mt_logf(0.1f), 0xc0135d8eu, 1);
  check_ulps("log(e)", mt_logf(0x1.5bf0a8p1f), 0x3f7fffffu, 1);
  check_ulps("log(FLT_MAX)", mt_logf(0x1.fffffep127f), 0x42b17218u, 1);
  check_ulps("log(2^-149)", mt_logf(0x1p-149f), 0xc2ce8ed0u, 1);
  check_ulps("log(2^-140)", mt_logf(0x1p-140f), 0xc2c214cau, 1);
  check_ulps("log(3*2^-130)", mt_logf(0x1.8p-129f), 0xc2b20563u, 1);
  check_bits("log(+0)", mt_logf(0.0f), 0xff800000u);
  check_bits("log(-0)", mt_logf(-0.0f), 0xff800000u);
  check_bits("log(-1)", mt_logf(-1.0f), MT_NAN_BITS);
  check_bits("log(-inf)", mt_logf(mt_f32_from_bits(0xff800000u)), MT_NAN_BITS);
  check_bits("log(-2^-149)", mt_logf(-0x1p-149f), MT_NAN_BITS);
  check_bits("log(+inf)", mt_logf(mt_f32_from_bits(0x7f800000u)), 0x7f800000u);
  check_bits("log(NaN)", mt_logf(mt_f32_from_bits(0x7fc12345u)), MT_NAN_BITS);
}

static void test_softmax_xent(void) {
  static const float four[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  static const float five[5] = {0.5f, -1.25f, 3.0f, 0.0f, 2.0f};
  static const uint32_t five_p[5] = {0x3d5e125fu, 0x3c1a5c74u, 0x3f291635u, 0x3d06b17fu,
                                     0x3e78d06cu};
  float grad[5];
  float buf[5];
  float one = 7.5f;
  float g1 = 123.0f;
  float loss;
  float total;
  int32_t i;

  /* n = 1: loss 0, gradient 0, exactly */
  loss = mt_softmax_xent_f32(&one, 1, 0, &g1);
  check_bits("xent n=1 loss", loss, 0x00000000u);
  check_bits("xent n=1 grad", g1, 0x00000000u);

  /* two equal logits: loss log 2, gradient exactly (-0.5, 0.5) */
  buf[0] = -3.0f;
  buf[1] = -3.0f;
  loss = mt_softmax_xent_f32(buf, 2, 0, grad);
  check_ulps("xent equal loss", loss, 0x3f317218u, 1);
  check_bits("xent equal grad0", grad[0], 0xbf000000u);
  check_bits("xent equal grad1", grad[1], 0x3f000000u);

  /* {1, 2, 3, 4}, label 3 */
  loss = mt_softmax_xent_f32(four, 4, 3, grad);
  check_ulps("xent four loss", loss, 0x3ee1608bu, 2);
  check_ulps("xent four grad0", grad[0], 0x3d034fe2u, 3);
  check_ulps("xent four grad1", grad[1], 0x3db278b8u, 3);
  check_ulps("xent four grad2", grad[2], 0x3e729169u, 3);
  check_ulps("xent four grad3", grad[3], 0xbeb650dfu, 3);

  /* five logits, labels 1 and 2 */
  loss = mt_softmax_xent_f32(five, 5, 1, grad);
  check_ulps("xent five/1 loss", loss, 0x409545c2u, 2);
  for (i = 0; i < 5; i++) {
    if (i != 1) {
      check_ulps("xent five/1 grad", grad[i], five_p[i], 3);
    }
  }
  check_ulps("xent five/1 grad label", grad[1], 0xbf7d968eu, 3);
  total = 0.0f;
  for (i = 0; i < 5; i++) {
    total += grad[i];
  }
  check_true("xent five/1 gradient sums to ~0", total < 1e-6f && total > -1e-6f);
  loss = mt_softmax_xent_f32(five, 5, 2, grad);
  check_ulps("xent five/2 loss", loss, 0x3ed45c27u, 2);
  check_ulps("xent five/2 grad label", grad[2], 0xbeadd396u, 3);

  /* in place (grad == logits) gives the same bits */
  for (i = 0; i < 5; i++) {
    buf[i] = five[i];
  }
  check_bits("xent in place loss", mt_softmax_xent_f32(buf, 5, 2, buf), mt_f32_to_bits(loss));
  for (i = 0; i < 5; i++) {
    check_bits("xent in place grad", buf[i], mt_f32_to_bits(grad[i]));
  }

  /* -inf logits get probability 0; a huge spread saturates without NaN */
  buf[0] = mt_f32_from_bits(0xff800000u);
  buf[1] = 0.0f;
  buf[2] = -1e30f;
  loss = mt_softmax_xent_f32(buf, 3, 1, grad);
  check_bits("xent -inf loss", loss, 0x00000000u);
  check_bits("xent -inf grad0", grad[0], 0x00000000u);
  check_bits("xent -inf grad1", grad[1], 0x00000000u);
  check_bits("xent -inf grad2", grad[2], 0x00000000u);
  loss = mt_softmax_xent_f32(buf, 3, 2, grad);
  check_bits("xent far label loss", loss, 0x7149f2cau); /* 1e30f exactly: log(1) - (-1e30) */
  check_bits("xent far label grad", grad[2], 0xbf800000u);

  /* bad arguments: -1 and grad untouched */
  for (i = 0; i < 5; i++) {
    grad[i] = 42.0f;
  }
  check_bits("xent NULL logits", mt_softmax_xent_f32(NULL, 4, 0, grad), 0xbf800000u);
  check_bits("xent NULL grad", mt_softmax_xent_f32(four, 4, 0, NULL), 0xbf800000u);
  check_bits("xent n=0", mt_softmax_xent_f32(four, 0, 0, grad), 0xbf800000u);
  check_bits("xent n<0", mt_softmax_xent_f32(four, -3, 0, grad), 0xbf800000u);
  check_bits("xent label<0", mt_softmax_xent_f32(four, 4, -1, grad), 0xbf800000u);
  check_bits("xent label=n", mt_softmax_xent_f32(four, 4, 4, grad), 0xbf800000u);
  for (i = 0; i < 5; i++) {
    check_bits("xent bad args leave grad", grad[i], 0x42280000u);
  }
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  test_expf();
  test_logf();
  test_softmax_xent();
  print_int(g_passed);
  print_str(" passed, ");
  print_int(g_failed);
  print_str(" failed\n");
  return g_failed == 0 ? 0 : 1;
}
