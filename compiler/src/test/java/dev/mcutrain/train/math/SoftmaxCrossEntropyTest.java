package dev.mcutrain.train.math;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link SoftmaxCrossEntropy} on hand cases, bad arguments and against double-precision math. */
class SoftmaxCrossEntropyTest {
  private static int bits(float f) {
    return Float.floatToRawIntBits(f);
  }

  @Test
  void singleClassHasZeroLossAndGradient() {
    float[] g = {123.0f};
    assertEquals(0, bits(SoftmaxCrossEntropy.lossAndGrad(new float[] {7.5f}, 0, g)));
    assertEquals(0, bits(g[0]));
  }

  @Test
  void equalLogitsGiveLog2AndExactHalves() {
    float[] g = new float[2];
    float loss = SoftmaxCrossEntropy.lossAndGrad(new float[] {-3.0f, -3.0f}, 0, g);
    assertEquals(FloatMath.log(2.0f), loss);
    assertArrayEquals(new float[] {-0.5f, 0.5f}, g);
  }

  @Test
  void badArgumentsReturnMinusOneAndLeaveGradUntouched() {
    float[] logits = {1, 2, 3, 4};
    float[] g = {42, 42, 42, 42};
    float[] untouched = g.clone();
    assertEquals(-1.0f, SoftmaxCrossEntropy.lossAndGrad(null, 0, g));
    assertEquals(-1.0f, SoftmaxCrossEntropy.lossAndGrad(logits, 0, null));
    assertEquals(-1.0f, SoftmaxCrossEntropy.lossAndGrad(new float[0], 0, g));
    assertEquals(-1.0f, SoftmaxCrossEntropy.lossAndGrad(logits, -1, g));
    assertEquals(-1.0f, SoftmaxCrossEntropy.lossAndGrad(logits, 4, g));
    assertEquals(-1.0f, SoftmaxCrossEntropy.lossAndGrad(logits, 0, new float[3]));
    assertArrayEquals(untouched, g);
  }

  @Test
  void infiniteAndFarLogits() {
    float[] logits = {Float.NEGATIVE_INFINITY, 0.0f, -1e30f};
    float[] g = new float[3];
    assertEquals(0.0f, SoftmaxCrossEntropy.lossAndGrad(logits, 1, g));
    assertArrayEquals(new float[] {0, 0, 0}, g);
    assertEquals(1e30f, SoftmaxCrossEntropy.lossAndGrad(logits, 2, g));
    assertArrayEquals(new float[] {0, 1, -1}, g);
    assertTrue(Float.isNaN(SoftmaxCrossEntropy.lossAndGrad(new float[] {Float.NaN, 1}, 1, g)));
  }

  @Test
  void inPlaceGivesTheSameBits() {
    SplittableRandom rnd = new SplittableRandom(7);
    for (int t = 0; t < 200; t++) {
      int n = 1 + rnd.nextInt(50);
      float[] x = randomLogits(rnd, n, 10.0);
      int label = rnd.nextInt(n);
      float[] g = new float[n];
      float loss = SoftmaxCrossEntropy.lossAndGrad(x, label, g);
      float[] y = x.clone();
      assertEquals(bits(loss), bits(SoftmaxCrossEntropy.lossAndGrad(y, label, y)));
      assertArrayEquals(g, y);
    }
  }

  @Test
  void agreesWithDoublePrecisionSoftmax() {
    SplittableRandom rnd = new SplittableRandom(11);
    double worstLoss = 0;
    double worstGrad = 0;
    for (int t = 0; t < 2000; t++) {
      int n = 1 + rnd.nextInt(t % 2 == 0 ? 10 : 1000);
      double scale = new double[] {0.01, 1, 10, 100}[rnd.nextInt(4)];
      float[] x = randomLogits(rnd, n, scale);
      int label = rnd.nextInt(n);
      float[] g = new float[n];
      float loss = SoftmaxCrossEntropy.lossAndGrad(x, label, g);
      double m = Double.NEGATIVE_INFINITY;
      for (float v : x) {
        m = Math.max(m, v);
      }
      double sum = 0;
      double[] e = new double[n];
      for (int i = 0; i < n; i++) {
        e[i] = Math.exp(x[i] - m);
        sum += e[i];
      }
      double want = Math.log(sum) - (x[label] - m);
      // float rounding of sum (n terms) and of x - m dominate; relative to max(loss, 1)
      worstLoss = Math.max(worstLoss, Math.abs(loss - want) / Math.max(want, 1.0));
      for (int i = 0; i < n; i++) {
        double gi = e[i] / sum - (i == label ? 1 : 0);
        worstGrad = Math.max(worstGrad, Math.abs(g[i] - gi));
      }
    }
    System.out.printf(
        "softmax xent vs double: max loss error %.3g (relative to max(loss,1)), max grad error"
            + " %.3g (absolute)%n", worstLoss, worstGrad);
    assertTrue(worstLoss < 1e-5, "loss error " + worstLoss);
    assertTrue(worstGrad < 1e-5, "grad error " + worstGrad);
  }

  @Test
  void gradientSumsToAboutZero() {
    SplittableRandom rnd = new SplittableRandom(13);
    for (int t = 0; t < 500; t++) {
      int n = 1 + rnd.nextInt(300);
      float[] x = randomLogits(rnd, n, 5.0);
      float[] g = new float[n];
      float loss = SoftmaxCrossEntropy.lossAndGrad(x, rnd.nextInt(n), g);
      assertTrue(loss >= 0, "loss " + loss);
      double s = 0;
      for (float v : g) {
        s += v;
      }
      assertTrue(Math.abs(s) < 1e-5, "sum " + s + " for " + Arrays.toString(x));
    }
  }

  static float[] randomLogits(SplittableRandom rnd, int n, double scale) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) (scale * (2 * rnd.nextDouble() - 1));
    }
    return x;
  }
}
