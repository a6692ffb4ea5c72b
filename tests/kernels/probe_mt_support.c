/*
 * Probe for cross-checking runtime-c's arithmetic against the Java reference
 * (dev.mcutrain.quant.FixedPoint). Reads records of four little-endian int32 (op, a, b, c) from
 * stdin until end of input and writes two little-endian int32 per record:
 *   op 0: srdhm(a, b)                          op 3: exp_on_negative_values(a)
 *   op 1: rounding_divide_by_pot(a, b)         op 4: one_over_one_plus_x_for_x_in_0_1(a)
 *   op 2: multiply_by_quantized_multiplier(a, b, c)
 *   op 5: get_reciprocal(a, b) and its num_bits_over_unit
 *   op 6: mt_requant_apply(x = a) prepared for multiplier b, shift c and bound |a| when
 *         mt_requant_prepare accepts them (else mt_mbqm(a, b, c)), and whether it did (1 or 0)
 * The second word is 0 except for ops 5 and 6. Exits 2 on a malformed record or unknown op.
 */
#include <stdint.h>
#include <stddef.h>
#include "mt_support.h"
#include "probe_io.h"

int main(int argc, char **argv) {
  uint8_t in[16];
  uint8_t out[8];
  (void)argc;
  (void)argv;
  for (;;) {
    int32_t got = read_full(in, 16);
    int32_t op, a, b, c, r0, r1;
    if (got == 0) {
      return 0;
    }
    if (got != 16) {
      return 2;
    }
    op = (int32_t)get_u32(in);
    a = (int32_t)get_u32(in + 4);
    b = (int32_t)get_u32(in + 8);
    c = (int32_t)get_u32(in + 12);
    r1 = 0;
    switch (op) {
      case 0: r0 = mt_srdhm(a, b); break;
      case 1: r0 = mt_rdbpot(a, b); break;
      case 2: r0 = mt_mbqm(a, b, c); break;
      case 3: r0 = mt_exp_on_negative_values(a); break;
      case 4: r0 = mt_one_over_one_plus_x_for_x_in_0_1(a); break;
      case 5: r0 = mt_get_reciprocal(a, b, &r1); break;
      case 6: {
        mt_requant rq;
        r1 = mt_requant_prepare(&rq, b, c, (a < 0) ? 0u - (uint32_t)a : (uint32_t)a);
        r0 = r1 ? mt_requant_apply(&rq, a) : mt_mbqm(a, b, c);
        break;
      }
      default: return 2;
    }
    put_u32(out, (uint32_t)r0);
    put_u32(out + 4, (uint32_t)r1);
    if (mt_board_write(out, 8) != 8) {
      return 3;
    }
  }
}
