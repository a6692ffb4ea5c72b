/*
 * mcutrain runtime — FULLY_CONNECTED, int8 (TFLite Micro reference semantics).
 */
#include "mt_kernels.h"
#include "mt_support.h"

/*
 * out[b,u] = clamp(MBQM(sum_d filter[u*depth+d] * (in[b*depth+d] + input_offset) + bias[u],
 *                       mult[u], shift[u]) + output_offset, act_min, act_max).
 * quant->per_channel selects one multiplier per unit (1) or a single one (0). bias may be NULL.
 *
 * Returns MT_OK, or MT_ERR_ARG for a null pointer, a non-positive size, a size product that
 * overflows int32, or an activation range outside int8.
 */
mt_status mt_fully_connected_s8(const mt_fc_params *params, const mt_quant_params *quant,
                                int32_t batches, int32_t depth, int32_t units,
                                const int8_t *input, const int8_t *filter, const int32_t *bias,
                                int8_t *output) {
  int32_t b, u, d;

  if (params == NULL || input == NULL || filter == NULL || output == NULL) {
    return MT_ERR_ARG;
  }
  if (batches < 1 || depth < 1 || units < 1 || depth > INT32_MAX / units ||
      depth > INT32_MAX / batches || units > INT32_MAX / batches) {
    return MT_ERR_ARG;
  }
  if (!mt_act_range_valid(params->act_min, params->act_max) || !mt_quant_valid(quant, units)) {
    return MT_ERR_ARG;
  }

  for (b = 0; b < batches; b++) {
    const int8_t *in_row = input + b * depth;
    for (u = 0; u < units; u++) {
      const int8_t *f_row = filter + u * depth;
      int32_t acc = 0;
      for (d = 0; d < depth; d++) {
        acc += (int32_t)f_row[d] * ((int32_t)in_row[d] + params->input_offset);
      }
      if (bias != NULL) {
        acc += bias[u];
      }
      acc = mt_mbqm(acc, mt_quant_multiplier(quant, u), mt_quant_shift(quant, u));
      acc += params->output_offset;
      output[b * units + u] = mt_clamp_s8(acc, params->act_min, params->act_max);
    }
  }
  return MT_OK;
}
