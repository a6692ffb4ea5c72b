package dev.mcutrain.data;

import static dev.mcutrain.data.Fixtures.assertError;
import static dev.mcutrain.data.Fixtures.imagesFile;
import static dev.mcutrain.data.Fixtures.labelsFile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FashionMnist}: the real Debian package, small fixtures, and errors. */
class FashionMnistTest {

  @Test
  void loadsTheDebianPackage() {
    Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR),
        FashionMnist.DEFAULT_DIR + " is missing: install the Debian package "
            + "dataset-fashion-mnist (sudo apt-get install dataset-fashion-mnist)");
    FashionMnist fm = FashionMnist.load();
    assertEquals(60000, fm.train().size());
    assertEquals(10000, fm.test().size());
    for (LabeledImages part : List.of(fm.train(), fm.test())) {
      for (Image im : List.of(part.image(0), part.image(part.size() - 1))) {
        assertEquals(28, im.height());
        assertEquals(28, im.width());
        assertEquals(1, im.channels());
      }
      assertEquals(FashionMnist.CLASS_NAMES, part.classNames());
    }
    int[] train = new int[10];
    int[] test = new int[10];
    Arrays.fill(train, 6000);
    Arrays.fill(test, 1000);
    assertArrayEquals(train, fm.train().classCounts());
    assertArrayEquals(test, fm.test().classCounts());
    // the first training image is an ankle boot (label 9), as in Zalando's README
    assertEquals(9, fm.train().label(0));
    assertEquals("Ankle boot", fm.train().classNames().get(9));
  }

  @Test
  void classNames() {
    assertEquals(List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
        "Sneaker", "Bag", "Ankle boot"), FashionMnist.CLASS_NAMES);
  }

  @Test
  void aMissingDirectorySaysToInstallThePackage(@TempDir Path dir) {
    Path none = dir.resolve("fashion-mnist");
    assertError(() -> FashionMnist.load(none), none.toString(),
        "install it with 'sudo apt-get install dataset-fashion-mnist'");
  }

  @Test
  void aMissingFileSaysWhichAndToInstallThePackage(@TempDir Path dir) {
    small(dir);
    assertTrue(dir.resolve("t10k-labels-idx1-ubyte").toFile().delete());
    assertError(() -> FashionMnist.load(dir), "t10k-labels-idx1-ubyte.gz (or "
        + "t10k-labels-idx1-ubyte) is missing", "apt-get install dataset-fashion-mnist");
  }

  /** 4 train and 3 test images of 28x28; train gzipped, test not. */
  private static void small(Path dir) {
    imagesFile(dir.resolve("train-images-idx3-ubyte.gz"), 4, 28, 28);
    labelsFile(dir.resolve("train-labels-idx1-ubyte.gz"), 9, 0, 0, 3);
    imagesFile(dir.resolve("t10k-images-idx3-ubyte"), 3, 28, 28);
    labelsFile(dir.resolve("t10k-labels-idx1-ubyte"), 1, 2, 9);
  }

  @Test
  void loadsGzippedAndUncompressedNames(@TempDir Path dir) {
    small(dir);
    assertTrue(FashionMnist.looksLike(dir));
    FashionMnist fm = FashionMnist.load(dir);
    assertArrayEquals(new int[] {9, 0, 0, 3}, fm.train().labels());
    assertArrayEquals(new int[] {1, 2, 9}, fm.test().labels());
    assertEquals(20, fm.test().image(2).get(0, 0, 0));
  }

  @Test
  void countsOfImagesAndLabelsMustAgree(@TempDir Path dir) {
    small(dir);
    labelsFile(dir.resolve("train-labels-idx1-ubyte.gz"), 9, 0, 0);
    assertError(() -> FashionMnist.load(dir), "train-labels-idx1-ubyte.gz: 3 labels, but "
        + "train-images-idx3-ubyte.gz has 4 images");
  }

  @Test
  void labelsMustBeBelowTen(@TempDir Path dir) {
    small(dir);
    labelsFile(dir.resolve("t10k-labels-idx1-ubyte"), 1, 10, 9);
    assertError(() -> FashionMnist.load(dir), "label 10 at index 1 is not a Fashion-MNIST class");
  }

  @Test
  void aMalformedFileIsNamed(@TempDir Path dir) {
    small(dir);
    Fixtures.write(dir.resolve("t10k-images-idx3-ubyte"), new byte[] {1, 2, 3, 4, 5});
    assertError(() -> FashionMnist.load(dir), "t10k-images-idx3-ubyte: not an IDX file");
    assertFalse(FashionMnist.looksLike(dir.resolve("nothing")));
  }
}
