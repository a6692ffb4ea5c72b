/*
 * Probe for cross-checking runtime-c's backward kernels (mt_backward.h) against the Java
 * reference (dev.mcutrain.reference.BackwardKernels and ReferenceTrainer's update loops).
 *
 * Reads records from stdin until end of input: little-endian 32-bit words op, count, then count
 * payload words. Every value is one word: int8 data as sign-extended int32, floats as their bit
 * patterns, dims as 4 words {n, h, w, c}. For each record writes: the kernel's status, the number
 * of result words, then the result words. Payloads (-> results) per op:
 *   1 mask:    act_min, act_max, n, in_place, y[n], dy[n]
 *              -> g[n] (mt_mask_grad_f32), bits[(n+7)/8] (mt_mask_pack), g2[n] (mt_mask_grad_bits_f32)
 *   2 conv2d grad input:    sh, sw, ph, pw, per_channel, in[4], f[4], out[4], ns, s[ns], w, g, dx -> dx
 *   3 depthwise grad input: sh, sw, ph, pw, mult, per_channel, in[4], f[4], out[4], ns, s[ns], w, g,
 *                           dx -> dx
 *   4 fc grad input:  batches, depth, units, per_channel, ns, s[ns], w, g, dx -> dx
 *   5 conv2d update:  sh, sw, ph, pw, lr, rounding, channels, has_bias, x_scale, x_zp, has_x,
 *                     x[4], f[4], out[4], k_w[out_c], k_b[out_c], x (if has_x), w, g,
 *                     bias[out_c] (if has_bias), state_lo, state_hi, inc_lo, inc_hi
 *                     -> w, bias (if has_bias), state_lo, state_hi
 *   6 depthwise update: as 5 with mult after pw
 *   7 fc update: lr, rounding, channels, has_bias, x_scale, x_zp, batches, depth, units,
 *                k_w[units], k_b[units], x[batches*channels], w, g, bias (if has_bias), rng[4]
 *                -> w, bias (if has_bias), state_lo, state_hi
 *   8 add grad input:  in[4], out[4], g, dx -> dx
 *   9 avg pool grad input: sh, sw, fh, fw, ph, pw, in[4], out[4], g, dx -> dx
 *  10 mean grad input: in[4], g[n*c], dx -> dx
 *  11 pad grad input:  before[4], in[4], out[4], g, dx -> dx
 *  12 fc_f32:          units, depth, w, b, f -> logits
 *  13 fc_f32 grad input: units, depth, w, dl, df -> df
 *  14 fc_f32 update:   units, depth, lr, w, b, f, dl -> w, b
 *  15 dequantize:      n, scale, zp, q -> out
 *  16 argument checks: (none) -> the status of each invalid call (all must be MT_ERR_ARG)
 *  17 conv2d grad input, split: as 2, then split, slice[out_c * kh * kw * split] -> dx
 *  18 depthwise grad input, split: as 3, then split, slice[kh * kw * split] -> dx
 *  19 fc grad input, split: as 4, then split, slice[units * split] -> dx
 * Exits 2 on a malformed record or unknown op (the record plumbing is in probe_records.h).
 */
#include <stdint.h>
#include <stddef.h>
#include "mt_backward.h"
#include "probe_records.h"

static mt_status op_mask(void) {
  int32_t act_min = next_i(), act_max = next_i(), n = next_i(), in_place = next_i();
  int8_t *y = next_s8(n);
  float *dy = next_floats(n);
  float *dy2 = (float *)alloc(n * 4);
  float *g = in_place ? dy : (float *)alloc(n * 4);
  float *g2;
  uint8_t *bits = (uint8_t *)alloc((n + 7) / 8);
  mt_status s, s2, s3;
  int32_t i;
  if (g_bad) {
    return MT_ERR_ARG;
  }
  for (i = 0; i < n; i++) {
    dy2[i] = dy[i];
  }
  g2 = in_place ? dy2 : (float *)alloc(n * 4);
  s = mt_mask_grad_f32(y, n, act_min, act_max, dy, g);
  emit_floats(g, n);
  s2 = mt_mask_pack(y, n, act_min, act_max, bits);
  for (i = 0; i < (n + 7) / 8; i++) {
    emit(bits[i]);
  }
  s3 = mt_mask_grad_bits_f32(bits, n, dy2, g2);
  emit_floats(g2, n);
  return s != MT_OK ? s : (s2 != MT_OK ? s2 : s3);
}

