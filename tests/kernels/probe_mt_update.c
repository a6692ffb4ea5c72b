/*
 * Probe for cross-checking runtime-c's training update primitives (mt_train.h) against the Java
 * reference (dev.mcutrain.train.update.Prng / Update). One PRNG stream is shared by all records,
 * so the comparison covers how many values each call draws and in which order.
 *
 * Reads records of four little-endian 32-bit words (op, a, b, c) from stdin until end of input.
 * The stream starts as mt_prng_seed(0). For each record writes three little-endian 32-bit words:
 * the result, then the PRNG state after the call (low word, high word).
 *   op 0: mt_update_s8((int8_t)a, float(b), c, rng)       op 4: mt_prng_next_float(rng) (as bits)
 *   op 1: mt_update_s32(a, float(b), c, rng)              op 5: mt_prng_seed(rng, a); result 0
 *   op 2: mt_qas_delta(float(a), float(b), float(c))      op 6: mt_prng_next_u32(rng)
 *   op 3: mt_prng_below(rng, (uint32_t)a)
 *   op 7: w = float(a), mt_sgd_update_f32(&w, &grad = float(b), 1, lr = float(c)); result w
 * float(x) is the binary32 value with bit pattern x. Exits 2 on a malformed record or unknown op.
 */
#include <stdint.h>
#include <stddef.h>
#include "mt_train.h"
#include "probe_io.h"

/* Output is buffered: one write per 4096 records keeps the probe fast on long inputs. */
#define RECORDS_PER_FLUSH 4096
static uint8_t g_out[RECORDS_PER_FLUSH * 12];

int main(int argc, char **argv) {
  uint8_t in[16];
  int32_t pending = 0;
  mt_prng rng;
  (void)argc;
  (void)argv;
  mt_prng_seed(&rng, 0u);
  for (;;) {
    int32_t got = read_full(in, 16);
    uint32_t op, a, b, c, r;
    float w;
    float grad;
    if (got == 0) {
      break;
    }
    if (got != 16) {
      return 2;
    }
    op = get_u32(in);
    a = get_u32(in + 4);
    b = get_u32(in + 8);
    c = get_u32(in + 12);
    switch (op) {
      case 0:
        r = (uint32_t)(int32_t)mt_update_s8((int8_t)(uint8_t)a, as_float(b), (mt_rounding)c, &rng);
        break;
      case 1:
        r = (uint32_t)mt_update_s32((int32_t)a, as_float(b), (mt_rounding)c, &rng);
        break;
      case 2: r = float_bits(mt_qas_delta(as_float(a), as_float(b), as_float(c))); break;
      case 3: r = mt_prng_below(&rng, a); break;
      case 4: r = float_bits(mt_prng_next_float(&rng)); break;
      case 5:
        mt_prng_seed(&rng, a);
        r = 0u;
        break;
      case 6: r = mt_prng_next_u32(&rng); break;
      case 7:
        w = as_float(a);
        grad = as_float(b);
        mt_sgd_update_f32(&w, &grad, 1, as_float(c));
        r = float_bits(w);
        break;
      default: return 2;
    }
    put_u32(g_out + pending * 12, r);
    put_u32(g_out + pending * 12 + 4, (uint32_t)rng.state);
    put_u32(g_out + pending * 12 + 8, (uint32_t)(rng.state >> 32));
    pending++;
    if (pending == RECORDS_PER_FLUSH) {
      if (mt_board_write(g_out, pending * 12) != pending * 12) {
        return 3;
      }
      pending = 0;
    }
  }
  if (pending > 0 && mt_board_write(g_out, pending * 12) != pending * 12) {
    return 3;
  }
  return 0;
}
