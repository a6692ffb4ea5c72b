/*
 * The word-record protocol of probe_mt_backward.c and probe_mt_accumulate.c (driven from Java by
 * dev.mcutrain.testing.NativeProbe).
 *
 * Reads records from stdin until end of input: little-endian 32-bit words op, count, then count
 * payload words. Every value is one word: int8 data as sign-extended int32, floats as their bit
 * patterns, dims as 4 words {n, h, w, c}, a PRNG as state_lo, state_hi, inc_lo, inc_hi. For each
 * record writes: the op's status, the number of result words, then the result words.
 *
 * An op reads its payload with next_*() (buffers come from a per-record arena) and writes its
 * results with emit_*(). probe_serve() exits 2 on a malformed record or unknown op (or when an
 * op did not consume exactly its payload), 3 on a write error.
 */
#ifndef PROBE_RECORDS_H
#define PROBE_RECORDS_H

#include <stdint.h>
#include <stddef.h>
#include "mt_types.h"
#include "mt_train.h"
#include "probe_io.h"

#define MAX_WORDS (1 << 21)

static uint32_t g_in[MAX_WORDS];
static uint32_t g_out[MAX_WORDS];
static uint32_t g_arena[MAX_WORDS];
static int32_t g_arena_used;
static int32_t g_pos, g_len, g_out_len, g_bad;

static inline void *alloc(int32_t bytes) {
  int32_t words = (bytes + 3) / 4;
  void *p;
  if (words < 1) {
    words = 1;
  }
  if (g_arena_used + words > MAX_WORDS) {
    g_bad = 1;
    g_arena_used = 0;
  }
  p = &g_arena[g_arena_used];
  g_arena_used += words;
  return p;
}

static inline uint32_t next(void) {
  if (g_pos >= g_len) {
    g_bad = 1;
    return 0u;
  }
  return g_in[g_pos++];
}

static inline int32_t next_i(void) {
  return (int32_t)next();
}

static inline float next_f(void) {
  return as_float(next());
}

static inline void next_dims(mt_dims *d) {
  d->n = next_i();
  d->h = next_i();
  d->w = next_i();
  d->c = next_i();
}

static inline int32_t count(const mt_dims *d) {
  int32_t n = d->n * d->h * d->w * d->c;
  return (n < 0 || n > MAX_WORDS) ? 0 : n;
}

static inline float *next_floats(int32_t n) {
  float *p = (float *)alloc(n * 4);
  int32_t i;
  for (i = 0; i < n && !g_bad; i++) {
    p[i] = next_f();
  }
  return p;
}

static inline int8_t *next_s8(int32_t n) {
  int8_t *p = (int8_t *)alloc(n);
  int32_t i;
  for (i = 0; i < n && !g_bad; i++) {
    p[i] = (int8_t)next_i();
  }
  return p;
}

static inline int32_t *next_s32(int32_t n) {
  int32_t *p = (int32_t *)alloc(n * 4);
  int32_t i;
  for (i = 0; i < n && !g_bad; i++) {
    p[i] = next_i();
  }
  return p;
}

static inline void emit(uint32_t w) {
  if (g_out_len >= MAX_WORDS) {
    g_bad = 1;
    return;
  }
  g_out[g_out_len++] = w;
}

static inline void emit_floats(const float *p, int32_t n) {
  int32_t i;
  for (i = 0; i < n; i++) {
    emit(float_bits(p[i]));
  }
}

static inline void emit_s8(const int8_t *p, int32_t n) {
  int32_t i;
  for (i = 0; i < n; i++) {
    emit((uint32_t)(int32_t)p[i]);
  }
}

static inline void emit_s32(const int32_t *p, int32_t n) {
  int32_t i;
  for (i = 0; i < n; i++) {
    emit((uint32_t)p[i]);
  }
}

static inline void next_rng(mt_prng *rng) {
  uint32_t lo = next(), hi = next();
  rng->state = ((uint64_t)hi << 32) | lo;
  lo = next();
  hi = next();
  rng->inc = ((uint64_t)hi << 32) | lo;
}

static inline void emit_rng(const mt_prng *rng) {
  emit((uint32_t)rng->state);
  emit((uint32_t)(rng->state >> 32));
}

/*
 * Runs one op of a record whose payload is loaded: returns 1 and sets *st, or 0 for an unknown op.
 */
typedef int32_t (*probe_op_fn)(uint32_t op, mt_status *st);

/* The probe's main loop: serves records until end of input; returns the exit code. */
static inline int probe_serve(probe_op_fn run_op) {
  uint8_t hdr[8];
  for (;;) {
    int32_t got = read_full(hdr, 8);
    uint32_t op, words, i;
    mt_status st;
    if (got == 0) {
      return 0;
    }
    if (got != 8) {
      return 2;
    }
    op = get_u32(hdr);
    words = get_u32(hdr + 4);
    if (words > MAX_WORDS) {
      return 2;
    }
    if (read_full((uint8_t *)g_in, (int32_t)(words * 4u)) != (int32_t)(words * 4u)) {
      return 2;
    }
    for (i = 0; i < words; i++) {
      g_in[i] = get_u32((const uint8_t *)&g_in[i]);
    }
    g_pos = 0;
    g_len = (int32_t)words;
    g_out_len = 0;
    g_arena_used = 0;
    g_bad = 0;
    if (!run_op(op, &st)) {
      return 2;
    }
    if (g_bad || g_pos != g_len) {
      return 2;
    }
    put_u32(hdr, (uint32_t)(int32_t)st);
    put_u32(hdr + 4, (uint32_t)g_out_len);
    for (i = 0; i < (uint32_t)g_out_len; i++) {
      put_u32((uint8_t *)&g_out[i], g_out[i]);
    }
    if (!write_full(hdr, 8) || !write_full((const uint8_t *)g_out, g_out_len * 4)) {
      return 3;
    }
  }
}

#endif
