/*
 * mcutrain runtime — softmax cross-entropy on fp32 logits, forward and backward (training loss).
 *
 * Twin of the Java reference dev.mcutrain.train.math.SoftmaxCrossEntropy.lossAndGrad, equal bit
 * for bit: float-only arithmetic (no double, no libm), exp/log from mt_math.h, and this fixed
 * operation order, which every kernel built on it must follow too:
 *   1. m = logits[0]; for i = 1..n-1 in order: if (logits[i] > m) m = logits[i].
 *   2. d = logits[label] - m (read before grad is written, so grad may alias logits).
 *   3. for i = 0..n-1 in order: e_i = mt_expf(logits[i] - m); grad[i] = e_i; sum = sum + e_i
 *      (sum starts at 0.0f, accumulated left to right).
 *   4. loss = mt_logf(sum) - d.
 *   5. inv = 1.0f / sum, computed once; for i = 0..n-1: grad[i] = grad[i] * inv.
 *   6. grad[label] = grad[label] - 1.0f.
 * Bad arguments (logits or grad NULL, n < 1, label outside [0, n)) return -1.0f and leave grad
 * untouched.
 */
#include "mt_math.h"

float mt_softmax_xent_f32(const float *logits, int32_t n, int32_t label, float *grad) {
  float m, d, sum, inv, loss;
  int32_t i;
  if (logits == NULL || grad == NULL || n < 1 || label < 0 || label >= n) {
    return -1.0f;
  }
  /* 1. maximum, first to last */
  m = logits[0];
  for (i = 1; i < n; i++) {
    if (logits[i] > m) {
      m = logits[i];
    }
  }
  /* 2. the label's shifted logit, before grad (possibly logits itself) is written */
  d = logits[label] - m;
  /* 3. exponentials and their sum, left to right */
  sum = 0.0f;
  for (i = 0; i < n; i++) {
    const float e = mt_expf(logits[i] - m);
    grad[i] = e;
    sum = sum + e;
  }
  /* 4. loss */
  loss = mt_logf(sum) - d;
  /* 5. probabilities: one reciprocal, then a product per element */
  inv = 1.0f / sum;
  for (i = 0; i < n; i++) {
    grad[i] = grad[i] * inv;
  }
  /* 6. minus the one-hot target */
  grad[label] = grad[label] - 1.0f;
  return loss;
}
