/*
 * mcutrain runtime — SOFTMAX, int8 -> int8 (TFLite Micro reference kernel, gemmlowp fixed point).
 */
#include "mt_kernels.h"
#include "mt_support.h"

/* Integer bits of the Q12.19 accumulator that sums the exponentials of one row. */
#define MT_SOFTMAX_ACCUM_INTEGER_BITS 12

/*
 * exp(beta * in_scale * diff) in Q0.31 for diff = x - max(row) >= diff_min: the difference is
 * rescaled to Q5.26 by SRDHM(diff * 2^input_left_shift, input_multiplier)
 * (MultiplyByQuantizedMultiplierGreaterThanOne) and fed to gemmlowp's exp_on_negative_values.
 */
static int32_t mt_softmax_exp(const mt_softmax_params *params, int32_t diff) {
  const int32_t rescaled =
      mt_srdhm(mt_shl_wrap(diff, params->input_left_shift), params->input_multiplier);
  return mt_exp_on_negative_values(rescaled);
}

/*
 * Softmax of each of `outer` rows of `depth` int8 values; output scale 1/256, zero point -128.
 * Per row: e_i = exp of the rescaled (x_i - max) for x_i - max >= diff_min; the e_i are summed in
 * Q12.19 (each rounded by RoundingDivideByPOT(e_i, 12)); the sum's reciprocal comes from
 * GetReciprocal; out_i = clamp(RoundingDivideByPOT(SRDHM(recip, e_i), num_bits_over_unit + 23) - 128,
 * -128, 127), and -128 where x_i - max < diff_min.
 *
 * Returns MT_OK, or MT_ERR_ARG for a null pointer, a non-positive size, a size product that
 * overflows int32, an input_left_shift outside [0, 31], a diff_min > 0, or depth > 4096 (the Q12.19
 * sum of the exponentials could overflow).
 */
mt_status mt_softmax_s8(const mt_softmax_params *params, int32_t outer, int32_t depth,
                        const int8_t *input, int8_t *output) {
  int32_t row, i;

  if (params == NULL || input == NULL || output == NULL) {
    return MT_ERR_ARG;
  }
  if (outer < 1 || depth < 1 || depth > 4096 || outer > INT32_MAX / depth) {
    return MT_ERR_ARG;
  }
  if (params->input_left_shift < 0 || params->input_left_shift > 31 || params->diff_min > 0) {
    return MT_ERR_ARG;
  }

  for (row = 0; row < outer; row++) {
    const int8_t *in = input + row * depth;
    int8_t *out = output + row * depth;
    int32_t max_in_row = -128;
    int32_t sum_of_exps = 0; /* Q12.19 */
    int32_t num_bits_over_unit = 0;
    int32_t reciprocal;

    for (i = 0; i < depth; i++) {
      if (in[i] > max_in_row) {
        max_in_row = in[i];
      }
    }

    for (i = 0; i < depth; i++) {
      const int32_t diff = (int32_t)in[i] - max_in_row;
      if (diff >= params->diff_min) {
        const int32_t e = mt_softmax_exp(params, diff);
        /* Q0.31 -> Q12.19 is a rounding right shift by 12 */
        sum_of_exps = mt_add_wrap(sum_of_exps, mt_rdbpot(e, MT_SOFTMAX_ACCUM_INTEGER_BITS));
      }
    }

    reciprocal = mt_get_reciprocal(sum_of_exps, MT_SOFTMAX_ACCUM_INTEGER_BITS, &num_bits_over_unit);

    for (i = 0; i < depth; i++) {
      const int32_t diff = (int32_t)in[i] - max_in_row;
      if (diff >= params->diff_min) {
        const int32_t e = mt_softmax_exp(params, diff);
        const int32_t unsat = mt_rdbpot(mt_srdhm(reciprocal, e), num_bits_over_unit + 31 - 8);
        out[i] = mt_clamp_s8(mt_sub_wrap(unsat, 128), -128, 127);
      } else {
        out[i] = -128;
      }
    }
  }
  return MT_OK;
}
