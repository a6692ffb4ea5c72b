/*
 * mcutrain runtime — fp32 classifier head: applies the mean of the accumulated gradients as one
 * SGD step and clears the accumulators. Java twin: AccumulateKernels.headApply.
 */
#include "mt_accumulate.h"

/*
 * for u < units:
 *   for d < depth: i = u*depth + d;  w[i] = w[i] - lr * (acc_w[i] / (float) count);  acc_w[i] = 0
 *   b[u] = b[u] - lr * (acc_b[u] / (float) count);  acc_b[u] = 0
 */
mt_status mt_fc_f32_apply_acc(int32_t units, int32_t depth, float *w, float *b, float *acc_w,
                              float *acc_b, int32_t count, float lr) {
  int32_t u, d;
  float n;
  if (w == NULL || b == NULL || acc_w == NULL || acc_b == NULL || count < 1 || units < 0 ||
      depth < 0 || (depth > 0 && units > INT32_MAX / depth)) {
    return MT_ERR_ARG;
  }
  n = (float)count;
  for (u = 0; u < units; u++) {
    float *row = w + u * depth;
    float *arow = acc_w + u * depth;
    for (d = 0; d < depth; d++) {
      row[d] = row[d] - lr * (arow[d] / n);
      arow[d] = 0.0f;
    }
    b[u] = b[u] - lr * (acc_b[u] / n);
    acc_b[u] = 0.0f;
  }
  return MT_OK;
}
