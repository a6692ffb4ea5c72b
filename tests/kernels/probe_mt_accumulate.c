/*
 * Probe for cross-checking runtime-c's gradient-accumulation kernels (mt_accumulate.h) against
 * the Java reference (dev.mcutrain.reference.AccumulateKernels).
 *
 * Reads records from stdin until end of input: little-endian 32-bit words op, count, then count
 * payload words. Every value is one word: int8 data as sign-extended int32, floats as their bit
 * patterns, dims as 4 words {n, h, w, c}, a PRNG as state_lo, state_hi, inc_lo, inc_hi. For each
 * record writes: the status (the first non-MT_OK status of the calls made, else MT_OK), the
 * number of result words, then the result words.
 *
 * Ops 1-3 run R accumulation rounds on one layer. A round: for each of its S samples, the
 * weight-gradient accumulate call, then (has_bias) mt_bias_grad_acc_f32; then the weight apply
 * call and (has_bias) mt_bias_apply_acc_s32 with the round's count. Per round the output is
 *   acc_w, acc_b (after accumulating), w, bias (after applying), acc_w, acc_b (after applying)
 * (acc_b and bias only when has_bias), and after the last round state_lo, state_hi.
 * When channels == 0, x / x_dims (has_x == 0) and acc_w are passed as NULL.
 *   1 conv2d:    sh, sw, ph, pw, lr, rounding, channels, has_bias, x_scale, x_zp, has_x,
 *                x_dims[4], f[4], out[4], k_w[out_c], k_b[out_c], w[f], bias[out_c] (has_bias),
 *                acc_w[out_c*kh*kw*channels], acc_b[out_c] (has_bias), rng[4], R,
 *                R x (S, count, S x (x[x_dims] (has_x), g[out]))
 *   2 depthwise: as 1 with mult after pw; acc_w[channels*kh*kw]
 *   3 fc:        lr, rounding, channels, has_bias, x_scale, x_zp, batches, depth, units,
 *                k_w[units], k_b[units], w[units*depth], bias[units] (has_bias),
 *                acc_w[units*channels], acc_b[units] (has_bias), rng[4], R,
 *                R x (S, count, S x (x[batches*channels], g[batches*units]))
 *   4 fp32 head: units, depth, lr, w[units*depth], b[units], acc_w[units*depth], acc_b[units], R,
 *                R x (S, count, S x (f[depth], dlogits[units]))
 *                -> per round acc_w, acc_b, w, b, acc_w, acc_b
 *   5 argument checks: (none) -> the status of each invalid call (all must be MT_ERR_ARG), then
 *                one extra word per buffer element or PRNG changed by them
 * Exits 2 on a malformed record or unknown op (the record plumbing is in probe_records.h).
 */
#include <stdint.h>
#include <stddef.h>
#include "mt_accumulate.h"
#include "probe_records.h"

static void keep(mt_status *first, mt_status s) {
  if (*first == MT_OK && s != MT_OK) {
    *first = s;
  }
}

