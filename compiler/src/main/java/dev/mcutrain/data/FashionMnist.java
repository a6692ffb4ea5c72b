package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando; 28x28 grayscale clothing images, 10 classes, 60,000 train and 10,000
 * test), read from the IDX files of Debian's package {@code dataset-fashion-mnist} in
 * {@link #DEFAULT_DIR} or from any directory holding the same four files, gzipped or not:
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte} (each optionally with {@code .gz}).
 *
 * @param train the 60,000 training images, in file order
 * @param test the 10,000 test images, in file order
 */
public record FashionMnist(LabeledImages train, LabeledImages test) {
  /** Where Debian's {@code dataset-fashion-mnist} installs the files. */
  public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** The Debian package that provides the data. */
  public static final String PACKAGE = "dataset-fashion-mnist";

  /** What to do when the data is missing. */
  public static final String INSTALL_HINT =
      "install it with 'sudo apt-get install " + PACKAGE + "'";

  /** The class names, by label. */
  public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover",
      "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
  static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
  static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
  static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

  /** Loads from {@link #DEFAULT_DIR}. */
  public static FashionMnist load() {
    return load(DEFAULT_DIR);
  }

  /**
   * Loads and validates the four files in {@code dir}: image and label counts must agree and every
   * label must be below 10.
   *
   * @throws McuTrainException if the directory or a file is missing (with the apt-get hint) or a
   *     file is malformed
   */
  public static FashionMnist load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new McuTrainException(dir + ": no Fashion-MNIST directory here: " + INSTALL_HINT
          + " or give a directory holding its four IDX files");
    }
    return new FashionMnist(part(dir, TRAIN_IMAGES, TRAIN_LABELS),
        part(dir, TEST_IMAGES, TEST_LABELS));
  }

  /** Whether {@code dir} holds the Fashion-MNIST training images (under either name). */
  public static boolean looksLike(Path dir) {
    return find(dir, TRAIN_IMAGES) != null;
  }

  private static LabeledImages part(Path dir, String imagesName, String labelsName) {
    Path imagesFile = require(dir, imagesName);
    Path labelsFile = require(dir, labelsName);
    List<Image> images = Idx.read(imagesFile).images();
    int[] labels = Idx.read(labelsFile).labels();
    if (labels.length != images.size()) {
      throw new McuTrainException(labelsFile + ": " + labels.length + " labels, but "
          + imagesFile.getFileName() + " has " + images.size() + " images");
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] >= CLASS_NAMES.size()) {
        throw new McuTrainException(labelsFile + ": label " + labels[i] + " at index " + i
            + " is not a Fashion-MNIST class (0-9)");
      }
    }
    return new LabeledImages(images, labels, CLASS_NAMES);
  }

  private static Path require(Path dir, String name) {
    Path p = find(dir, name);
    if (p == null) {
      throw new McuTrainException(dir + ": Fashion-MNIST file " + name + ".gz (or " + name
          + ") is missing: " + INSTALL_HINT + " or give a directory holding its four IDX files");
    }
    return p;
  }

  /** {@code dir/name.gz} if it exists, else {@code dir/name} if it exists, else null. */
  static Path find(Path dir, String name) {
    for (Path p : List.of(dir.resolve(name + ".gz"), dir.resolve(name))) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }
}
