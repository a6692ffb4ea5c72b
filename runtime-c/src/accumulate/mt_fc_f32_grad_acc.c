/*
 * mcutrain runtime — fp32 classifier head: gradient accumulated into fp32 (gradient
 * accumulation). Java twin: AccumulateKernels.headGradAcc.
 */
#include "mt_accumulate.h"

/*
 * for u < units:
 *   for d < depth: acc_w[u*depth + d] += dlogits[u] * f[d]
 *   acc_b[u] += dlogits[u]
 * No term is skipped (adding +0 to an accumulator holding -0 gives +0, as in Java).
 */
mt_status mt_fc_f32_grad_acc(int32_t units, int32_t depth, const float *f, const float *dlogits,
                             float *acc_w, float *acc_b) {
  int32_t u, d;
  if (f == NULL || dlogits == NULL || acc_w == NULL || acc_b == NULL || units < 0 || depth < 0 ||
      (depth > 0 && units > INT32_MAX / depth)) {
    return MT_ERR_ARG;
  }
  for (u = 0; u < units; u++) {
    const float dl = dlogits[u];
    float *row = acc_w + u * depth;
    for (d = 0; d < depth; d++) {
      row[d] += dl * f[d];
    }
    acc_b[u] += dl;
  }
  return MT_OK;
}
