package dev.mcutrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.McuTrainException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxAndFashionMnistTest {
  @TempDir Path tmp;

  static byte[] idx(int type, int[] dims, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + payload.length);
    b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
    for (int d : dims) {
      b.putInt(d);
    }
    b.put(payload);
    return b.array();
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(o)) {
      g.write(b);
    }
    return o.toByteArray();
  }

  private String error(Path f, int rank) {
    return assertThrows(McuTrainException.class, () -> Idx.read(f, rank)).getMessage();
  }

  @Test
  void readsPlainAndGzippedFiles() throws IOException {
    byte[] px = {1, 2, 3, 4, 5, 6, 7, 8};
    Files.write(tmp.resolve("a"), idx(8, new int[] {2, 2, 2}, px));
    Files.write(tmp.resolve("a.gz"), gzip(idx(8, new int[] {2, 2, 2}, px)));
    for (String n : new String[] {"a", "a.gz"}) {
      Idx.Data d = Idx.read(tmp.resolve(n), 3);
      assertArrayEquals(new int[] {2, 2, 2}, d.dims());
      assertArrayEquals(px, d.bytes());
    }
  }

  @Test
  void malformedFilesAreOneLineErrors() throws IOException {
    Path f = tmp.resolve("f");
    Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
    assertTrue(error(f, 1).contains("bad magic"));
    Files.write(f, idx(0x0D, new int[] {2}, new byte[8]));
    assertTrue(error(f, 1).contains("not supported"));
    Files.write(f, idx(8, new int[] {2, 2}, new byte[4]));
    assertTrue(error(f, 3).contains("rank 2, expected 3"));
    Files.write(f, idx(8, new int[] {10, 28, 28}, new byte[100]));
    assertTrue(error(f, 3).contains("truncated"));
    Files.write(f, idx(8, new int[] {2}, new byte[3]));
    assertTrue(error(f, 1).contains("declare 2 bytes but the file holds 3"));
    Files.write(f, idx(8, new int[] {0x7fffffff, 0x7fffffff, 28}, new byte[0]));
    assertTrue(error(f, 3).contains("more than"));
    Files.write(f, idx(8, new int[] {0}, new byte[0]));
    assertTrue(error(f, 1).contains("dimension 0 is 0"));
    Path gz = tmp.resolve("x.gz");
    Files.write(gz, idx(8, new int[] {1}, new byte[1]));
    assertTrue(error(gz, 1).contains("not a valid gzip"));
    assertTrue(error(tmp.resolve("missing"), 1).contains("no such file"));
    Files.write(f, new byte[2]);
    assertTrue(error(f, 1).contains("too short"));
  }

  @Test
  void fashionMnistFromDebianPackage() {
    // scripts/setup.sh installs dataset-fashion-mnist; this test does not skip without it.
    LabeledImages test = FashionMnist.load(FashionMnist.DEBIAN_DIR, false);
    assertEquals(10_000, test.size());
    assertEquals(28, test.images().get(0).height());
    int[] count = new int[10];
    for (int l : test.labels()) {
      count[l]++;
    }
    for (int c : count) {
      assertEquals(1000, c);
    }
    LabeledImages sub = test.subset(ClassRange.parse("5-9"));
    assertEquals(5000, sub.size());
    assertEquals("Sandal", sub.classNames().get(0));
  }

  @Test
  void missingOrInconsistentDatasetNamesTheFix() throws IOException {
    String m = assertThrows(McuTrainException.class,
        () -> FashionMnist.load(tmp.resolve("nope"), true)).getMessage();
    assertTrue(m.contains("sudo apt-get install dataset-fashion-mnist"), m);
    Files.write(tmp.resolve("train-images-idx3-ubyte"), idx(8, new int[] {3, 2, 2}, new byte[12]));
    Files.write(tmp.resolve("train-labels-idx1-ubyte"), idx(8, new int[] {2}, new byte[2]));
    m = assertThrows(McuTrainException.class, () -> FashionMnist.load(tmp, true)).getMessage();
    assertTrue(m.contains("3 train images but 2 labels"), m);
    Files.write(tmp.resolve("train-labels-idx1-ubyte"), idx(8, new int[] {3},
        new byte[] {0, 12, 1}));
    m = assertThrows(McuTrainException.class, () -> FashionMnist.load(tmp, true)).getMessage();
    assertTrue(m.contains("label 12 at index 1"), m);
    m = assertThrows(McuTrainException.class, () -> FashionMnist.load(tmp, false)).getMessage();
    assertTrue(m.contains("lacks t10k-images-idx3-ubyte"), m);
  }
}
