package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.train.update.Prng;
import java.util.Arrays;

/**
 * Index arithmetic shared by {@link LabeledImages} and the raw-data path of {@link DataSpec}: every
 * method returns the indices of the samples to keep, in the order to keep them.
 */
final class Selection {
  private Selection() {}

  /** The indices of the labels inside {@code r}, in order. */
  static int[] inRange(int[] labels, ClassRange r) {
    return Arrays.stream(indices(labels.length)).filter(i -> r.contains(labels[i])).toArray();
  }

  /** {@code 0, 1, ..., n-1}. */
  static int[] indices(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }

  /**
   * A permutation of {@code 0..n-1}: Fisher–Yates with the project PRNG, as TrainCommand shuffles
   * epochs: for {@code i} from {@code n-1} down to 1, {@code j = prng.nextBelow(i + 1)}, swap.
   */
  static int[] permutation(int n, int seed) {
    int[] a = indices(n);
    shuffle(a, new Prng(seed));
    return a;
  }

  /** Shuffles {@code a} in place (Fisher–Yates, see {@link #permutation}). */
  static void shuffle(int[] a, Prng prng) {
    prng.shuffle(a);
  }

  /**
   * {@code n} indices spread evenly over {@code 0..size-1}, in increasing order: index {@code k}
   * is {@code floor(k * size / n)}. All of them when {@code n >= size}.
   */
  static int[] evenlySpaced(int size, int n) {
    if (n >= size) {
      return indices(size);
    }
    int[] a = new int[n];
    for (int k = 0; k < n; k++) {
      a[k] = (int) ((long) k * size / n);
    }
    return a;
  }

  /**
   * A stratified, deterministic train/test split; returns {train indices, test indices}, each in
   * increasing order. One PRNG seeded with {@code seed} shuffles the indices of class 0, then class
   * 1, and so on (Fisher–Yates as in {@link #permutation}); the first {@code round(n_c * f)} of
   * class {@code c} go to the test set, at least 1 and at most {@code n_c - 1} when the class has
   * two or more samples (a class with one sample stays in train).
   *
   * @throws McuTrainException if {@code f} is not in (0, 1) or a side would be empty
   */
  static int[][] stratifiedSplit(int[] labels, int classes, double f, int seed) {
    checkFraction(f);
    Prng prng = new Prng(seed);
    boolean[] test = new boolean[labels.length];
    for (int c = 0; c < classes; c++) {
      final int cls = c;
      int[] members = Arrays.stream(indices(labels.length)).filter(i -> labels[i] == cls)
          .toArray();
      shuffle(members, prng);
      int n = members.length;
      int k = n < 2 ? 0 : (int) Math.min(n - 1, Math.max(1, Math.round(n * f)));
      for (int i = 0; i < k; i++) {
        test[members[i]] = true;
      }
    }
    int[] testIdx = Arrays.stream(indices(labels.length)).filter(i -> test[i]).toArray();
    int[] trainIdx = Arrays.stream(indices(labels.length)).filter(i -> !test[i]).toArray();
    if (testIdx.length == 0 || trainIdx.length == 0) {
      throw new McuTrainException("cannot split " + labels.length + " samples into train and test"
          + " (test fraction " + f + "): a class needs at least 2 samples to give one to test");
    }
    return new int[][] {trainIdx, testIdx};
  }

  /** @throws McuTrainException unless {@code 0 < f < 1} */
  static void checkFraction(double f) {
    if (!(f > 0 && f < 1)) {
      throw new McuTrainException("test fraction must be between 0 and 1 (exclusive), not " + f);
    }
  }
}
