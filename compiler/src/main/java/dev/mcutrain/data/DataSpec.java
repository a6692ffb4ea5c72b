package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.ir.Graph;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The CLI's data argument: where training data comes from.
 *
 * <pre>
 *   fashion-mnist          Fashion-MNIST from Debian's dataset-fashion-mnist (its own test set)
 *   fashion-mnist:DIR      Fashion-MNIST IDX files in DIR
 *   images:DIR             an {@link ImageFolder}; the test set is split off per class
 *   raw:DIR                a {@link RawDataset}; DIR/test/ in the same format is the test set,
 *                          else the last part of DIR is
 *   DIR                    an existing directory, detected: samples.bin means raw, Fashion-MNIST
 *                          IDX files mean fashion-mnist, class subfolders with images mean images
 * </pre>
 *
 * @param kind the source type ({@link Kind#AUTO} for a bare directory until {@link #detect()})
 * @param dir the directory (Fashion-MNIST's default for a bare {@code fashion-mnist})
 */
public record DataSpec(Kind kind, Path dir) {
  /** The accepted forms, for error messages. */
  public static final String FORMS =
      "fashion-mnist, fashion-mnist:DIR, images:DIR, raw:DIR, or an existing DIR";

  /** Default fraction of an image folder (or of raw data without DIR/test) held out for test. */
  public static final double DEFAULT_TEST_FRACTION = 0.2;

  /** Mixed into the seed for the image-folder split, so that it differs from the shuffle. */
  static final int SPLIT_SALT = 0x5B11;

  private static final Map<String, Kind> PREFIXES =
      Map.of("fashion-mnist:", Kind.FASHION_MNIST, "images:", Kind.IMAGES, "raw:", Kind.RAW);
  private static final Pattern PREFIX = Pattern.compile("[A-Za-z][A-Za-z0-9_-]*:.*");

  /** The kinds of data source. */
  public enum Kind {
    FASHION_MNIST,
    IMAGES,
    RAW,
    /** A bare directory whose kind {@link #detect()} decides. */
    AUTO
  }

  /**
   * How to cut the data.
   *
   * @param classes the classes to keep (relabeled from 0), or null for all
   * @param seed seeds the train shuffle and the image-folder split
   * @param trainLimit the most training samples to keep (after shuffling); 0 keeps all
   * @param testLimit the most test samples to keep, spread evenly over the test set (see {@link
   *     LabeledImages#evenlySpaced}); 0 keeps all
   * @param testFraction the part of each class held out for test where the source has no test
   *     set (image folders; raw data without DIR/test), in (0, 1)
   */
  public record Options(ClassRange classes, int seed, int trainLimit, int testLimit,
      double testFraction) {
    /** @throws McuTrainException for a negative limit or a test fraction outside (0, 1) */
    public Options {
      if (trainLimit < 0 || testLimit < 0) {
        throw new McuTrainException("sample limits must be 0 (all) or positive, not "
            + (trainLimit < 0 ? trainLimit : testLimit));
      }
      Selection.checkFraction(testFraction);
    }

    /** All classes, seed 1, no limits, test fraction 0.2. */
    public static Options defaults() {
      return new Options(null, 1, 0, 0, DEFAULT_TEST_FRACTION);
    }
  }

  /**
   * Parses the data argument. Only the syntax is checked here (and, for a bare argument that
   * looks like {@code prefix:...}, whether it names an existing directory); {@link #load} reads.
   *
   * @throws McuTrainException for an empty argument, an empty DIR or an unknown prefix
   */
  public static DataSpec parse(String text) {
    if (text.isBlank()) {
      throw new McuTrainException("empty data source; expected " + FORMS);
    }
    if (text.equals("fashion-mnist")) {
      return new DataSpec(Kind.FASHION_MNIST, FashionMnist.DEFAULT_DIR);
    }
    for (Map.Entry<String, Kind> e : PREFIXES.entrySet()) {
      if (text.startsWith(e.getKey())) {
        String dir = text.substring(e.getKey().length());
        if (dir.isEmpty()) {
          throw new McuTrainException("data source '" + text + "' has no directory after '"
              + e.getKey() + "'; expected " + FORMS);
        }
        return new DataSpec(e.getValue(), Path.of(dir));
      }
    }
    if (PREFIX.matcher(text).matches() && !Files.exists(Path.of(text))) {
      throw new McuTrainException("unknown data source '" + text.substring(0, text.indexOf(':'))
          + ":' in '" + text + "'; expected " + FORMS);
    }
    return new DataSpec(Kind.AUTO, Path.of(text));
  }

  /**
   * This spec with {@link Kind#AUTO} resolved from the directory's contents: {@code samples.bin}
   * means raw, Fashion-MNIST's {@code train-images-idx3-ubyte[.gz]} means fashion-mnist, a class
   * subfolder holding images means images. Other kinds are returned as they are.
   *
   * @throws McuTrainException if the directory is missing or none of these
   */
  public DataSpec detect() {
    if (kind != Kind.AUTO) {
      return this;
    }
    if (!Files.isDirectory(dir)) {
      throw new McuTrainException(dir + ": no such directory (data source; expected " + FORMS
          + ")");
    }
    if (Files.isRegularFile(dir.resolve("samples.bin"))) {
      return new DataSpec(Kind.RAW, dir);
    }
    if (FashionMnist.looksLike(dir)) {
      return new DataSpec(Kind.FASHION_MNIST, dir);
    }
    if (ImageFolder.looksLike(dir)) {
      return new DataSpec(Kind.IMAGES, dir);
    }
    throw new McuTrainException(dir + ": cannot tell what data this is (no samples.bin, no "
        + "Fashion-MNIST IDX files, no class subfolders with images); write raw:DIR, images:DIR"
        + " or fashion-mnist:DIR");
  }

  /**
   * Loads the data for a model whose input is image-shaped; see {@link #load(int, Supplier,
   * Options)}.
   */
  public TransferData load(InputConverter input, Options o) {
    return load(input.inputBytes(), () -> input, o);
  }

  /**
   * Loads the data for {@code g}: raw data only needs the input size; images need an image-shaped
   * input ({@link InputConverter#forModel}).
   */
  public TransferData load(Graph g, Options o) {
    long bytes = g.inputBytes();
    if (bytes > Integer.MAX_VALUE) {
      throw new McuTrainException("model input of " + bytes + " bytes is too large");
    }
    return load((int) bytes, () -> InputConverter.forModel(g), o);
  }

  /**
   * Reads the source, keeps the class range (relabeled from 0), splits off a test set where the
   * source has none, shuffles train with {@code o.seed()} (Fisher–Yates, project PRNG), applies
   * the limits (train: the first n after shuffling; test: n spread evenly, order kept) and
   * converts images to int8 inputs. For raw data the classes are {@code 0..max label} (named
   * "0", "1", ...) and the samples must have the model's input size.
   *
   * @param inputBytes the model's input size in bytes (raw samples must have it)
   * @param converter makes the converter; called only for image sources (Fashion-MNIST, image
   *     folders), so it may throw for a non-image model and may be null for raw data
   * @throws McuTrainException for unreadable data, a bad class range or data too large for memory
   */
  public TransferData load(int inputBytes, Supplier<InputConverter> converter, Options o) {
    DataSpec d = detect();
    return switch (d.kind) {
      case RAW -> loadRaw(d.dir, inputBytes, o);
      case FASHION_MNIST -> {
        InputConverter in = converter.get();
        FashionMnist fm = FashionMnist.load(d.dir);
        yield images(fm.train(), fm.test(), in, o);
      }
      case IMAGES -> {
        InputConverter in = converter.get();
        LabeledImages all = ImageFolder.read(d.dir);
        if (o.classes() != null) {
          all = all.subset(o.classes());
        }
        LabeledImages.Split s = all.split(o.testFraction(), o.seed() ^ SPLIT_SALT);
        yield images(s.train(), s.test(), in, new Options(null, o.seed(), o.trainLimit(),
            o.testLimit(), o.testFraction()));
      }
      case AUTO -> throw new AssertionError("detect() resolves AUTO");
    };
  }

  private static TransferData images(LabeledImages train, LabeledImages test, InputConverter in,
      Options o) {
    if (o.classes() != null) {
      train = train.subset(o.classes());
      test = test.subset(o.classes());
    }
    train = train.shuffled(o.seed());
    if (o.trainLimit() > 0) {
      train = train.limit(o.trainLimit());
    }
    if (o.testLimit() > 0) {
      test = test.evenlySpaced(o.testLimit());
    }
    DataLimits.checkHeap((long) (train.size() + test.size()) * (in.inputBytes() + 16L),
        DataLimits.count(train.size() + test.size()) + " converted samples of "
            + DataLimits.count(in.inputBytes()) + " bytes",
        "use a train or test limit");
    return new TransferData(in.convertAll(train), train.labels(), in.convertAll(test),
        test.labels(), train.classNames());
  }

  private static TransferData loadRaw(Path dir, int inputBytes, Options o) {
    RawDataset train = RawDataset.read(dir, inputBytes, 256);
    Path testDir = dir.resolve("test");
    RawDataset test = Files.isRegularFile(testDir.resolve("samples.bin"))
        ? RawDataset.read(testDir, inputBytes, 256) : null;
    int max = maxLabel(train);
    if (test != null) {
      max = Math.max(max, maxLabel(test));
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c <= max; c++) {
      names.add(Integer.toString(c));
    }
    int[] trainIdx;
    int[] testIdx;
    if (test != null) {
      trainIdx = Selection.indices(train.size());
      testIdx = Selection.indices(test.size());
    } else {
      test = train;
      int n = train.size();
      if (n < 2) {
        throw new McuTrainException(dir + ": " + n + " sample, too few to split off a test set"
            + " (add more or a test/ subfolder)");
      }
      int k = (int) Math.min(n - 1, Math.max(1, Math.round(n * o.testFraction())));
      trainIdx = Arrays.copyOfRange(Selection.indices(n), 0, n - k);
      testIdx = Arrays.copyOfRange(Selection.indices(n), n - k, n);
    }
    int from = 0;
    if (o.classes() != null) {
      o.classes().checkWithin(names.size());
      trainIdx = keep(train, trainIdx, o.classes());
      testIdx = keep(test, testIdx, o.classes());
      if (trainIdx.length == 0 || testIdx.length == 0) {
        throw new McuTrainException(dir + ": class range " + o.classes() + " selects no "
            + (trainIdx.length == 0 ? "training" : "test") + " samples");
      }
      from = o.classes().from();
      names = names.subList(from, o.classes().to() + 1);
    }
    int[] perm = Selection.permutation(trainIdx.length, o.seed());
    int[] shuffled = new int[trainIdx.length];
    for (int i = 0; i < perm.length; i++) {
      shuffled[i] = trainIdx[perm[i]];
    }
    trainIdx = shuffled;
    if (o.trainLimit() > 0 && o.trainLimit() < trainIdx.length) {
      trainIdx = Arrays.copyOf(trainIdx, o.trainLimit());
    }
    if (o.testLimit() > 0) {
      int[] pick = Selection.evenlySpaced(testIdx.length, o.testLimit());
      int[] t = new int[pick.length];
      for (int i = 0; i < pick.length; i++) {
        t[i] = testIdx[pick[i]];
      }
      testIdx = t;
    }
    return new TransferData(samples(train, trainIdx), labels(train, trainIdx, from),
        samples(test, testIdx), labels(test, testIdx, from), names);
  }

  private static int maxLabel(RawDataset d) {
    int max = 0;
    for (int i = 0; i < d.size(); i++) {
      max = Math.max(max, d.label(i));
    }
    return max;
  }

  private static int[] keep(RawDataset d, int[] idx, ClassRange r) {
    return Arrays.stream(idx).filter(i -> r.contains(d.label(i))).toArray();
  }

  private static byte[][] samples(RawDataset d, int[] idx) {
    byte[][] s = new byte[idx.length][];
    for (int i = 0; i < idx.length; i++) {
      s[i] = d.sample(idx[i]);
    }
    return s;
  }

  private static int[] labels(RawDataset d, int[] idx, int from) {
    int[] l = new int[idx.length];
    for (int i = 0; i < idx.length; i++) {
      l[i] = d.label(idx[i]) - from;
    }
    return l;
  }

  /** {@code kind:dir}, or just {@code fashion-mnist} for the default location. */
  @Override
  public String toString() {
    return switch (kind) {
      case FASHION_MNIST -> dir.equals(FashionMnist.DEFAULT_DIR) ? "fashion-mnist"
          : "fashion-mnist:" + dir;
      case IMAGES -> "images:" + dir;
      case RAW -> "raw:" + dir;
      case AUTO -> dir.toString();
    };
  }
}