static mt_status op_conv_like(int32_t depthwise, int32_t has_split) {
  mt_conv_params p;
  mt_dims in, f, out;
  int32_t per_channel, ns, split = 0;
  float *s, *g, *dx;
  int8_t *w, *slice = NULL;
  mt_status st;
  p.input_offset = 0;
  p.output_offset = 0;
  p.act_min = -128;
  p.act_max = 127;
  p.stride_h = next_i();
  p.stride_w = next_i();
  p.pad_h = next_i();
  p.pad_w = next_i();
  p.depth_multiplier = depthwise ? next_i() : 1;
  per_channel = next_i();
  next_dims(&in);
  next_dims(&f);
  next_dims(&out);
  ns = next_i();
  s = next_floats(ns);
  w = next_s8(count(&f));
  g = next_floats(count(&out));
  dx = next_floats(count(&in));
  if (has_split) {
    split = next_i();
    slice = next_s8(count(&f) / f.c * split);
  }
  if (g_bad) {
    return MT_ERR_ARG;
  }
  if (has_split) {
    st = depthwise ? mt_depthwise_grad_input_split_f32(&p, s, per_channel, &in, &f, w, slice,
                                                       split, &out, g, dx)
                   : mt_conv2d_grad_input_split_f32(&p, s, per_channel, &in, &f, w, slice, split,
                                                    &out, g, dx);
  } else {
    st = depthwise ? mt_depthwise_grad_input_f32(&p, s, per_channel, &in, &f, w, &out, g, dx)
                   : mt_conv2d_grad_input_f32(&p, s, per_channel, &in, &f, w, &out, g, dx);
  }
  emit_floats(dx, count(&in));
  return st;
}

static mt_status op_fc_grad_input(int32_t has_split) {
  int32_t batches = next_i(), depth = next_i(), units = next_i(), per_channel = next_i();
  int32_t ns = next_i();
  float *s = next_floats(ns);
  int8_t *w = next_s8(units * depth);
  float *g = next_floats(batches * units);
  float *dx = next_floats(batches * depth);
  int32_t split = has_split ? next_i() : 0;
  int8_t *slice = has_split ? next_s8(units * split) : NULL;
  mt_status st;
  if (g_bad) {
    return MT_ERR_ARG;
  }
  st = has_split ? mt_fully_connected_grad_input_split_f32(batches, depth, units, s, per_channel,
                                                           w, slice, split, g, dx)
                 : mt_fully_connected_grad_input_f32(batches, depth, units, s, per_channel, w, g,
                                                     dx);
  emit_floats(dx, batches * depth);
  return st;
}

static mt_status op_conv_update(int32_t depthwise) {
  mt_conv_params p;
  mt_update_params u;
  mt_dims xd, f, out;
  mt_prng rng;
  int32_t channels, has_bias, has_x, x_zp;
  float x_scale;
  int8_t *x = NULL, *w;
  float *g;
  int32_t *bias = NULL;
  mt_status st;
  p.input_offset = 0;
  p.output_offset = 0;
  p.act_min = -128;
  p.act_max = 127;
  p.stride_h = next_i();
  p.stride_w = next_i();
  p.pad_h = next_i();
  p.pad_w = next_i();
  p.depth_multiplier = depthwise ? next_i() : 1;
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
  if (has_x) {
    x = next_s8(count(&xd));
  }
  w = next_s8(count(&f));
  g = next_floats(count(&out));
  if (has_bias) {
    bias = next_s32(out.c);
  }
  next_rng(&rng);
  if (g_bad) {
    return MT_ERR_ARG;
  }
  st = depthwise ? mt_depthwise_update_s8(&p, &u, has_x ? &xd : NULL, x, x_scale, x_zp, &f, w,
                                          channels, &out, g, bias, &rng)
                 : mt_conv2d_update_s8(&p, &u, has_x ? &xd : NULL, x, x_scale, x_zp, &f, w,
                                       channels, &out, g, bias, &rng);
  emit_s8(w, count(&f));
  if (has_bias) {
    emit_s32(bias, out.c);
  }
  emit_rng(&rng);
  return st;
}

