package dev.mcutrain.data;

import com.google.common.collect.ImmutableList;
import dev.mcutrain.McuTrainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where labelled data comes from, as written on the command line:
 *
 * <ul>
 *   <li>{@code fashion-mnist} — Debian's {@code dataset-fashion-mnist} package; {@code
 *       fashion-mnist:DIR} the same IDX files elsewhere (its own train/test split);
 *   <li>{@code images:DIR} — one subfolder of images per class; a stratified seeded share
 *       ({@code testFraction}) is held out for testing;
 *   <li>{@code raw:DIR} — {@code samples.bin}/{@code labels.bin} already in the model's input
 *       format; {@code DIR/test/} in the same format is the test split, else the last 20%;
 *   <li>a bare folder — detected from its content (samples.bin: raw; IDX files: Fashion-MNIST;
 *       otherwise an image folder).
 * </ul>
 */
public record DataSpec(Kind kind, Path dir) {
  /** The data source kinds. */
  public enum Kind {
    FASHION_MNIST,
    IMAGES,
    RAW
  }

  /** Samples already converted to the model's input, with labels 0..classes-1. */
  public record TransferData(byte[][] trainX, int[] trainY, byte[][] testX, int[] testY,
      ImmutableList<String> classNames) {
    public int classes() {
      return classNames.size();
    }
  }

  /** Loading options. {@code trainLimit}/{@code testLimit} 0 = all. */
  public record Options(ClassRange classes, int seed, int trainLimit, int testLimit,
      double testFraction) {
    public Options {
      if (trainLimit < 0 || testLimit < 0 || !(testFraction > 0 && testFraction < 1)) {
        throw new McuTrainException("bad data options (limits must be >= 0, the test fraction "
            + "in (0, 1))");
      }
    }

    public static Options defaults() {
      return new Options(null, 1, 0, 0, 0.2);
    }
  }

