package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import java.util.ArrayList;
import java.util.List;

/**
 * An immutable, ordered set of images with integer labels {@code 0..classCount()-1} and the name
 * of each class. Every transformation returns a new instance and shares the {@link Image}s.
 */
public final class LabeledImages {
  private final List<Image> images;
  private final int[] labels;
  private final List<String> classNames;

  /**
   * @param labels one per image, each in {@code 0..classNames.size()-1}
   * @throws IllegalArgumentException if the sizes disagree or a label is out of range
   */
  public LabeledImages(List<Image> images, int[] labels, List<String> classNames) {
    if (images.size() != labels.length) {
      throw new IllegalArgumentException(images.size() + " images but " + labels.length
          + " labels");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classNames.size()) {
        throw new IllegalArgumentException("label " + labels[i] + " at " + i + " is not one of "
            + classNames.size() + " classes");
      }
    }
    this.images = List.copyOf(images);
    this.labels = labels.clone();
    this.classNames = List.copyOf(classNames);
  }

  public int size() {
    return images.size();
  }

  public Image image(int i) {
    return images.get(i);
  }

  public int label(int i) {
    return labels[i];
  }

  /** The images, in order (unmodifiable). */
  public List<Image> images() {
    return images;
  }

  /** A copy of the labels, in order. */
  public int[] labels() {
    return labels.clone();
  }

  /** The class names; label {@code c} is {@code classNames().get(c)}. */
  public List<String> classNames() {
    return classNames;
  }

  public int classCount() {
    return classNames.size();
  }

  /** How many images each class has, indexed by label. */
  public int[] classCounts() {
    int[] n = new int[classNames.size()];
    for (int l : labels) {
      n[l]++;
    }
    return n;
  }

  /** The images at {@code indices}, in that order, with the same classes. */
  LabeledImages select(int[] indices) {
    List<Image> im = new ArrayList<>(indices.length);
    int[] l = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      im.add(images.get(indices[k]));
      l[k] = labels[indices[k]];
    }
    return new LabeledImages(im, l, classNames);
  }

  /**
   * The images of classes {@code fromClass..toClass} (inclusive), in order, relabeled to
   * {@code 0..k-1} ({@code label - fromClass}), with the class names of that range.
   *
   * @throws McuTrainException if the range is not within the classes or selects no image
   */
  public LabeledImages subset(int fromClass, int toClass) {
    if (fromClass < 0 || toClass < fromClass) {
      throw new McuTrainException("bad class range " + fromClass + "-" + toClass
          + ": expected 0 <= from <= to");
    }
    return subset(new ClassRange(fromClass, toClass));
  }

  /** {@link #subset(int, int)} with a parsed range. */
  public LabeledImages subset(ClassRange r) {
    r.checkWithin(classNames.size());
    int[] keep = Selection.inRange(labels, r);
    if (keep.length == 0) {
      throw new McuTrainException("class range " + r + " selects no images");
    }
    List<Image> im = new ArrayList<>(keep.length);
    int[] l = new int[keep.length];
    for (int k = 0; k < keep.length; k++) {
      im.add(images.get(keep[k]));
      l[k] = labels[keep[k]] - r.from();
    }
    return new LabeledImages(im, l, classNames.subList(r.from(), r.to() + 1));
  }

  /**
   * The same images in a deterministic random order: Fisher–Yates with the project PRNG
   * ({@link dev.mcutrain.train.update.Prng}{@code (seed)}; for {@code i} from {@code n-1} down to
   * 1, {@code j = nextBelow(i + 1)}, swap).
   */
  public LabeledImages shuffled(int seed) {
    return select(Selection.permutation(size(), seed));
  }

  /** The first {@code n} images (all of them if there are fewer). */
  public LabeledImages limit(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative limit " + n);
    }
    return n >= size() ? this : select(Selection.indices(n));
  }

  /**
   * {@code n} images spread evenly over the whole set, order kept: image {@code floor(k * size /
   * n)} for {@code k = 0..n-1} (all of them if there are fewer). Unlike {@link #limit} this keeps
   * every class of a class-sorted set.
   */
  public LabeledImages evenlySpaced(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("negative limit " + n);
    }
    return n >= size() ? this : select(Selection.evenlySpaced(size(), n));
  }

  /** A train/test partition; both keep the original order. */
  public record Split(LabeledImages train, LabeledImages test) {}

  /**
   * Splits off about {@code testFraction} of each class as a test set, deterministically for a
   * seed. Per class, one project PRNG seeded with {@code seed} shuffles the class's images (class 0
   * first) and the first {@code round(n_c * testFraction)} go to test, clamped to at least 1 and
   * at most {@code n_c - 1} (a class with a single image stays in train). Both halves keep the
   * original order.
   *
   * @throws McuTrainException if {@code testFraction} is not in (0, 1) or a half would be empty
   */
  public Split split(double testFraction, int seed) {
    int[][] s = Selection.stratifiedSplit(labels, classNames.size(), testFraction, seed);
    return new Split(select(s[0]), select(s[1]));
  }
}