/* kind: 1 conv2d, 2 depthwise. */
static mt_status op_conv_rounds(int32_t kind) {
  mt_conv_params p;
  mt_update_params u;
  mt_dims xd, f, out;
  mt_prng rng;
  int32_t channels, has_bias, has_x, x_zp, n_acc, rounds, r, s;
  float x_scale;
  int8_t *w;
  int32_t *bias = NULL;
  float *acc_w, *acc_b = NULL;
  mt_status first = MT_OK;
  p.input_offset = 0;
  p.output_offset = 0;
  p.act_min = -128;
  p.act_max = 127;
  p.stride_h = next_i();
  p.stride_w = next_i();
  p.pad_h = next_i();
  p.pad_w = next_i();
  p.depth_multiplier = kind == 2 ? next_i() : 1;
  u.lr = next_f();
  u.rounding = (mt_rounding)next_i();
  channels = next_i();
  has_bias = next_i();
  x_scale = next_f();
  x_zp = next_i();
  has_x = next_i();
  next_dims(&xd);
  next_dims(&f);
  next_dims(&out);
  u.k_w = next_floats(out.c);
  u.k_b = next_floats(out.c);
  w = next_s8(count(&f));
  if (has_bias) {
    bias = next_s32(out.c);
  }
  n_acc = (kind == 2 ? 1 : f.n) * f.h * f.w * channels;
  if (n_acc < 0 || n_acc > MAX_WORDS) {
    g_bad = 1;
    return MT_ERR_ARG;
  }
  acc_w = next_floats(n_acc);
  if (has_bias) {
    acc_b = next_floats(out.c);
  }
  next_rng(&rng);
  rounds = next_i();
  for (r = 0; r < rounds && !g_bad; r++) {
    int32_t samples = next_i();
    int32_t cnt = next_i();
    int32_t mark = g_arena_used;
    for (s = 0; s < samples && !g_bad; s++) {
      int8_t *x = has_x ? next_s8(count(&xd)) : NULL;
      float *g = next_floats(count(&out));
      if (g_bad) {
        return MT_ERR_ARG;
      }
      if (kind == 2) {
        keep(&first, mt_depthwise_grad_weight_acc_f32(&p, has_x ? &xd : NULL, x, x_scale, x_zp,
                                                      &f, channels, &out, g,
                                                      channels > 0 ? acc_w : NULL));
      } else {
        keep(&first, mt_conv2d_grad_weight_acc_f32(&p, has_x ? &xd : NULL, x, x_scale, x_zp, &f,
                                                   channels, &out, g,
                                                   channels > 0 ? acc_w : NULL));
      }
      if (has_bias) {
        keep(&first, mt_bias_grad_acc_f32(out.n * out.h * out.w, out.c, g, acc_b));
      }
      g_arena_used = mark; /* the sample's x and g are dead now */
    }
    emit_floats(acc_w, n_acc);
    if (has_bias) {
      emit_floats(acc_b, out.c);
    }
    if (kind == 2) {
      keep(&first, mt_depthwise_apply_acc_s8(&u, cnt, &f, w, channels,
                                             channels > 0 ? acc_w : NULL, &rng));
    } else {
      keep(&first, mt_conv2d_apply_acc_s8(&u, cnt, &f, w, channels, channels > 0 ? acc_w : NULL,
                                          &rng));
    }
    if (has_bias) {
      keep(&first, mt_bias_apply_acc_s32(&u, cnt, out.c, bias, acc_b, &rng));
    }
    emit_s8(w, count(&f));
    if (has_bias) {
      emit_s32(bias, out.c);
    }
    emit_floats(acc_w, n_acc);
    if (has_bias) {
      emit_floats(acc_b, out.c);
    }
  }
  emit_rng(&rng);
  return first;
}

static mt_status op_fc_rounds(void) {
  mt_update_params u;
  mt_prng rng;
  int32_t channels, has_bias, x_zp, batches, depth, units, rounds, r, s;
  float x_scale;
  int8_t *w;
  int32_t *bias = NULL;
  float *acc_w, *acc_b = NULL;
  mt_status first = MT_OK;
  u.lr = next_f();
  u.rounding = (mt_rounding)next_i();
  channels = next_i();
  has_bias = next_i();
  x_scale = next_f();
  x_zp = next_i();
  batches = next_i();
  depth = next_i();
  units = next_i();
  u.k_w = next_floats(units);
  u.k_b = next_floats(units);
  w = next_s8(units * depth);
  if (has_bias) {
    bias = next_s32(units);
  }
  acc_w = next_floats(units * channels);
  if (has_bias) {
    acc_b = next_floats(units);
  }
  next_rng(&rng);
  rounds = next_i();
  for (r = 0; r < rounds && !g_bad; r++) {
    int32_t samples = next_i();
    int32_t cnt = next_i();
    int32_t mark = g_arena_used;
    for (s = 0; s < samples && !g_bad; s++) {
      int8_t *x = next_s8(batches * channels);
      float *g = next_floats(batches * units);
      if (g_bad) {
        return MT_ERR_ARG;
      }
      keep(&first, mt_fully_connected_grad_weight_acc_f32(batches, depth, units,
                                                          channels > 0 ? x : NULL, x_scale, x_zp,
                                                          channels, g,
                                                          channels > 0 ? acc_w : NULL));
      if (has_bias) {
        keep(&first, mt_bias_grad_acc_f32(batches, units, g, acc_b));
      }
      g_arena_used = mark;
    }
    emit_floats(acc_w, units * channels);
    if (has_bias) {
      emit_floats(acc_b, units);
    }
    keep(&first, mt_fully_connected_apply_acc_s8(&u, cnt, depth, units, w, channels,
                                                 channels > 0 ? acc_w : NULL, &rng));
    if (has_bias) {
      keep(&first, mt_bias_apply_acc_s32(&u, cnt, units, bias, acc_b, &rng));
    }
    emit_s8(w, units * depth);
    if (has_bias) {
      emit_s32(bias, units);
    }
    emit_floats(acc_w, units * channels);
    if (has_bias) {
      emit_floats(acc_b, units);
    }
  }
  emit_rng(&rng);
  return first;
}

