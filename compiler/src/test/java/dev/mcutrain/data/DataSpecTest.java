package dev.mcutrain.data;

import static dev.mcutrain.data.Fixtures.assertError;
import static dev.mcutrain.data.Fixtures.gray;
import static dev.mcutrain.data.Fixtures.imagesFile;
import static dev.mcutrain.data.Fixtures.labelsFile;
import static dev.mcutrain.data.Fixtures.write;
import static dev.mcutrain.data.Fixtures.writeImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.data.DataSpec.Kind;
import dev.mcutrain.data.DataSpec.Options;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.testing.GraphBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link DataSpec}: parsing each form, detection, and loading each kind of source. */
class DataSpecTest {
  @TempDir Path dir;

  private static Options opts(ClassRange r, int seed, int trainLimit, int testLimit) {
    return new Options(r, seed, trainLimit, testLimit, DataSpec.DEFAULT_TEST_FRACTION);
  }

  @Test
  void parsesEachForm() throws IOException {
    assertEquals(new DataSpec(Kind.FASHION_MNIST, FashionMnist.DEFAULT_DIR),
        DataSpec.parse("fashion-mnist"));
    assertEquals(new DataSpec(Kind.FASHION_MNIST, Path.of("/data/fm")),
        DataSpec.parse("fashion-mnist:/data/fm"));
    assertEquals(new DataSpec(Kind.IMAGES, Path.of("pics")), DataSpec.parse("images:pics"));
    assertEquals(new DataSpec(Kind.RAW, Path.of("r/d")), DataSpec.parse("raw:r/d"));
    assertEquals(new DataSpec(Kind.AUTO, dir), DataSpec.parse(dir.toString()));
    assertEquals(new DataSpec(Kind.AUTO, Path.of("not/there")), DataSpec.parse("not/there"));
    Path colon = Files.createDirectories(dir.resolve("v2:data"));
    assertEquals(new DataSpec(Kind.AUTO, colon), DataSpec.parse(colon.toString()));
    for (String s : List.of("fashion-mnist", "fashion-mnist:/d", "images:p", "raw:q", "x/y")) {
      assertEquals(s, DataSpec.parse(s).toString());
    }
  }

  @Test
  void parseErrors() {
    String m = assertError(() -> DataSpec.parse("mnist:/data"), "unknown data source 'mnist:'",
        "fashion-mnist, fashion-mnist:DIR, images:DIR, raw:DIR, or an existing DIR");
    assertFalse(m.isEmpty());
    assertError(() -> DataSpec.parse("images:"), "has no directory after 'images:'");
    assertError(() -> DataSpec.parse("raw:"), "has no directory after 'raw:'");
    assertError(() -> DataSpec.parse(" "), "empty data source", "raw:DIR");
    assertError(() -> DataSpec.parse("v2:data"), "unknown data source 'v2:'");
  }

  @Test
  void detectsTheKindOfABareDirectory() {
    Path raw = dir.resolve("raw");
    write(raw.resolve("samples.bin"), new byte[4]);
    write(raw.resolve("labels.bin"), new byte[1]);
    assertEquals(Kind.RAW, DataSpec.parse(raw.toString()).detect().kind());
    Path fm = dir.resolve("fm");
    imagesFile(fm.resolve("train-images-idx3-ubyte"), 1, 2, 2);
    assertEquals(Kind.FASHION_MNIST, DataSpec.parse(fm.toString()).detect().kind());
    Path im = dir.resolve("im");
    writeImage(im.resolve("a/1.png"), gray(2, 2, 0), "png");
    assertEquals(Kind.IMAGES, DataSpec.parse(im.toString()).detect().kind());
    assertEquals(new DataSpec(Kind.IMAGES, raw), new DataSpec(Kind.IMAGES, raw).detect());
    write(dir.resolve("other/readme.txt"), new byte[1]);
    assertError(() -> DataSpec.parse(dir.resolve("other").toString()).detect(),
        "cannot tell what data this is", "raw:DIR, images:DIR or fashion-mnist:DIR");
    assertError(() -> DataSpec.parse(dir.resolve("gone").toString()).detect(),
        "gone: no such directory");
  }

