/*
 * Host test of runtime-c's shared arithmetic (mt_support.h) and of each kernel on small
 * hand-derived cases. Built freestanding with boards/host; prints every failure, then
 * "N passed, N failed", and exits nonzero if anything failed.
 */
#include <stdint.h>
#include <stddef.h>
#include "board.h"
#include "mt_kernels.h"
#include "mt_support.h"

void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

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

/* Checks |actual - expected| <= tolerance. */
static void check_near(const char *what, int64_t actual, int64_t expected, int64_t tolerance) {
  int64_t diff = actual - expected;
  if (diff < 0) {
    diff = -diff;
  }
  if (diff <= tolerance) {
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
  if (tolerance != 0) {
    print_str(" +- ");
    print_int(tolerance);
  }
  print_str("\n");
}

static void check_eq(const char *what, int64_t actual, int64_t expected) {
  check_near(what, actual, expected, 0);
}

static void check_true(const char *what, int32_t cond) {
  check_eq(what, cond ? 1 : 0, 1);
}

static void test_srdhm(void) {
  check_eq("srdhm(MIN,MIN)", mt_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
  check_eq("srdhm(2^30,2^30)", mt_srdhm(1 << 30, 1 << 30), 1 << 29);
  check_eq("srdhm(1,1)", mt_srdhm(1, 1), 0);
  check_eq("srdhm(-1,1)", mt_srdhm(-1, 1), 0);
  check_eq("srdhm(MAX,MAX)", mt_srdhm(INT32_MAX, INT32_MAX), 2147483646);
  check_eq("srdhm(MIN,MAX)", mt_srdhm(INT32_MIN, INT32_MAX), -2147483647);
  check_eq("srdhm(3,2^30) 1.5 -> 2", mt_srdhm(3, 1 << 30), 2);
  check_eq("srdhm(-3,2^30) -1.5 -> -1", mt_srdhm(-3, 1 << 30), -1);
  check_eq("srdhm(-5,2^30) -2.5 -> -2", mt_srdhm(-5, 1 << 30), -2);
  check_eq("srdhm(MIN,2^30)", mt_srdhm(INT32_MIN, 1 << 30), -(1 << 30));
}

static void test_rdbpot(void) {
  check_eq("rdbpot(-5,1)", mt_rdbpot(-5, 1), -3);
  check_eq("rdbpot(5,1)", mt_rdbpot(5, 1), 3);
  check_eq("rdbpot(-4,1)", mt_rdbpot(-4, 1), -2);
  check_eq("rdbpot(7,2)", mt_rdbpot(7, 2), 2);
  check_eq("rdbpot(6,2)", mt_rdbpot(6, 2), 2);
  check_eq("rdbpot(-6,2)", mt_rdbpot(-6, 2), -2);
  check_eq("rdbpot(5,2)", mt_rdbpot(5, 2), 1);
  check_eq("rdbpot(-5,2)", mt_rdbpot(-5, 2), -1);
  check_eq("rdbpot(MIN,31)", mt_rdbpot(INT32_MIN, 31), -1);
  check_eq("rdbpot(MAX,31)", mt_rdbpot(INT32_MAX, 31), 1);
  check_eq("rdbpot(2^30-1,31)", mt_rdbpot((1 << 30) - 1, 31), 0);
  check_eq("rdbpot(2^30,31)", mt_rdbpot(1 << 30, 31), 1);
  check_eq("rdbpot(-2^30,31)", mt_rdbpot(-(1 << 30), 31), -1);
  check_eq("rdbpot(x,0)", mt_rdbpot(-12345, 0), -12345);
  check_eq("rdbpot(MAX,32)", mt_rdbpot(INT32_MAX, 32), 0);
  check_eq("rdbpot(MIN,32)", mt_rdbpot(INT32_MIN, 32), -1);
}

static void test_mbqm(void) {
  check_eq("mbqm(100,2^30,0)", mt_mbqm(100, 1 << 30, 0), 50);
  check_eq("mbqm(100,2^30,1)", mt_mbqm(100, 1 << 30, 1), 100);
  check_eq("mbqm(100,2^30,-1)", mt_mbqm(100, 1 << 30, -1), 25);
  check_eq("mbqm(-3,2^30,0)", mt_mbqm(-3, 1 << 30, 0), -1);
  check_eq("mbqm(3,2^30,-1)", mt_mbqm(3, 1 << 30, -1), 1);
  /* person_detect op0 channel 0: (1498896102, -7) */
  check_eq("mbqm(1000,pd0)", mt_mbqm(1000, 1498896102, -7), 5);
  check_eq("mbqm(-1000,pd0)", mt_mbqm(-1000, 1498896102, -7), -5);
  check_eq("mbqm(12345,pd0)", mt_mbqm(12345, 1498896102, -7), 67);
  check_eq("mbqm(-77777,pd0)", mt_mbqm(-77777, 1498896102, -7), -424);
  check_eq("mbqm(89,pd0)", mt_mbqm(89, 1498896102, -7), 0);
  check_eq("mbqm(MIN,2^30,31)", mt_mbqm(INT32_MIN, 1 << 30, -31), -1);
}

static void test_sat_left_shift(void) {
  check_eq("sls(1,2)", mt_sat_left_shift(1, 2), 4);
  check_eq("sls(-1,2)", mt_sat_left_shift(-1, 2), -4);
  check_eq("sls(2^29,2)", mt_sat_left_shift(1 << 29, 2), INT32_MAX);
  check_eq("sls(-2^29,2)", mt_sat_left_shift(-(1 << 29), 2), INT32_MIN);
  check_eq("sls(2^29-1,2)", mt_sat_left_shift((1 << 29) - 1, 2), 2147483644);
}

/* Reference values round(exp(a / 2^26) * 2^31), computed offline in double precision. gemmlowp's
 * degree-4 polynomial on [-1/4, 0) is off by up to ~500 (2.5e-7 relative) at the interval ends. */
static void test_exp(void) {
  static const int32_t inputs[8] = {
    -16777216, -33554432, -67108864, -134217728, -201338937, -671088640, -2080374784, -1
  };
  static const int64_t expected[8] = {
    1672461947, 1302514674, 790015084, 290630308, 106897249, 97496, 0, 2147483616
  };
  int32_t i;
  int32_t a;
  int32_t previous;
  check_eq("exp(0)", mt_exp_on_negative_values(0), INT32_MAX);
  for (i = 0; i < 8; i++) {
    check_near("exp table", mt_exp_on_negative_values(inputs[i]), expected[i], 600);
  }
  /* monotonic non-decreasing and in [0, 2^31) on a sweep over [-32, 0) */
  previous = -1;
  for (a = INT32_MIN + 1; a < -1000000; a += 999983) {
    int32_t e = mt_exp_on_negative_values(a);
    if (e < previous || e < 0) {
      check_true("exp monotonic", 0);
      break;
    }
    previous = e;
  }
  check_true("exp monotonic sweep done", 1);
}

static void test_reciprocal(void) {
  int32_t nbu = 0;
  int32_t r;
  check_near("1/(1+0)", mt_one_over_one_plus_x_for_x_in_0_1(0), 2147483647, 8);
  check_near("1/(1+0.5)", mt_one_over_one_plus_x_for_x_in_0_1(1 << 30), 1431655765, 8);
  check_near("1/(1+1)", mt_one_over_one_plus_x_for_x_in_0_1(INT32_MAX), 1073741824, 8);
  check_near("1/(1+0.25)", mt_one_over_one_plus_x_for_x_in_0_1(1 << 29), 1717986918, 8);
  check_near("1/(1+x)", mt_one_over_one_plus_x_for_x_in_0_1(123456789), 2030738430, 8);
  /* sum 2^20 in Q12.19 = 2.0: mantissa 1.0 (Q0.31), one bit over unit */
  r = mt_get_reciprocal(1 << 20, 12, &nbu);
  check_eq("recip(2.0) bits", nbu, 1);
  check_near("recip(2.0)", r, 2147483647, 8);
  r = mt_get_reciprocal(3 << 19, 12, &nbu); /* 3.0 = 1.5 * 2 */
  check_eq("recip(3.0) bits", nbu, 1);
  check_near("recip(3.0)", r, 1431655765, 8);
}

static mt_softmax_params softmax_params_scale_1_16(void) {
  /* beta 1, input scale 1/16: beta*scale*2^26 = 2^22 -> multiplier 2^30, left shift 23;
   * diff_min = -floor(31 * 2^26 / 2^23) = -248. */
  mt_softmax_params p;
  p.input_multiplier = 1 << 30;
  p.input_left_shift = 23;
  p.diff_min = -248;
  return p;
}

static void test_softmax(void) {
  mt_softmax_params p = softmax_params_scale_1_16();
  int8_t in[8];
  int8_t out[8];
  int32_t i;
  int32_t total;

  in[0] = 5;
  in[1] = 5;
  check_eq("softmax status", mt_softmax_s8(&p, 1, 2, in, out), MT_OK);
  check_eq("softmax [5,5] -> 0", out[0], 0);
  check_eq("softmax [5,5] -> 0 (2)", out[1], 0);

  in[0] = -100;
  check_eq("softmax single", mt_softmax_s8(&p, 1, 1, in, out), MT_OK);
  check_eq("softmax [x] -> 127", out[0], 127);

  for (i = 0; i < 4; i++) {
    in[i] = 7;
  }
  mt_softmax_s8(&p, 1, 4, in, out);
  check_eq("softmax 4 equal -> -64", out[3], -64);

  /* [0, 16] at scale 1/16 is [0, 1]: softmax [0.2689, 0.7311] * 256 - 128 = [-59.2, 59.2] */
  in[0] = 0;
  in[1] = 16;
  mt_softmax_s8(&p, 1, 2, in, out);
  check_near("softmax [0,1] low", out[0], -59, 1);
  check_near("softmax [0,1] high", out[1], 59, 1);

  /* below diff_min gives exactly -128; two rows are independent */
  in[0] = -128;
  in[1] = 127;
  in[2] = 127;
  in[3] = -128;
  mt_softmax_s8(&p, 2, 2, in, out);
  check_eq("softmax below diff_min", out[0], -128);
  check_eq("softmax row0 max", out[1], 127);
  check_eq("softmax row1 max", out[2], 127);
  check_eq("softmax row1 below", out[3], -128);

  /* probabilities sum to ~1 and order is kept */
  for (i = 0; i < 8; i++) {
    in[i] = (int8_t)(i * 9 - 30);
  }
  mt_softmax_s8(&p, 1, 8, in, out);
  total = 0;
  for (i = 0; i < 8; i++) {
    total += out[i] + 128;
    if (i > 0) {
      check_true("softmax monotonic", out[i] >= out[i - 1]);
    }
  }
  check_near("softmax sums to 256", total, 256, 8);
  check_eq("softmax null", mt_softmax_s8(&p, 1, 8, NULL, out), MT_ERR_ARG);
}

static void test_conv(void) {
  /* 1x3x3x1 input, one 3x3 filter of ones, SAME padding 1, stride 1 -> box sums */
  static const int8_t input[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  static const int8_t filter[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  static const int32_t bias[1] = {10};
  static const int32_t mult[1] = {1 << 30};
  static const int32_t shift[1] = {1}; /* x1.0 */
  mt_dims in_d = {1, 3, 3, 1};
  mt_dims f_d = {1, 3, 3, 1};
  mt_dims out_d = {1, 3, 3, 1};
  mt_conv_params p;
  mt_quant_params q;
  int8_t out[9];
  p.input_offset = 0;
  p.output_offset = -1;
  p.stride_h = 1;
  p.stride_w = 1;
  p.pad_h = 1;
  p.pad_w = 1;
  p.depth_multiplier = 1;
  p.act_min = -128;
  p.act_max = 127;
  q.multiplier = mult;
  q.shift = shift;
  q.per_channel = 0;
  check_eq("conv status", mt_conv2d_s8(&p, &q, &in_d, input, &f_d, filter, bias, &out_d, out),
           MT_OK);
  check_eq("conv corner", out[0], 1 + 2 + 4 + 5 + 10 - 1);
  check_eq("conv center", out[4], 45 + 10 - 1);
  check_eq("conv edge", out[5], 2 + 3 + 5 + 6 + 8 + 9 + 10 - 1);
  p.input_offset = 1; /* input zero point -1 */
  mt_conv2d_s8(&p, &q, &in_d, input, &f_d, filter, NULL, &out_d, out);
  check_eq("conv offset corner", out[0], 1 + 2 + 4 + 5 + 4 - 1);
  p.act_max = 20;
  mt_conv2d_s8(&p, &q, &in_d, input, &f_d, filter, NULL, &out_d, out);
  check_eq("conv act clamp", out[4], 20);
  check_eq("conv bad filter", mt_conv2d_s8(&p, &q, &in_d, input, &out_d, filter, NULL, &f_d, NULL),
           MT_ERR_ARG);
  f_d.c = 2;
  check_eq("conv channel mismatch",
           mt_conv2d_s8(&p, &q, &in_d, input, &f_d, filter, NULL, &out_d, out), MT_ERR_ARG);
}

static void test_depthwise(void) {
  /* 1x1x2x2 input, depth multiplier 2, 1x1 filter: oc = ic*2 + m */
  static const int8_t input[4] = {1, 2, 3, 4};
  static const int8_t filter[4] = {1, -1, 2, 3};
  static const int32_t mult[4] = {1 << 30, 1 << 30, 1 << 30, 1 << 30};
  static const int32_t shift[4] = {1, 1, 1, 0};
  mt_dims in_d = {1, 1, 2, 2};
  mt_dims f_d = {1, 1, 1, 4};
  mt_dims out_d = {1, 1, 2, 4};
  mt_conv_params p;
  mt_quant_params q;
  int8_t out[8];
  p.input_offset = 0;
  p.output_offset = 0;
  p.stride_h = 1;
  p.stride_w = 1;
  p.pad_h = 0;
  p.pad_w = 0;
  p.depth_multiplier = 2;
  p.act_min = -128;
  p.act_max = 127;
  q.multiplier = mult;
  q.shift = shift;
  q.per_channel = 1;
  check_eq("dw status", mt_depthwise_conv2d_s8(&p, &q, &in_d, input, &f_d, filter, NULL, &out_d,
                                               out), MT_OK);
  check_eq("dw oc0", out[0], 1);
  check_eq("dw oc1", out[1], -1);
  check_eq("dw oc2", out[2], 4);
  check_eq("dw oc3 (x0.5)", out[3], 3); /* 6 * 0.5 */
  check_eq("dw px1 oc3", out[7], 6);    /* 12 * 0.5 */
}

static void test_pipeline(void) {
  /* conv 1x1 (x2) on a 1x4x1x1 column, then a 3x1 box sum (SAME): one row at a time. */
  static const int8_t input[4] = {1, 2, 3, 4};
  static const int8_t f0[1] = {2};
  static const int8_t f1[3] = {1, 1, 1};
  static const int32_t mult[1] = {1 << 30};
  static const int32_t shift[1] = {1}; /* x1.0 */
  mt_dims in_d = {1, 4, 1, 1};
  mt_dims f0_d = {1, 1, 1, 1};
  mt_dims f1_d = {1, 3, 1, 1};
  mt_dims mid_d = {1, 4, 1, 1};
  mt_dims out_d = {1, 4, 1, 1};
  mt_conv_params p0;
  mt_conv_params p1;
  mt_quant_params q;
  mt_conv_stage st[2];
  int8_t scratch[32];
  int8_t out[4];
  int32_t need;
  memset(&p0, 0, sizeof(p0));
  p0.stride_h = 1;
  p0.stride_w = 1;
  p0.depth_multiplier = 1;
  p0.act_min = -128;
  p0.act_max = 127;
  p1 = p0;
  p1.pad_h = 1;
  q.multiplier = mult;
  q.shift = shift;
  q.per_channel = 0;
  st[0].depthwise = 0;
  st[0].params = &p0;
  st[0].quant = &q;
  st[0].filter_dims = &f0_d;
  st[0].filter = f0;
  st[0].bias = NULL;
  st[0].output_dims = &mid_d;
  st[1] = st[0];
  st[1].depthwise = 1;
  st[1].params = &p1;
  st[1].filter_dims = &f1_d;
  st[1].filter = f1;
  st[1].output_dims = &out_d;
  need = mt_conv_pipeline_scratch_bytes(st, 2, &in_d);
  check_eq("pipeline scratch", need, 16); /* 3 rows of 1 byte, 16-byte aligned */
  check_eq("pipeline status", mt_conv_pipeline_s8(st, 2, &in_d, input, scratch, 32, out), MT_OK);
  check_eq("pipeline row 0", out[0], 2 * (1 + 2));
  check_eq("pipeline row 1", out[1], 2 * (1 + 2 + 3));
  check_eq("pipeline row 3", out[3], 2 * (3 + 4));
  /* Bad input: an error code, nothing else. */
  check_eq("pipeline scratch too small", mt_conv_pipeline_s8(st, 2, &in_d, input, scratch, 8, out),
           MT_ERR_SIZE);
  check_eq("pipeline no scratch", mt_conv_pipeline_s8(st, 2, &in_d, input, NULL, 32, out),
           MT_ERR_ARG);
  check_eq("pipeline no stages", mt_conv_pipeline_s8(NULL, 2, &in_d, input, scratch, 32, out),
           MT_ERR_ARG);
  check_eq("pipeline too many stages",
           mt_conv_pipeline_s8(st, MT_PIPELINE_MAX_STAGES + 1, &in_d, input, scratch, 32, out),
           MT_ERR_ARG);
  check_eq("pipeline no output", mt_conv_pipeline_s8(st, 2, &in_d, input, scratch, 32, NULL),
           MT_ERR_ARG);
  in_d.n = 2;
  check_eq("pipeline batch 2", mt_conv_pipeline_s8(st, 2, &in_d, input, scratch, 32, out),
           MT_ERR_ARG);
  in_d.n = 1;
  p1.pad_h = 3; /* a row of padding only */
  check_eq("pipeline padding-only row",
           mt_conv_pipeline_s8(st, 2, &in_d, input, scratch, 32, out), MT_ERR_ARG);
}

static void test_fc(void) {
  static const int8_t input[3] = {1, 2, 3};
  static const int8_t filter[6] = {1, 1, 1, -1, 0, 2};
  static const int32_t bias[2] = {1, -1};
  static const int32_t mult[1] = {1 << 30};
  static const int32_t shift[1] = {1};
  mt_fc_params p;
  mt_quant_params q;
  int8_t out[2];
  p.input_offset = 0;
  p.output_offset = 3;
  p.act_min = -128;
  p.act_max = 127;
  q.multiplier = mult;
  q.shift = shift;
  q.per_channel = 0;
  check_eq("fc status", mt_fully_connected_s8(&p, &q, 1, 3, 2, input, filter, bias, out), MT_OK);
  check_eq("fc u0", out[0], 6 + 1 + 3);
  check_eq("fc u1", out[1], 5 - 1 + 3);
  check_eq("fc bad", mt_fully_connected_s8(&p, &q, 1, 0, 2, input, filter, bias, out), MT_ERR_ARG);
}

static void test_add(void) {
  static const int8_t a[4] = {1, 2, 3, 4};
  static const int8_t b[2] = {10, -20};
  mt_dims a_d = {1, 2, 1, 2};
  mt_dims b_d = {1, 1, 1, 2};
  mt_dims o_d = {1, 2, 1, 2};
  mt_add_params p;
  int8_t out[4];
  /* equal scales: s = x << 20 then * 0.5; output * 2^-19 -> x1 + x2 */
  p.input1_offset = 0;
  p.input2_offset = 0;
  p.output_offset = 0;
  p.left_shift = 20;
  p.input1_multiplier = 1 << 30;
  p.input1_shift = 0;
  p.input2_multiplier = 1 << 30;
  p.input2_shift = 0;
  p.output_multiplier = 1 << 30;
  p.output_shift = -18;
  p.act_min = -128;
  p.act_max = 127;
  check_eq("add status", mt_add_s8(&p, &a_d, a, &b_d, b, &o_d, out), MT_OK);
  check_eq("add 0", out[0], 11);
  check_eq("add 1", out[1], -18);
  check_eq("add 2", out[2], 13);
  check_eq("add 3", out[3], -16);
  b_d.c = 3;
  check_eq("add bad broadcast", mt_add_s8(&p, &a_d, a, &b_d, b, &o_d, out), MT_ERR_ARG);
}

static void test_pool(void) {
  static const int8_t input[4] = {1, 2, -1, -2};
  mt_dims in_d = {1, 2, 2, 1};
  mt_dims out_d = {1, 2, 1, 1};
  mt_pool_params p;
  int8_t out[2];
  p.stride_h = 1;
  p.stride_w = 2;
  p.filter_h = 1;
  p.filter_w = 2;
  p.pad_h = 0;
  p.pad_w = 0;
  p.act_min = -128;
  p.act_max = 127;
  check_eq("avg status", mt_avg_pool2d_s8(&p, &in_d, input, &out_d, out), MT_OK);
  check_eq("avg 1.5 -> 2", out[0], 2);
  check_eq("avg -1.5 -> -2", out[1], -2);
  check_eq("max status", mt_max_pool2d_s8(&p, &in_d, input, &out_d, out), MT_OK);
  check_eq("max 0", out[0], 2);
  check_eq("max 1", out[1], -1);
  /* padded window: only in-bounds taps count */
  p.filter_w = 3;
  p.pad_w = 1;
  out_d.w = 1;
  mt_avg_pool2d_s8(&p, &in_d, input, &out_d, out);
  check_eq("avg padded", out[0], 2);
}

static void test_mean(void) {
  static const int8_t input[8] = {1, 10, 2, 20, 3, 30, 5, 40}; /* 2x2 spatial, 2 channels */
  mt_dims in_d = {1, 2, 2, 2};
  mt_mean_params p;
  int8_t out[2];
  p.input_zero_point = 1;
  p.output_zero_point = -5;
  p.multiplier = 1 << 30; /* 1/4: 0.5 * 2^-1 */
  p.shift = -1;
  check_eq("mean status", mt_mean_hw_s8(&p, &in_d, input, out), MT_OK);
  check_eq("mean c0", out[0], 2 - 5);  /* (11 - 4) / 4 = 1.75 -> 2 */
  check_eq("mean c1", out[1], 24 - 5); /* (100 - 4) / 4 = 24 */
}

static void test_pad(void) {
  static const int8_t input[2] = {7, 8};
  mt_dims in_d = {1, 1, 2, 1};
  mt_dims out_d = {1, 2, 3, 1};
  mt_pad_params p;
  int8_t out[6];
  int32_t i;
  for (i = 0; i < 4; i++) {
    p.before[i] = 0;
    p.after[i] = 0;
  }
  p.before[1] = 1;
  p.after[2] = 1;
  p.pad_value = -128;
  check_eq("pad status", mt_pad_s8(&p, &in_d, input, &out_d, out), MT_OK);
  check_eq("pad 0", out[0], -128);
  check_eq("pad 3", out[3], 7);
  check_eq("pad 4", out[4], 8);
  check_eq("pad 5", out[5], -128);
  out_d.w = 4;
  check_eq("pad bad dims", mt_pad_s8(&p, &in_d, input, &out_d, out), MT_ERR_ARG);
}

static void test_quantize(void) {
  static const float xs[8] = {2.5f, -2.5f, 0.49999997f, -0.5f, 1000.0f, -1e30f, 1.4999999f, 0.0f};
  static const int8_t qs[3] = {-128, 0, 127};
  mt_quantize_params p;
  int8_t out[8];
  float f[3];
  p.scale = 1.0f;
  p.input_zero_point = 0;
  p.output_zero_point = 0;
  p.multiplier = 1 << 30;
  p.shift = 0;
  check_eq("quantize status", mt_quantize_f32_s8(&p, 8, xs, out), MT_OK);
  check_eq("q 2.5", out[0], 3);
  check_eq("q -2.5", out[1], -3);
  check_eq("q 0.49999997", out[2], 0);
  check_eq("q -0.5", out[3], -1);
  check_eq("q 1000", out[4], 127);
  check_eq("q -1e30", out[5], -128);
  check_eq("q 1.4999999", out[6], 1);
  p.scale = 0.5f;
  p.output_zero_point = 10;
  mt_quantize_f32_s8(&p, 8, xs, out);
  check_eq("q 2.5/0.5+10", out[0], 15);
  check_eq("q -0.5/0.5+10", out[3], 9);
  p.scale = 0.0f;
  check_eq("q bad scale", mt_quantize_f32_s8(&p, 8, xs, out), MT_ERR_ARG);

  p.input_zero_point = 1;
  p.output_zero_point = 0;
  p.multiplier = 1 << 30;
  p.shift = 0; /* x 0.5 */
  check_eq("requant status", mt_requantize_s8(&p, 3, qs, out), MT_OK);
  check_eq("requant -128", out[0], -64); /* SRDHM(-129, 2^30) = -64.5: gemmlowp rounds up */
  check_eq("requant 0", out[1], 0);      /* SRDHM(-1, 2^30) = -0.5 -> 0 */
  check_eq("requant 127", out[2], 63);

  p.scale = 0.25f;
  p.input_zero_point = -128;
  check_eq("dequant status", mt_dequantize_s8_f32(&p, 3, qs, f), MT_OK);
  check_true("dequant 0", f[0] == 0.0f);
  check_true("dequant 1", f[1] == 32.0f);
  check_true("dequant 2", f[2] == 63.75f);
}

static void test_libc(void) {
  uint8_t buf[16];
  int32_t i;
  for (i = 0; i < 16; i++) {
    buf[i] = (uint8_t)i;
  }
  memmove(buf + 2, buf, 8);
  check_eq("memmove up", buf[9], 7);
  memmove(buf, buf + 2, 8);
  check_eq("memmove down", buf[0], 0);
  memset(buf, 0xAB, 4);
  check_eq("memset", buf[3], 0xAB);
  mt_copy(buf + 8, buf, 4);
  check_eq("mt_copy", buf[11], 0xAB);
  check_true("memcmp eq", memcmp(buf, buf + 8, 4) == 0);
  check_true("memcmp lt", memcmp(buf + 4, buf, 1) < 0);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  test_srdhm();
  test_rdbpot();
  test_mbqm();
  test_sat_left_shift();
  test_exp();
  test_reciprocal();
  test_softmax();
  test_conv();
  test_depthwise();
  test_pipeline();
  test_fc();
  test_add();
  test_pool();
  test_mean();
  test_pad();
  test_quantize();
  test_libc();
  print_int(g_passed);
  print_str(" passed, ");
  print_int(g_failed);
  print_str(" failed\n");
  return g_failed == 0 ? 0 : 1;
}