  public static DataSpec parse(String s) {
    if (s.equals("fashion-mnist")) {
      return new DataSpec(Kind.FASHION_MNIST, FashionMnist.DEBIAN_DIR);
    }
    int colon = s.indexOf(':');
    if (colon > 0) {
      String prefix = s.substring(0, colon);
      Path dir = Path.of(s.substring(colon + 1));
      switch (prefix) {
        case "fashion-mnist":
          return new DataSpec(Kind.FASHION_MNIST, dir);
        case "images":
          return new DataSpec(Kind.IMAGES, dir);
        case "raw":
          return new DataSpec(Kind.RAW, dir);
        default:
          break;
      }
    }
    Path dir = Path.of(s);
    if (Files.isDirectory(dir)) {
      if (Files.isRegularFile(dir.resolve("samples.bin"))) {
        return new DataSpec(Kind.RAW, dir);
      }
      if (Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))
          || Files.isRegularFile(dir.resolve("train-images-idx3-ubyte"))) {
        return new DataSpec(Kind.FASHION_MNIST, dir);
      }
      return new DataSpec(Kind.IMAGES, dir);
    }
    throw new McuTrainException("--data '" + s + "': expected fashion-mnist, fashion-mnist:DIR, "
        + "images:DIR, raw:DIR or an existing folder");
  }

  /**
   * Loads the data for a model input: converts images, selects the class range (relabelled from
   * 0), shuffles the training split with the seed, and applies the limits (the test split is kept
   * in order; a limit takes a seeded random subset).
   */
  public TransferData load(InputConverter conv, int inputBytes, Options o) {
    if (kind == Kind.RAW) {
      return loadRaw(inputBytes, o);
    }
    if (conv == null) {
      throw new McuTrainException("image data needs a model whose input is an image");
    }
    LabeledImages train;
    LabeledImages test;
    if (kind == Kind.FASHION_MNIST) {
      train = FashionMnist.load(dir, true);
      test = FashionMnist.load(dir, false);
    } else {
      LabeledImages[] parts = ImageFolder.read(dir).split(o.testFraction(), o.seed());
      train = parts[0];
      test = parts[1];
    }
    if (o.classes() != null) {
      train = train.subset(o.classes());
      test = test.subset(o.classes());
    }
    train = train.shuffled(o.seed()).limit(o.trainLimit());
    test = o.testLimit() > 0 && o.testLimit() < test.size()
        ? sortedSubset(test, o.testLimit(), o.seed()) : test;
    return new TransferData(conv.convertAll(train), train.labels(), conv.convertAll(test),
        test.labels(), train.classNames());
  }

  /** A seeded random subset of {@code n} samples, in original order. */
  private static LabeledImages sortedSubset(LabeledImages d, int n, int seed) {
    int[] order = LabeledImages.order(d.size(), seed ^ 0x7E57);
    boolean[] keep = new boolean[d.size()];
    for (int i = 0; i < n; i++) {
      keep[order[i]] = true;
    }
    List<Image> im = new ArrayList<>();
    int[] lb = new int[n];
    int k = 0;
    for (int i = 0; i < d.size(); i++) {
      if (keep[i]) {
        im.add(d.images().get(i));
        lb[k++] = d.labels()[i];
      }
    }
    return new LabeledImages(ImmutableList.copyOf(im), lb, d.classNames());
  }

  private TransferData loadRaw(int inputBytes, Options o) {
    RawDataset all = RawDataset.read(dir, inputBytes, 256);
    RawDataset testSet = Files.isDirectory(dir.resolve("test"))
        ? RawDataset.read(dir.resolve("test"), inputBytes, 256) : null;
    int classes = 0;
    for (int i = 0; i < all.size(); i++) {
      classes = Math.max(classes, all.label(i) + 1);
    }
    if (classes < 2) {
      throw new McuTrainException(dir + ": every label is " + (classes - 1) + "; training a "
          + "classifier needs at least two classes");
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      names.add(Integer.toString(c));
    }
    int nTest = testSet != null ? 0 : all.size() / 5;
    int nTrain = all.size() - nTest;
    List<byte[]> tx = new ArrayList<>();
    List<Integer> ty = new ArrayList<>();
    List<byte[]> ex = new ArrayList<>();
    List<Integer> ey = new ArrayList<>();
    for (int i = 0; i < all.size(); i++) {
      (i < nTrain ? tx : ex).add(all.sample(i));
      (i < nTrain ? ty : ey).add(all.label(i));
    }
    if (testSet != null) {
      for (int i = 0; i < testSet.size(); i++) {
        ex.add(testSet.sample(i));
        ey.add(testSet.label(i));
      }
    }
    ClassRange r = o.classes() != null ? o.classes() : new ClassRange(0, classes - 1);
    if (r.last() >= classes) {
      throw new McuTrainException("--classes-from " + r + ": the data has classes 0-"
          + (classes - 1));
    }
    byte[][] trainX = select(tx, ty, r);
    int[] trainY = labels(ty, r);
    if (trainX.length == 0) {
      throw new McuTrainException("--classes-from " + r + ": no sample has one of these classes");
    }
    int[] order = LabeledImages.order(trainX.length, o.seed());
    byte[][] sx = new byte[trainX.length][];
    int[] sy = new int[trainX.length];
    for (int i = 0; i < order.length; i++) {
      sx[i] = trainX[order[i]];
      sy[i] = trainY[order[i]];
    }
    int n = o.trainLimit() > 0 ? Math.min(o.trainLimit(), sx.length) : sx.length;
    byte[][] testX = select(ex, ey, r);
    int[] testY = labels(ey, r);
    int m = o.testLimit() > 0 ? Math.min(o.testLimit(), testX.length) : testX.length;
    return new TransferData(java.util.Arrays.copyOf(sx, n), java.util.Arrays.copyOf(sy, n),
        java.util.Arrays.copyOf(testX, m), java.util.Arrays.copyOf(testY, m),
        ImmutableList.copyOf(names.subList(r.first(), r.last() + 1)));
  }

  private static byte[][] select(List<byte[]> xs, List<Integer> ys, ClassRange r) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < xs.size(); i++) {
      if (ys.get(i) >= r.first() && ys.get(i) <= r.last()) {
        out.add(xs.get(i));
      }
    }
    return out.toArray(new byte[0][]);
  }

  private static int[] labels(List<Integer> ys, ClassRange r) {
    return ys.stream().filter(y -> y >= r.first() && y <= r.last()).mapToInt(y -> y - r.first())
        .toArray();
  }
}
