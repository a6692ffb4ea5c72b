package dev.mcutrain.sim;

import dev.mcutrain.train.math.SoftmaxCrossEntropy;
import dev.mcutrain.train.update.Prng;

/**
 * On-device transfer learning, simulated: a {@link Learner} is evaluated on the test split, then
 * for each epoch trained on the training split in a fresh seeded order (Fisher–Yates with the
 * project PRNG) and evaluated again.
 */
public final class Simulation {
  private Simulation() {}

  /** One evaluation: mean cross-entropy and top-1 accuracy on the test split. */
  public record Eval(double loss, double accuracy) {}

  /** One row of the learning curve (epoch 0 = before training; its train loss is NaN). */
  public record Epoch(int epoch, double trainLoss, double testLoss, double testAccuracy,
      double seconds) {}

  /** Hears the progress of a run. */
  public interface Listener {
    default void epochStarted(int epoch, int steps) {}

    default void step(int epoch, int done, float loss) {}

    default void epochFinished(Epoch e) {}
  }

  /** Runs {@code epochs} epochs; returns the curve, its first row being the untrained state. */
  public static java.util.List<Epoch> run(Learner learner, byte[][] trainX, int[] trainY,
      byte[][] testX, int[] testY, int epochs, int seed, Listener listener) {
    Listener l = listener != null ? listener : new Listener() {};
    java.util.List<Epoch> curve = new java.util.ArrayList<>();
    Eval before = evaluate(learner, testX, testY);
    Epoch e0 = new Epoch(0, Double.NaN, before.loss(), before.accuracy(), 0);
    curve.add(e0);
    l.epochFinished(e0);
    Prng shuffle = new Prng(seed ^ 0x5AFF1E);
    int n = trainX.length;
    for (int e = 1; e <= epochs; e++) {
      long t0 = System.nanoTime();
      int[] order = new int[n];
      for (int i = 0; i < n; i++) {
        order[i] = i;
      }
      shuffle.shuffle(order);
      byte[][] xs = new byte[n][];
      int[] ys = new int[n];
      for (int i = 0; i < n; i++) {
        xs[i] = trainX[order[i]];
        ys[i] = trainY[order[i]];
      }
      final int epoch = e;
      l.epochStarted(e, n);
      float[] losses = learner.train(xs, ys, (done, loss) -> l.step(epoch, done, loss));
      double sum = 0;
      for (float v : losses) {
        sum += v;
      }
      Eval ev = evaluate(learner, testX, testY);
      Epoch row = new Epoch(e, n == 0 ? Double.NaN : sum / n, ev.loss(), ev.accuracy(),
          (System.nanoTime() - t0) / 1e9);
      curve.add(row);
      l.epochFinished(row);
    }
    return curve;
  }

  /** Mean cross-entropy and top-1 accuracy (first maximum wins ties) of a learner. */
  public static Eval evaluate(Learner learner, byte[][] xs, int[] ys) {
    if (xs.length == 0) {
      return new Eval(Double.NaN, Double.NaN);
    }
    float[][] logits = learner.infer(xs);
    double loss = 0;
    int ok = 0;
    for (int i = 0; i < xs.length; i++) {
      float[] g = new float[logits[i].length];
      loss += SoftmaxCrossEntropy.lossAndGrad(logits[i], ys[i], g);
      if (argmax(logits[i]) == ys[i]) {
        ok++;
      }
    }
    return new Eval(loss / xs.length, (double) ok / xs.length);
  }

  /** The index of the largest value, the first one on ties. */
  public static int argmax(float[] v) {
    int best = 0;
    for (int i = 1; i < v.length; i++) {
      if (v[i] > v[best]) {
        best = i;
      }
    }
    return best;
  }
}
