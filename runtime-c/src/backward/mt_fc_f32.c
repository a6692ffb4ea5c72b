/*
 * mcutrain runtime — the fp32 classifier head: forward, input gradient and SGD update.
 * Java twin: ReferenceTrainer.logitsFrom / step (head part).
 */
#include "mt_backward.h"

mt_status mt_fc_f32(int32_t units, int32_t depth, const float *w, const float *b, const float *f,
                    float *logits) {
  int32_t u, d;
  if (w == NULL || b == NULL || f == NULL || logits == NULL || units < 0 || depth < 0 ||
      (depth > 0 && units > INT32_MAX / depth)) {
    return MT_ERR_ARG;
  }
  for (u = 0; u < units; u++) {
    const float *row = w + u * depth;
    float acc = 0.0f;
    for (d = 0; d < depth; d++) {
      acc += row[d] * f[d];
    }
    logits[u] = acc + b[u];
  }
  return MT_OK;
}

mt_status mt_fc_f32_grad_input(int32_t units, int32_t depth, const float *w,
                               const float *dlogits, float *df) {
  int32_t u, d;
  if (w == NULL || dlogits == NULL || df == NULL || units < 0 || depth < 0 ||
      (depth > 0 && units > INT32_MAX / depth)) {
    return MT_ERR_ARG;
  }
  for (u = 0; u < units; u++) {
    const float dl = dlogits[u];
    const float *row = w + u * depth;
    if (dl == 0.0f) {
      continue;
    }
    for (d = 0; d < depth; d++) {
      df[d] += dl * row[d];
    }
  }
  return MT_OK;
}

mt_status mt_fc_f32_update(int32_t units, int32_t depth, float *w, float *b, const float *f,
                           const float *dlogits, float lr) {
  int32_t u, d;
  if (w == NULL || b == NULL || f == NULL || dlogits == NULL || units < 0 || depth < 0 ||
      (depth > 0 && units > INT32_MAX / depth)) {
    return MT_ERR_ARG;
  }
  for (u = 0; u < units; u++) {
    const float dl = dlogits[u];
    float *row = w + u * depth;
    for (d = 0; d < depth; d++) {
      const float gw = dl * f[d];
      row[d] = row[d] - lr * gw;
    }
    b[u] = b[u] - lr * dl;
  }
  return MT_OK;
}
