package dev.mcutrain.train.math;

/**
 * Softmax cross-entropy on fp32 logits, forward and backward: the Java reference of runtime-c's
 * {@code mt_softmax_xent_f32} (runtime-c/src/loss/mt_softmax_xent_f32.c), equal to it bit for bit.
 *
 * <p>Fixed operation order (float arithmetic only; every kernel built on it must follow it too):
 *
 * <ol>
 *   <li>m = logits[0]; for i = 1..n-1 in order: if (logits[i] &gt; m) m = logits[i].
 *   <li>d = logits[label] - m (read before gradOut is written, so gradOut may be logits itself).
 *   <li>for i = 0..n-1 in order: e_i = {@link FloatMath#exp}(logits[i] - m); gradOut[i] = e_i; sum =
 *       sum + e_i (sum starts at 0.0f, accumulated left to right).
 *   <li>loss = {@link FloatMath#log}(sum) - d.
 *   <li>inv = 1.0f / sum, computed once; for i = 0..n-1: gradOut[i] = gradOut[i] * inv.
 *   <li>gradOut[label] = gradOut[label] - 1.0f.
 * </ol>
 */
public final class SoftmaxCrossEntropy {
  private SoftmaxCrossEntropy() {}

  /** What {@link #lossAndGrad} returns for bad arguments (a loss is never negative). */
  public static final float BAD_ARGUMENTS = -1.0f;

  /**
   * The loss -log(softmax(logits)[label]) of one example, with its gradient softmax(logits) -
   * onehot(label) written to {@code gradOut[0..n-1]}, n = logits.length.
   *
   * @return the loss, or {@link #BAD_ARGUMENTS} (-1.0f, with gradOut untouched) if logits or
   *     gradOut is null, logits is empty, label is outside [0, n) or gradOut is shorter than n
   */
  public static float lossAndGrad(float[] logits, int label, float[] gradOut) {
    if (logits == null || gradOut == null) {
      return BAD_ARGUMENTS;
    }
    int n = logits.length;
    if (n < 1 || label < 0 || label >= n || gradOut.length < n) {
      return BAD_ARGUMENTS;
    }
    // 1. maximum, first to last
    float m = logits[0];
    for (int i = 1; i < n; i++) {
      if (logits[i] > m) {
        m = logits[i];
      }
    }
    // 2. the label's shifted logit, before gradOut (possibly logits itself) is written
    float d = logits[label] - m;
    // 3. exponentials and their sum, left to right
    float sum = 0.0f;
    for (int i = 0; i < n; i++) {
      float e = FloatMath.exp(logits[i] - m);
      gradOut[i] = e;
      sum = sum + e;
    }
    // 4. loss
    float loss = FloatMath.log(sum) - d;
    // 5. probabilities: one reciprocal, then a product per element
    float inv = 1.0f / sum;
    for (int i = 0; i < n; i++) {
      gradOut[i] = gradOut[i] * inv;
    }
    // 6. minus the one-hot target
    gradOut[label] = gradOut[label] - 1.0f;
    return loss;
  }
}