static mt_status op_head_rounds(void) {
  int32_t units = next_i(), depth = next_i();
  float lr = next_f();
  float *w = next_floats(units * depth);
  float *b = next_floats(units);
  float *acc_w = next_floats(units * depth);
  float *acc_b = next_floats(units);
  int32_t rounds = next_i(), r, s;
  mt_status first = MT_OK;
  for (r = 0; r < rounds && !g_bad; r++) {
    int32_t samples = next_i();
    int32_t cnt = next_i();
    int32_t mark = g_arena_used;
    for (s = 0; s < samples && !g_bad; s++) {
      float *f = next_floats(depth);
      float *dl = next_floats(units);
      if (g_bad) {
        return MT_ERR_ARG;
      }
      keep(&first, mt_fc_f32_grad_acc(units, depth, f, dl, acc_w, acc_b));
      g_arena_used = mark;
    }
    emit_floats(acc_w, units * depth);
    emit_floats(acc_b, units);
    keep(&first, mt_fc_f32_apply_acc(units, depth, w, b, acc_w, acc_b, cnt, lr));
    emit_floats(w, units * depth);
    emit_floats(b, units);
    emit_floats(acc_w, units * depth);
    emit_floats(acc_b, units);
  }
  return first;
}

#define N_BUF 64

/* Invalid calls: every one must return MT_ERR_ARG and write nothing. */
static mt_status op_errors(void) {
  static int8_t s8[N_BUF];
  static float f32[N_BUF];
  static float acc[N_BUF];
  static int32_t s32[N_BUF];
  const float kf[4] = {1.0f, 1.0f, 1.0f, 1.0f};
  mt_conv_params cp = {0, 0, 1, 1, 0, 0, 1, -128, 127};
  mt_conv_params bad_stride = {0, 0, 0, 1, 0, 0, 1, -128, 127};
  mt_conv_params bad_pad = {0, 0, 1, 1, -1, 0, 1, -128, 127};
  mt_conv_params dw2 = {0, 0, 1, 1, 0, 0, 2, -128, 127};
  mt_conv_params dw0 = {0, 0, 1, 1, 0, 0, 0, -128, 127};
  mt_conv_params dw3 = {0, 0, 1, 1, 0, 0, 3, -128, 127};
  mt_update_params u = {0.1f, kf, kf, MT_ROUND_STOCHASTIC};
  mt_update_params u_near = {0.1f, kf, kf, MT_ROUND_NEAREST};
  mt_update_params u_no_kw = {0.1f, NULL, kf, MT_ROUND_TRUNCATE};
  mt_update_params u_no_kb = {0.1f, kf, NULL, MT_ROUND_TRUNCATE};
  mt_dims x2 = {1, 2, 2, 2};          /* input slice, 2 channels */
  mt_dims x1 = {1, 2, 2, 1};
  mt_dims x3 = {1, 2, 2, 3};
  mt_dims x2_n2 = {2, 2, 2, 2};
  mt_dims d_zero = {1, 0, 2, 2};
  mt_dims f22 = {2, 1, 1, 2};         /* conv filter: 2 out, 1x1, 2 in */
  mt_dims f22_bad = {3, 1, 1, 2};
  mt_dims out2 = {1, 2, 2, 2};
  mt_dims dwf = {1, 1, 1, 4};         /* depthwise filter, 4 out channels */
  mt_dims dwf_n2 = {2, 1, 1, 4};
  mt_dims dw_out = {1, 2, 2, 4};
  mt_dims dw_out3 = {1, 2, 2, 3};
  mt_dims dwf3 = {1, 1, 1, 3};
  mt_prng rng = {1u, 1u};
  mt_status r[80];
  int32_t n = 0, i;

  for (i = 0; i < N_BUF; i++) {
    s8[i] = 3;
    f32[i] = 1.5f;
    acc[i] = 2.5f;
    s32[i] = 7;
  }

  /* conv2d grad weight acc */
  r[n++] = mt_conv2d_grad_weight_acc_f32(NULL, &x2, s8, 1.0f, 0, &f22, 2, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, &x2, s8, 1.0f, 0, &f22, 2, &out2, NULL, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, &x2, s8, 1.0f, 0, &f22, 2, &out2, f32, NULL);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, &x2, NULL, 1.0f, 0, &f22, 2, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, NULL, s8, 1.0f, 0, &f22, 2, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&bad_stride, &x2, s8, 1.0f, 0, &f22, 2, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&bad_pad, &x2, s8, 1.0f, 0, &f22, 2, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, &x2, s8, 1.0f, 0, &f22, 3, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, &x2, s8, 1.0f, 0, &f22, -1, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, &x1, s8, 1.0f, 0, &f22, 2, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, &x3, s8, 1.0f, 0, &f22, 2, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, &x2_n2, s8, 1.0f, 0, &f22, 2, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, &x2, s8, 1.0f, 128, &f22, 2, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, &x2, s8, 1.0f, 0, &f22_bad, 2, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, &d_zero, s8, 1.0f, 0, &f22, 2, &out2, f32, acc);
  r[n++] = mt_conv2d_grad_weight_acc_f32(&cp, &x2, s8, 1.0f, 0, &f22, 2, &d_zero, f32, acc);
  /* depthwise grad weight acc */
  r[n++] = mt_depthwise_grad_weight_acc_f32(&dw0, &x2, s8, 1.0f, 0, &dwf, 4, &dw_out, f32, acc);
  r[n++] = mt_depthwise_grad_weight_acc_f32(&dw3, &x1, s8, 1.0f, 0, &dwf, 3, &dw_out, f32, acc);
  r[n++] = mt_depthwise_grad_weight_acc_f32(&dw2, &x2, s8, 1.0f, 0, &dwf_n2, 4, &dw_out, f32,
                                            acc);
  r[n++] = mt_depthwise_grad_weight_acc_f32(&dw2, &x2, s8, 1.0f, 0, &dwf3, 3, &dw_out3, f32,
                                            acc);
  r[n++] = mt_depthwise_grad_weight_acc_f32(&dw2, &x1, s8, 1.0f, 0, &dwf, 3, &dw_out, f32, acc);
  r[n++] = mt_depthwise_grad_weight_acc_f32(&dw2, &x3, s8, 1.0f, 0, &dwf, 4, &dw_out, f32, acc);
  r[n++] = mt_depthwise_grad_weight_acc_f32(&dw2, &x2, s8, 1.0f, 0, &dwf, 5, &dw_out, f32, acc);
  r[n++] = mt_depthwise_grad_weight_acc_f32(&dw2, &x2, s8, 1.0f, -129, &dwf, 4, &dw_out, f32,
                                            acc);
  r[n++] = mt_depthwise_grad_weight_acc_f32(&dw2, &x2, s8, 1.0f, 0, &dwf, 4, &dw_out, f32, NULL);
  /* fully connected grad weight acc */
  r[n++] = mt_fully_connected_grad_weight_acc_f32(1, 0, 2, s8, 1.0f, 0, 0, f32, acc);
  r[n++] = mt_fully_connected_grad_weight_acc_f32(0, 2, 2, s8, 1.0f, 0, 2, f32, acc);
  r[n++] = mt_fully_connected_grad_weight_acc_f32(1, 2, 2, s8, 1.0f, 0, 3, f32, acc);
  r[n++] = mt_fully_connected_grad_weight_acc_f32(1, 2, 2, NULL, 1.0f, 0, 2, f32, acc);
  r[n++] = mt_fully_connected_grad_weight_acc_f32(1, 2, 2, s8, 1.0f, 0, 2, NULL, acc);
  r[n++] = mt_fully_connected_grad_weight_acc_f32(1, 2, 2, s8, 1.0f, 0, 2, f32, NULL);
  r[n++] = mt_fully_connected_grad_weight_acc_f32(1, 2, 2, s8, 1.0f, 200, 2, f32, acc);
  r[n++] = mt_fully_connected_grad_weight_acc_f32(1, 65536, 65536, s8, 1.0f, 0, 2, f32, acc);
  /* bias grad acc */
  r[n++] = mt_bias_grad_acc_f32(0, 2, f32, acc);
  r[n++] = mt_bias_grad_acc_f32(2, 0, f32, acc);
  r[n++] = mt_bias_grad_acc_f32(2, 2, NULL, acc);
  r[n++] = mt_bias_grad_acc_f32(2, 2, f32, NULL);
  /* conv2d apply */
  r[n++] = mt_conv2d_apply_acc_s8(NULL, 1, &f22, s8, 2, acc, &rng);
  r[n++] = mt_conv2d_apply_acc_s8(&u, 0, &f22, s8, 2, acc, &rng);
  r[n++] = mt_conv2d_apply_acc_s8(&u, -3, &f22, s8, 2, acc, &rng);
  r[n++] = mt_conv2d_apply_acc_s8(&u, 1, &f22, s8, 2, acc, NULL);
  r[n++] = mt_conv2d_apply_acc_s8(&u_no_kw, 1, &f22, s8, 2, acc, &rng);
  r[n++] = mt_conv2d_apply_acc_s8(&u, 1, &f22, s8, 3, acc, &rng);
  r[n++] = mt_conv2d_apply_acc_s8(&u, 1, &d_zero, s8, 2, acc, &rng);
  r[n++] = mt_conv2d_apply_acc_s8(&u, 1, &f22, NULL, 2, acc, &rng);
  r[n++] = mt_conv2d_apply_acc_s8(&u_near, 1, &f22, s8, 2, NULL, NULL);
  /* depthwise apply */
  r[n++] = mt_depthwise_apply_acc_s8(&u, 0, &dwf, s8, 4, acc, &rng);
  r[n++] = mt_depthwise_apply_acc_s8(&u, 1, &dwf_n2, s8, 4, acc, &rng);
  r[n++] = mt_depthwise_apply_acc_s8(&u, 1, &dwf, s8, 5, acc, &rng);
  r[n++] = mt_depthwise_apply_acc_s8(&u, 1, &dwf, s8, 4, acc, NULL);
  r[n++] = mt_depthwise_apply_acc_s8(&u_no_kw, 1, &dwf, s8, 4, acc, &rng);
  r[n++] = mt_depthwise_apply_acc_s8(NULL, 1, &dwf, s8, 4, acc, &rng);
  /* fully connected apply */
  r[n++] = mt_fully_connected_apply_acc_s8(&u, 0, 2, 2, s8, 2, acc, &rng);
  r[n++] = mt_fully_connected_apply_acc_s8(&u, 1, 2, 2, s8, 3, acc, &rng);
  r[n++] = mt_fully_connected_apply_acc_s8(&u, 1, 0, 2, s8, 0, acc, &rng);
  r[n++] = mt_fully_connected_apply_acc_s8(&u, 1, 2, 2, s8, 2, acc, NULL);
  r[n++] = mt_fully_connected_apply_acc_s8(&u_no_kw, 1, 2, 2, s8, 2, acc, &rng);
  r[n++] = mt_fully_connected_apply_acc_s8(&u_near, 1, 2, 2, NULL, 2, acc, NULL);
  /* bias apply */
  r[n++] = mt_bias_apply_acc_s32(&u_no_kb, 1, 2, s32, acc, &rng);
  r[n++] = mt_bias_apply_acc_s32(&u, 0, 2, s32, acc, &rng);
  r[n++] = mt_bias_apply_acc_s32(&u, 1, 0, s32, acc, &rng);
  r[n++] = mt_bias_apply_acc_s32(&u, 1, 2, s32, acc, NULL);
  r[n++] = mt_bias_apply_acc_s32(&u, 1, 2, NULL, acc, &rng);
  r[n++] = mt_bias_apply_acc_s32(&u, 1, 2, s32, NULL, &rng);
  /* fp32 head */
  r[n++] = mt_fc_f32_grad_acc(-1, 2, f32, f32, acc, acc);
  r[n++] = mt_fc_f32_grad_acc(2, 2, NULL, f32, acc, acc);
  r[n++] = mt_fc_f32_grad_acc(2, 2, f32, f32, acc, NULL);
  r[n++] = mt_fc_f32_apply_acc(2, 2, f32, f32, acc, acc, 0, 0.1f);
  r[n++] = mt_fc_f32_apply_acc(2, 2, f32, NULL, acc, acc, 1, 0.1f);
  r[n++] = mt_fc_f32_apply_acc(2, -2, f32, f32, acc, acc, 1, 0.1f);
  for (i = 0; i < n; i++) {
    emit((uint32_t)(int32_t)r[i]);
  }
  /* nothing written: the buffers still hold their fill and the generator is unchanged */
  for (i = 0; i < N_BUF; i++) {
    if (s8[i] != 3 || f32[i] != 1.5f || acc[i] != 2.5f || s32[i] != 7) {
      emit(0u);
    }
  }
  if (rng.state != 1u || rng.inc != 1u) {
    emit(0u);
  }
  return MT_OK;
}

static int32_t run_op(uint32_t op, mt_status *st) {
  switch (op) {
    case 1: *st = op_conv_rounds(1); break;
    case 2: *st = op_conv_rounds(2); break;
    case 3: *st = op_fc_rounds(); break;
    case 4: *st = op_head_rounds(); break;
    case 5: *st = op_errors(); break;
    default: return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return probe_serve(run_op);
}