static mt_status op_fc_update(void) {
  mt_update_params u;
  mt_prng rng;
  int32_t channels, has_bias, x_zp, batches, depth, units;
  float x_scale;
  int8_t *x, *w;
  float *g;
  int32_t *bias = NULL;
  mt_status st;
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
  x = next_s8(batches * channels);
  w = next_s8(units * depth);
  g = next_floats(batches * units);
  if (has_bias) {
    bias = next_s32(units);
  }
  next_rng(&rng);
  if (g_bad) {
    return MT_ERR_ARG;
  }
  st = mt_fully_connected_update_s8(&u, batches, depth, units, channels > 0 ? x : NULL, x_scale,
                                    x_zp, w, channels, g, bias, &rng);
  emit_s8(w, units * depth);
  if (has_bias) {
    emit_s32(bias, units);
  }
  emit_rng(&rng);
  return st;
}

static mt_status op_add(void) {
  mt_dims in, out;
  float *g, *dx;
  mt_status st;
  next_dims(&in);
  next_dims(&out);
  g = next_floats(count(&out));
  dx = next_floats(count(&in));
  if (g_bad) {
    return MT_ERR_ARG;
  }
  st = mt_add_grad_input_f32(&in, &out, g, dx);
  emit_floats(dx, count(&in));
  return st;
}

static mt_status op_pool(void) {
  mt_pool_params p;
  mt_dims in, out;
  float *g, *dx;
  mt_status st;
  p.stride_h = next_i();
  p.stride_w = next_i();
  p.filter_h = next_i();
  p.filter_w = next_i();
  p.pad_h = next_i();
  p.pad_w = next_i();
  p.act_min = -128;
  p.act_max = 127;
  next_dims(&in);
  next_dims(&out);
  g = next_floats(count(&out));
  dx = next_floats(count(&in));
  if (g_bad) {
    return MT_ERR_ARG;
  }
  st = mt_avg_pool2d_grad_input_f32(&p, &in, &out, g, dx);
  emit_floats(dx, count(&in));
  return st;
}

static mt_status op_mean(void) {
  mt_dims in;
  float *g, *dx;
  mt_status st;
  next_dims(&in);
  g = next_floats(in.n * in.c);
  dx = next_floats(count(&in));
  if (g_bad) {
    return MT_ERR_ARG;
  }
  st = mt_mean_hw_grad_input_f32(&in, g, dx);
  emit_floats(dx, count(&in));
  return st;
}

static mt_status op_pad(void) {
  mt_pad_params p;
  mt_dims in, out;
  float *g, *dx;
  mt_status st;
  int32_t k;
  for (k = 0; k < 4; k++) {
    p.before[k] = next_i();
    p.after[k] = 0;
  }
  p.pad_value = 0;
  next_dims(&in);
  next_dims(&out);
  g = next_floats(count(&out));
  dx = next_floats(count(&in));
  if (g_bad) {
    return MT_ERR_ARG;
  }
  st = mt_pad_grad_input_f32(&p, &in, &out, g, dx);
  emit_floats(dx, count(&in));
  return st;
}

static mt_status op_fc_f32(int32_t which) {
  int32_t units = next_i(), depth = next_i();
  float lr = which == 14 ? next_f() : 0.0f;
  float *w = next_floats(units * depth);
  float *b, *f, *dl, *out;
  mt_status st;
  if (which == 12) {
    b = next_floats(units);
    f = next_floats(depth);
    out = (float *)alloc(units * 4);
    if (g_bad) {
      return MT_ERR_ARG;
    }
    st = mt_fc_f32(units, depth, w, b, f, out);
    emit_floats(out, units);
    return st;
  }
  if (which == 13) {
    dl = next_floats(units);
    out = next_floats(depth);
    if (g_bad) {
      return MT_ERR_ARG;
    }
    st = mt_fc_f32_grad_input(units, depth, w, dl, out);
    emit_floats(out, depth);
    return st;
  }
  b = next_floats(units);
  f = next_floats(depth);
  dl = next_floats(units);
  if (g_bad) {
    return MT_ERR_ARG;
  }
  st = mt_fc_f32_update(units, depth, w, b, f, dl, lr);
  emit_floats(w, units * depth);
  emit_floats(b, units);
  return st;
}

static mt_status op_dequantize(void) {
  int32_t n = next_i();
  float scale = next_f();
  int32_t zp = next_i();
  int8_t *q = next_s8(n);
  float *out = (float *)alloc(n * 4);
  mt_status st;
  if (g_bad) {
    return MT_ERR_ARG;
  }
  st = mt_dequantize_f32(q, n, scale, zp, out);
  emit_floats(out, n);
  return st;
}

