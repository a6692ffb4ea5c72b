/*
 * Probe for cross-checking runtime-c's float math (mt_math.h, mt_softmax_xent_f32) against the Java
 * reference (dev.mcutrain.train.math). Reads requests from stdin until end of input; all words are
 * little-endian 32-bit, floats travel as their bit patterns:
 *   op 0, count, count x float  -> count x mt_expf(x)
 *   op 1, count, count x float  -> count x mt_logf(x)
 *   op 2, n, label, n x float   -> loss, n x grad   (mt_softmax_xent_f32 into a separate buffer
 *                                                    prefilled with bits 0x7fbadbad)
 *   op 3, n, label, n x float   -> loss, n x grad   (in place: grad is the logits buffer)
 * For ops 2 and 3, n may be 0 or negative (nothing follows, only the loss is written) and label
 * may be anything, to exercise argument checks. Exits 2 on a malformed request or unknown op,
 * 3 on a write error.
 */
#include <stdint.h>
#include <stddef.h>
#include "mt_math.h"
#include "probe_io.h"

#define PROBE_CHUNK 1024
#define PROBE_MAX_N 4096

static uint8_t g_in[PROBE_MAX_N * 4];
static uint8_t g_out[(PROBE_MAX_N + 1) * 4];
static float g_logits[PROBE_MAX_N];
static float g_grad[PROBE_MAX_N];

static int32_t write_all(const uint8_t *buf, int32_t n) {
  return write_full(buf, n) ? 0 : 3;
}

/* ops 0 and 1: `count` scalars, in chunks. */
static int32_t run_scalar(int32_t op, int32_t count) {
  while (count > 0) {
    int32_t c = count < PROBE_CHUNK ? count : PROBE_CHUNK;
    int32_t i;
    if (read_full(g_in, c * 4) != c * 4) {
      return 2;
    }
    for (i = 0; i < c; i++) {
      float x = mt_f32_from_bits(get_u32(g_in + 4 * i));
      float y = op == 0 ? mt_expf(x) : mt_logf(x);
      put_u32(g_out + 4 * i, mt_f32_to_bits(y));
    }
    if (write_all(g_out, c * 4) != 0) {
      return 3;
    }
    count -= c;
  }
  return 0;
}

/* ops 2 and 3: one softmax cross-entropy case. */
static int32_t run_xent(int32_t op, int32_t n, int32_t label) {
  int32_t i;
  int32_t m = n > 0 ? n : 0;
  float loss;
  float *grad = op == 3 ? g_logits : g_grad;
  if (m > PROBE_MAX_N || read_full(g_in, m * 4) != m * 4) {
    return 2;
  }
  for (i = 0; i < m; i++) {
    g_logits[i] = mt_f32_from_bits(get_u32(g_in + 4 * i));
    g_grad[i] = mt_f32_from_bits(0x7fbadbadu);
  }
  loss = mt_softmax_xent_f32(g_logits, n, label, grad);
  put_u32(g_out, mt_f32_to_bits(loss));
  for (i = 0; i < m; i++) {
    put_u32(g_out + 4 + 4 * i, mt_f32_to_bits(grad[i]));
  }
  return write_all(g_out, 4 + 4 * m);
}

int main(int argc, char **argv) {
  uint8_t hdr[8];
  (void)argc;
  (void)argv;
  for (;;) {
    int32_t got = read_full(hdr, 8);
    int32_t op, a, rc;
    if (got == 0) {
      return 0;
    }
    if (got != 8) {
      return 2;
    }
    op = (int32_t)get_u32(hdr);
    a = (int32_t)get_u32(hdr + 4);
    if (op == 0 || op == 1) {
      if (a < 0) {
        return 2;
      }
      rc = run_scalar(op, a);
    } else if (op == 2 || op == 3) {
      uint8_t lb[4];
      if (read_full(lb, 4) != 4) {
        return 2;
      }
      rc = run_xent(op, a, (int32_t)get_u32(lb));
    } else {
      return 2;
    }
    if (rc != 0) {
      return rc;
    }
  }
}
