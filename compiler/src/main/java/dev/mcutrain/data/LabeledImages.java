package dev.mcutrain.data;

import com.google.common.collect.ImmutableList;
import dev.mcutrain.McuTrainException;
import dev.mcutrain.train.update.Prng;
import java.util.ArrayList;
import java.util.List;

/** Images with labels 0..classNames.size()-1. */
public record LabeledImages(ImmutableList<Image> images, int[] labels,
    ImmutableList<String> classNames) {
  public LabeledImages {
    if (images.size() != labels.length) {
      throw new IllegalArgumentException(images.size() + " images, " + labels.length + " labels");
    }
    labels = labels.clone();
  }

  public int size() {
    return labels.length;
  }

  /**
   * The images of classes {@code range} (inclusive), relabelled 0..k-1 in class order; the class
   * names follow.
   */
  public LabeledImages subset(ClassRange range) {
    if (range.last() >= classNames.size()) {
      throw new McuTrainException("--classes-from " + range + ": the data has classes 0-"
          + (classNames.size() - 1));
    }
    List<Image> im = new ArrayList<>();
    List<Integer> lb = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= range.first() && labels[i] <= range.last()) {
        im.add(images.get(i));
        lb.add(labels[i] - range.first());
      }
    }
    if (im.isEmpty()) {
      throw new McuTrainException("--classes-from " + range + ": no sample of the data has "
          + "one of these classes");
    }
    return new LabeledImages(ImmutableList.copyOf(im),
        lb.stream().mapToInt(Integer::intValue).toArray(),
        classNames.subList(range.first(), range.last() + 1));
  }

  /** The same samples in a deterministic order: Fisher–Yates with the project PRNG. */
  public LabeledImages shuffled(int seed) {
    int[] order = order(size(), seed);
    List<Image> im = new ArrayList<>();
    int[] lb = new int[size()];
    for (int i = 0; i < order.length; i++) {
      im.add(images.get(order[i]));
      lb[i] = labels[order[i]];
    }
    return new LabeledImages(ImmutableList.copyOf(im), lb, classNames);
  }

  /** A permutation of 0..n-1: Fisher–Yates driven by {@code Prng(seed)}. */
  public static int[] order(int n, int seed) {
    Prng rng = new Prng(seed);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextBelow(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** The first {@code n} samples (all when n is 0 or at least the size). */
  public LabeledImages limit(int n) {
    if (n <= 0 || n >= size()) {
      return this;
    }
    int[] lb = new int[n];
    System.arraycopy(labels, 0, lb, 0, n);
    return new LabeledImages(images.subList(0, n), lb, classNames);
  }

  /**
   * A deterministic stratified split: in each class, after a seeded shuffle, the first
   * round(fraction x count) samples (at least one when the class has two or more) go to the test
   * part. Returns {train, test}.
   */
  public LabeledImages[] split(double testFraction, int seed) {
    List<Image> trI = new ArrayList<>();
    List<Integer> trL = new ArrayList<>();
    List<Image> teI = new ArrayList<>();
    List<Integer> teL = new ArrayList<>();
    int[] order = order(size(), seed);
    int[] taken = new int[classNames.size()];
    int[] count = new int[classNames.size()];
    for (int l : labels) {
      count[l]++;
    }
    for (int i : order) {
      int l = labels[i];
      int want = (int) Math.round(testFraction * count[l]);
      if (want == 0 && count[l] > 1 && testFraction > 0) {
        want = 1;
      }
      if (taken[l] < want) {
        taken[l]++;
        teI.add(images.get(i));
        teL.add(l);
      } else {
        trI.add(images.get(i));
        trL.add(l);
      }
    }
    return new LabeledImages[] {
        new LabeledImages(ImmutableList.copyOf(trI), trL.stream().mapToInt(x -> x).toArray(),
            classNames),
        new LabeledImages(ImmutableList.copyOf(teI), teL.stream().mapToInt(x -> x).toArray(),
            classNames)};
  }
}