/* Invalid calls: every one must return MT_ERR_ARG and write nothing. */
static mt_status op_errors(void) {
  static int8_t s8[64];
  static float f32[64];
  static int32_t s32[8];
  static uint8_t bits[8];
  const float scale1[1] = {1.0f};
  const float kf[4] = {1.0f, 1.0f, 1.0f, 1.0f};
  mt_conv_params cp = {0, 0, 1, 1, 0, 0, 1, -128, 127};
  mt_conv_params bad_stride = {0, 0, 0, 1, 0, 0, 1, -128, 127};
  mt_conv_params dw2 = {0, 0, 1, 1, 0, 0, 2, -128, 127};
  mt_pool_params pp = {1, 1, 2, 2, 0, 0, -128, 127};
  mt_pad_params pad = {{0, 1, 1, 0}, {0, 1, 1, 0}, 0};
  mt_update_params u = {0.1f, kf, kf, MT_ROUND_STOCHASTIC};
  mt_update_params u_no_kb = {0.1f, kf, NULL, MT_ROUND_TRUNCATE};
  mt_dims d1 = {1, 2, 2, 2};
  mt_dims d_zero = {1, 0, 2, 2};
  mt_dims f22 = {2, 1, 1, 2};
  mt_dims f23 = {2, 1, 1, 3};
  mt_dims dwf = {1, 1, 1, 4};
  mt_dims d4 = {1, 2, 2, 4};
  mt_dims d3 = {1, 2, 2, 3};
  mt_dims d_small = {1, 1, 1, 2};
  mt_dims x3 = {1, 2, 2, 3};
  mt_dims x1 = {1, 2, 2, 1};
  mt_prng rng = {1u, 1u};
  mt_status r[48];
  int32_t n = 0, i;

  r[n++] = mt_mask_grad_f32(NULL, 4, -128, 127, f32, f32);
  r[n++] = mt_mask_grad_f32(s8, -1, -128, 127, f32, f32);
  r[n++] = mt_mask_grad_f32(s8, 4, 0, -1, f32, f32);
  r[n++] = mt_mask_pack(s8, 4, -129, 127, bits);
  r[n++] = mt_mask_pack(s8, 4, -128, 127, NULL);
  r[n++] = mt_mask_grad_bits_f32(NULL, 4, f32, f32);
  r[n++] = mt_conv2d_grad_input_f32(NULL, scale1, 0, &d1, &f22, s8, &d1, f32, f32);
  r[n++] = mt_conv2d_grad_input_f32(&cp, scale1, 0, &d1, &f23, s8, &d1, f32, f32);
  r[n++] = mt_conv2d_grad_input_f32(&cp, scale1, 0, &d_zero, &f22, s8, &d1, f32, f32);
  r[n++] = mt_conv2d_grad_input_f32(&bad_stride, scale1, 0, &d1, &f22, s8, &d1, f32, f32);
  r[n++] = mt_conv2d_grad_input_f32(&cp, NULL, 0, &d1, &f22, s8, &d1, f32, f32);
  r[n++] = mt_depthwise_grad_input_f32(&dw2, scale1, 0, &d1, &dwf, s8, &d3, f32, f32);
  r[n++] = mt_depthwise_grad_input_f32(&cp, scale1, 0, &d1, &dwf, s8, &d4, f32, f32);
  r[n++] = mt_fully_connected_grad_input_f32(1, 0, 2, scale1, 0, s8, f32, f32);
  r[n++] = mt_fully_connected_grad_input_f32(1, 2, 2, scale1, 0, NULL, f32, f32);
  r[n++] = mt_add_grad_input_f32(&d3, &d4, f32, f32);
  r[n++] = mt_add_grad_input_f32(&d1, &d1, NULL, f32);
  r[n++] = mt_avg_pool2d_grad_input_f32(&pp, &d1, &d4, f32, f32);
  r[n++] = mt_avg_pool2d_grad_input_f32(NULL, &d1, &d_small, f32, f32);
  r[n++] = mt_mean_hw_grad_input_f32(&d_zero, f32, f32);
  r[n++] = mt_pad_grad_input_f32(&pad, &d1, &d1, f32, f32);
  r[n++] = mt_pad_grad_input_f32(NULL, &d_small, &d1, f32, f32);
  /* stochastic rounding without a generator */
  r[n++] = mt_conv2d_update_s8(&cp, &u, &d1, s8, 1.0f, 0, &f22, s8, 2, &d_small, f32, s32, NULL);
  /* channels beyond the filter depth, slice narrower than channels, missing x */
  r[n++] = mt_conv2d_update_s8(&cp, &u, &d1, s8, 1.0f, 0, &f22, s8, 3, &d_small, f32, s32, &rng);
  r[n++] = mt_conv2d_update_s8(&cp, &u, &d_small, s8, 1.0f, 0, &f23, s8, 3, &d_small, f32, s32,
                               &rng);
  r[n++] = mt_conv2d_update_s8(&cp, &u, &d1, NULL, 1.0f, 0, &f22, s8, 1, &d_small, f32, s32, &rng);
  r[n++] = mt_conv2d_update_s8(&cp, &u, &d1, s8, 1.0f, 200, &f22, s8, 1, &d_small, f32, s32, &rng);
  r[n++] = mt_conv2d_update_s8(&cp, &u_no_kb, &d1, s8, 1.0f, 0, &f22, s8, 1, &d_small, f32, s32,
                               &rng);
  r[n++] = mt_conv2d_update_s8(&cp, &u, &x3, s8, 1.0f, 0, &f22, s8, 2, &d_small, f32, s32, &rng);
  /* depthwise: slice must hold ceil(channels / M) input channels */
  r[n++] = mt_depthwise_update_s8(&dw2, &u, &x1, s8, 1.0f, 0, &dwf, s8, 3, &d4, f32, s32, &rng);
  r[n++] = mt_depthwise_update_s8(&dw2, &u, &x3, s8, 1.0f, 0, &dwf, s8, 4, &d4, f32, s32, &rng);
  r[n++] = mt_depthwise_update_s8(&dw2, &u, &d1, s8, 1.0f, 0, &dwf, s8, 5, &d4, f32, s32, &rng);
  r[n++] = mt_fully_connected_update_s8(&u, 1, 2, 2, s8, 1.0f, 0, s8, 3, f32, s32, &rng);
  r[n++] = mt_fully_connected_update_s8(&u, 1, 2, 2, s8, 1.0f, 0, s8, 2, f32, s32, NULL);
  r[n++] = mt_fully_connected_update_s8(NULL, 1, 2, 2, s8, 1.0f, 0, s8, 2, f32, s32, &rng);
  r[n++] = mt_bias_update_s32(&u_no_kb, 1, 2, f32, s32, &rng);
  r[n++] = mt_bias_update_s32(&u, 0, 2, f32, s32, &rng);
  r[n++] = mt_fc_f32(2, -1, f32, f32, f32, f32);
  r[n++] = mt_fc_f32(2, 2, NULL, f32, f32, f32);
  r[n++] = mt_fc_f32_grad_input(2, 2, f32, NULL, f32);
  r[n++] = mt_fc_f32_update(2, 2, f32, NULL, f32, f32, 0.1f);
  r[n++] = mt_dequantize_f32(s8, 4, 1.0f, 128, f32);
  r[n++] = mt_dequantize_f32(NULL, 4, 1.0f, 0, f32);
  for (i = 0; i < n; i++) {
    emit((uint32_t)(int32_t)r[i]);
  }
  /* nothing written: the buffers are still zero and the generator unchanged */
  for (i = 0; i < 64; i++) {
    if (s8[i] != 0 || f32[i] != 0.0f) {
      emit(0u);
    }
  }
  for (i = 0; i < 8; i++) {
    if (s32[i] != 0 || bits[i] != 0) {
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
    case 1: *st = op_mask(); break;
    case 2: *st = op_conv_like(0, 0); break;
    case 3: *st = op_conv_like(1, 0); break;
    case 4: *st = op_fc_grad_input(0); break;
    case 5: *st = op_conv_update(0); break;
    case 6: *st = op_conv_update(1); break;
    case 7: *st = op_fc_update(); break;
    case 8: *st = op_add(); break;
    case 9: *st = op_pool(); break;
    case 10: *st = op_mean(); break;
    case 11: *st = op_pad(); break;
    case 12:
    case 13:
    case 14: *st = op_fc_f32((int32_t)op); break;
    case 15: *st = op_dequantize(); break;
    case 16: *st = op_errors(); break;
    case 17: *st = op_conv_like(0, 1); break;
    case 18: *st = op_conv_like(1, 1); break;
    case 19: *st = op_fc_grad_input(1); break;
    default: return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return probe_serve(run_op);
}