  /** Raw data: samples of {@code bytes} bytes, sample i filled with i, labels[i] its label. */
  private static Path raw(Path d, int bytes, int... labels) {
    byte[] s = new byte[labels.length * bytes];
    byte[] l = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      Arrays.fill(s, i * bytes, (i + 1) * bytes, (byte) i);
      l[i] = (byte) labels[i];
    }
    write(d.resolve("samples.bin"), s);
    write(d.resolve("labels.bin"), l);
    return d;
  }

  private static int[] firstBytes(byte[][] samples) {
    return Arrays.stream(samples).mapToInt(s -> s[0]).toArray();
  }

  @Test
  void rawWithoutATestFolderSplitsOffTheLastFifthAndShufflesTrain() {
    raw(dir, 3, 0, 1, 2, 0, 1, 2, 0, 1, 2, 3);
    TransferData t = DataSpec.parse("raw:" + dir).load(3, () -> {
      throw new AssertionError("raw data needs no converter");
    }, opts(null, 5, 0, 0));
    assertEquals(List.of("0", "1", "2", "3"), t.classNames());
    assertEquals(4, t.classes());
    assertArrayEquals(new int[] {8, 9}, firstBytes(t.testSamples()));
    assertArrayEquals(new int[] {2, 3}, t.testLabels());
    int[] train = firstBytes(t.trainSamples());
    int[] perm = Selection.permutation(8, 5);
    assertArrayEquals(perm, train, "train = the first 8 in seed-5 Fisher-Yates order");
    for (int i = 0; i < 8; i++) {
      assertEquals(train[i] % 3, t.trainLabels()[i]);
      assertEquals(3, t.trainSamples()[i].length);
    }
    TransferData again = DataSpec.parse(dir.toString()).load(3, null, opts(null, 5, 0, 0));
    assertArrayEquals(train, firstBytes(again.trainSamples()));
  }

  @Test
  void rawWithATestFolderClassRangeAndLimits() {
    raw(dir, 2, 0, 1, 2, 3, 4, 5, 5, 4, 3);
    raw(dir.resolve("test"), 2, 3, 4, 5, 6, 0, 5);
    TransferData t = DataSpec.parse("raw:" + dir).load(2, null, opts(ClassRange.parse("3-5"), 1,
        0, 0));
    assertEquals(List.of("3", "4", "5"), t.classNames());
    assertEquals(6, t.trainSize());
    int[] sorted = firstBytes(t.trainSamples()).clone();
    Arrays.sort(sorted);
    assertArrayEquals(new int[] {3, 4, 5, 6, 7, 8}, sorted);
    assertArrayEquals(new int[] {0, 1, 2, 2}, t.testLabels());
    assertArrayEquals(new int[] {0, 1, 2, 5}, firstBytes(t.testSamples()));
    TransferData lim = DataSpec.parse("raw:" + dir).load(2, null, opts(ClassRange.parse("3-5"),
        1, 2, 2));
    assertArrayEquals(Arrays.copyOf(firstBytes(t.trainSamples()), 2),
        firstBytes(lim.trainSamples()));
    assertArrayEquals(new int[] {0, 2}, firstBytes(lim.testSamples()));
  }

  @Test
  void rawErrors() {
    raw(dir, 4, 0, 1, 1);
    assertError(() -> DataSpec.parse("raw:" + dir).load(5, null, Options.defaults()),
        "samples.bin has 12 bytes", "samples of 5 bytes (the model's input)");
    assertError(() -> DataSpec.parse("raw:" + dir).load(4, null, opts(ClassRange.parse("2"), 1,
        0, 0)), "class range 2 is outside the 2 classes (0-1)");
    assertError(() -> DataSpec.parse("raw:" + dir).load(4, null, opts(ClassRange.parse("0"), 1,
        0, 0)), "class range 0 selects no test samples");
    assertError(() -> DataSpec.parse("raw:" + dir.resolve("nope")).load(4, null,
        Options.defaults()), "samples.bin: no such file");
    Path one = raw(dir.resolve("one"), 4, 0);
    assertError(() -> DataSpec.parse("raw:" + one).load(4, null, Options.defaults()),
        "too few to split off a test set");
  }

  @Test
  void optionsErrors() {
    assertError(() -> new Options(null, 1, -1, 0, 0.2), "limits must be 0 (all) or positive");
    assertError(() -> new Options(null, 1, 0, -5, 0.2), "not -5");
    assertError(() -> new Options(null, 1, 0, 0, 1.0), "test fraction");
  }

  @Test
  void imageFolderIsSplitPerClassConvertedAndShuffled() {
    for (String c : List.of("cat", "dog", "eel")) {
      for (int i = 0; i < 5; i++) {
        writeImage(dir.resolve(c + "/" + i + ".png"), gray(2 + i, 3, c.charAt(0) + i), "png");
      }
    }
    InputConverter in = new InputConverter(4, 4, 3, 1 / 255f, -128);
    TransferData t = DataSpec.parse("images:" + dir).load(in, opts(null, 3, 0, 0));
    assertEquals(List.of("cat", "dog", "eel"), t.classNames());
    assertEquals(12, t.trainSize());
    assertEquals(3, t.testSize());
    assertArrayEquals(new int[] {0, 1, 2}, t.testLabels());
    for (byte[] s : t.trainSamples()) {
      assertEquals(48, s.length);
    }
    TransferData same = DataSpec.parse(dir.toString()).load(in, opts(null, 3, 0, 0));
    assertArrayEquals(t.trainLabels(), same.trainLabels());
    for (int i = 0; i < t.trainSize(); i++) {
      assertArrayEquals(t.trainSamples()[i], same.trainSamples()[i]);
    }
    TransferData sub = DataSpec.parse("images:" + dir).load(in, new Options(
        ClassRange.parse("1-2"), 3, 3, 1, 0.4));
    assertEquals(List.of("dog", "eel"), sub.classNames());
    assertEquals(3, sub.trainSize());
    assertEquals(1, sub.testSize());
    assertTrue(Arrays.stream(sub.trainLabels()).allMatch(l -> l == 0 || l == 1));
  }

  private static Graph model(GraphBuilder b, int input) {
    int out = b.int8("out", 1f, 0, 1, 2);
    return b.op(new Op.Reshape(input, out)).inputs(input).outputs(out).build("m");
  }

  @Test
  void loadingForAGraph() {
    raw(dir.resolve("raw"), 10, 0, 1, 0, 1, 1);
    GraphBuilder b = new GraphBuilder();
    Graph vector = model(b, b.int8("in", 1f, 0, 1, 10));
    TransferData t = DataSpec.parse("raw:" + dir.resolve("raw")).load(vector, Options.defaults());
    assertEquals(4, t.trainSize());
    writeImage(dir.resolve("im/a/1.png"), gray(2, 2, 0), "png");
    writeImage(dir.resolve("im/a/2.png"), gray(2, 2, 0), "png");
    writeImage(dir.resolve("im/b/1.png"), gray(2, 2, 0), "png");
    writeImage(dir.resolve("im/b/2.png"), gray(2, 2, 0), "png");
    assertError(() -> DataSpec.parse("images:" + dir.resolve("im")).load(vector,
        Options.defaults()), "is not an image (expected [1,H,W,1 or 3] int8)");
    GraphBuilder c = new GraphBuilder();
    Graph image = model(c, c.int8("in", 1 / 255f, -128, 1, 3, 3, 1));
    TransferData u = DataSpec.parse("images:" + dir.resolve("im")).load(image,
        Options.defaults());
    assertEquals(2, u.trainSize());
    assertEquals(9, u.trainSamples()[0].length);
  }

  @Test
  void fashionMnistFixtureWithAClassRange() {
    imagesFile(dir.resolve("train-images-idx3-ubyte.gz"), 6, 28, 28);
    labelsFile(dir.resolve("train-labels-idx1-ubyte.gz"), 9, 0, 5, 7, 5, 2);
    imagesFile(dir.resolve("t10k-images-idx3-ubyte.gz"), 3, 28, 28);
    labelsFile(dir.resolve("t10k-labels-idx1-ubyte.gz"), 6, 5, 1);
    InputConverter in = new InputConverter(28, 28, 1, 1 / 255f, -128);
    TransferData t = DataSpec.parse("fashion-mnist:" + dir).load(in,
        opts(ClassRange.parse("5-9"), 1, 0, 0));
    assertEquals(List.of("Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"), t.classNames());
    assertEquals(4, t.trainSize());
    assertArrayEquals(new int[] {1, 0}, t.testLabels());
    assertEquals(0 - 128, t.testSamples()[0][0]); // test image 0 (label 6), pixel 0 = 0
    assertEquals(10 - 128, t.testSamples()[1][0]); // test image 1 (label 5), pixel 0 = 10
  }

  @Test
  void fashionMnistFromTheDebianPackage() {
    Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR),
        FashionMnist.DEFAULT_DIR + " is missing: install the Debian package "
            + "dataset-fashion-mnist (sudo apt-get install dataset-fashion-mnist)");
    InputConverter in = new InputConverter(32, 32, 3, 0.0078125f, 0);
    TransferData t = DataSpec.parse("fashion-mnist").load(in,
        opts(ClassRange.parse("5-9"), 9, 500, 100));
    assertEquals(5, t.classes());
    assertEquals(500, t.trainSize());
    assertEquals(100, t.testSize());
    assertEquals(32 * 32 * 3, t.trainSamples()[0].length);
    int[] counts = new int[5];
    for (int l : t.trainLabels()) {
      counts[l]++;
    }
    for (int c : counts) {
      assertTrue(c > 60 && c < 140, "shuffled before the limit: " + Arrays.toString(counts));
    }
    int[] test = new int[5];
    for (int l : t.testLabels()) {
      test[l]++;
    }
    assertTrue(Arrays.stream(test).allMatch(c -> c > 5), Arrays.toString(test));
  }

  @Test
  void heapGuard() {
    assertError(() -> DataLimits.checkHeap(Long.MAX_VALUE / 2, "60,000 converted samples",
        "use a train limit"), "60,000 converted samples need", "of the Java heap",
        "use a train limit");
  }
}
