/*
 * mcutrain runtime — the project PRNG: PCG32 with XSH-RR output (see mt_train.h for the exact
 * definition and seeding). Java twin: dev.mcutrain.train.update.Prng.
 *
 * Only 64-bit multiply, add, shift by constants and a 32-bit remainder are used: no 64-bit
 * division (no __aeabi_uldivmod on Cortex-M).
 */
#include <stdint.h>
#include <stddef.h>
#include "mt_train.h"
#include "mt_train_inline.h"

void mt_prng_seed(mt_prng *rng, uint32_t seed) {
  rng->state = 0u;
  rng->inc = ((uint64_t)MT_PRNG_STREAM << 1) | 1u;
  (void)mt_prng_next_u32(rng);
  rng->state += (uint64_t)seed;
  (void)mt_prng_next_u32(rng);
}

uint32_t mt_prng_next_u32(mt_prng *rng) {
  return mt_prng_next_u32_inline(rng);
}

float mt_prng_next_float(mt_prng *rng) {
  return mt_prng_next_float_inline(rng);
}

uint32_t mt_prng_below(mt_prng *rng, uint32_t n) {
  uint64_t m;
  uint32_t low;
  if (n == 0u) {
    return 0u;
  }
  m = (uint64_t)mt_prng_next_u32(rng) * (uint64_t)n;
  low = (uint32_t)m;
  if (low < n) {
    /* (2^32 - n) mod n, in 32-bit arithmetic */
    uint32_t threshold = (0u - n) % n;
    while (low < threshold) {
      m = (uint64_t)mt_prng_next_u32(rng) * (uint64_t)n;
      low = (uint32_t)m;
    }
  }
  return (uint32_t)(m >> 32);
}
