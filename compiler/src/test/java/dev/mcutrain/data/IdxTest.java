package dev.mcutrain.data;

import static dev.mcutrain.data.Fixtures.assertError;
import static dev.mcutrain.data.Fixtures.gzip;
import static dev.mcutrain.data.Fixtures.idx;
import static dev.mcutrain.data.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Idx}: good files plain and gzipped, and every way a file can be wrong. */
class IdxTest {
  @TempDir Path dir;

  @Test
  void readsAPlainImageFile() {
    Idx x = Idx.read(write(dir.resolve("im-idx3-ubyte"), idx(3, 2, 4)));
    assertArrayEquals(new int[] {3, 2, 4}, x.dims());
    assertEquals(3, x.count());
    assertEquals(3, x.rank());
    List<Image> images = x.images();
    assertEquals(3, images.size());
    assertEquals(2, images.get(2).height());
    assertEquals(4, images.get(2).width());
    assertEquals(1, images.get(2).channels());
    assertEquals(16, images.get(2).get(0, 0, 0));
    assertEquals(23, images.get(2).get(1, 3, 0));
  }

  @Test
  void readsGzippedFilesLikePlainOnes() {
    byte[] plain = idx(5, 3, 3);
    Idx a = Idx.read(write(dir.resolve("a-idx3-ubyte"), plain));
    Idx b = Idx.read(write(dir.resolve("a-idx3-ubyte.gz"), gzip(plain)));
    Idx c = Idx.read(write(dir.resolve("gzip-without-the-name"), gzip(plain)));
    assertArrayEquals(a.dims(), b.dims());
    assertArrayEquals(a.data(), b.data());
    assertArrayEquals(a.data(), c.data());
  }

  @Test
  void readsLabels() {
    Path f = Fixtures.labelsFile(dir.resolve("l-idx1-ubyte.gz"), 0, 9, 255, 3);
    assertArrayEquals(new int[] {0, 9, 255, 3}, Idx.read(f).labels());
  }

  @Test
  void imagesOfALabelFileAndLabelsOfAnImageFileAreErrors() {
    Path labels = Fixtures.labelsFile(dir.resolve("l"), 1, 2);
    Path images = write(dir.resolve("i"), idx(2, 2, 2));
    assertError(() -> Idx.read(labels).images(), "not an IDX image file", "[N, H, W]", "[2]");
    assertError(() -> Idx.read(images).labels(), "not an IDX label file", "[2, 2, 2]");
    assertError(() -> Idx.read(write(dir.resolve("r2"), idx(2, 2))).images(),
        "not an IDX image file");
  }

  @Test
  void badMagic() {
    byte[] b = idx(2, 2);
    b[0] = 0x12;
    b[1] = 0x34;
    Path f = write(dir.resolve("bad"), b);
    assertError(() -> Idx.read(f), f.toString(), "not an IDX file", "0x12340802");
  }

  @Test
  void unsupportedElementTypes() {
    Path f = write(dir.resolve("float"), idx(0x0D, new int[] {2}, new byte[8]));
    assertError(() -> Idx.read(f), f.toString(), "element type 0x0d (float32) is not supported",
        "only unsigned byte (0x08)");
    Path g = write(dir.resolve("signed"), idx(0x09, new int[] {2}, new byte[2]));
    assertError(() -> Idx.read(g), "0x09 (signed byte)");
    Path h = write(dir.resolve("unknown"), idx(0x42, new int[] {2}, new byte[2]));
    assertError(() -> Idx.read(h), "0x42 (unknown)");
  }

  @Test
  void rankZeroAndShortHeaders() {
    Path r0 = write(dir.resolve("r0"), new byte[] {0, 0, 8, 0});
    assertError(() -> Idx.read(r0), "rank is 0");
    Path tiny = write(dir.resolve("tiny"), new byte[] {0, 0});
    assertError(() -> Idx.read(tiny), "too short for an IDX file (2 bytes)");
    Path empty = write(dir.resolve("empty"), new byte[0]);
    assertError(() -> Idx.read(empty), "too short");
    Path head = write(dir.resolve("head"), new byte[] {0, 0, 8, 3, 0, 0, 0, 1, 0, 0});
    assertError(() -> Idx.read(head), "truncated IDX header");
  }

  @Test
  void truncatedAndOversizedPayloads() {
    byte[] good = idx(2, 2, 2);
    Path t = write(dir.resolve("t"), Arrays.copyOf(good, good.length - 1));
    assertError(() -> Idx.read(t), t.toString(), "truncated", "[2, 2, 2] need 8 data bytes",
        "the file has 7");
    Path o = write(dir.resolve("o"), Arrays.copyOf(good, good.length + 3));
    assertError(() -> Idx.read(o), "oversized", "the file has 11");
    Path tz = write(dir.resolve("t.gz"), gzip(Arrays.copyOf(good, good.length - 1)));
    assertError(() -> Idx.read(tz), "truncated", "the file has 7 (after gunzip)");
    Path oz = write(dir.resolve("o.gz"), gzip(Arrays.copyOf(good, good.length + 1)));
    assertError(() -> Idx.read(oz), "oversized", "(after gunzip)");
  }

  @Test
  void aCutGzipStreamIsTruncated() {
    byte[] z = gzip(idx(50, 20, 20));
    Path f = write(dir.resolve("cut.gz"), Arrays.copyOf(z, z.length / 2));
    assertError(() -> Idx.read(f), f.toString(), "truncated");
  }

  @Test
  void corruptGzipData() {
    byte[] z = gzip(idx(50, 20, 20));
    for (int i = 10; i < z.length - 8; i++) {
      z[i] = (byte) 0xff;
    }
    Path f = write(dir.resolve("corrupt.gz"), z);
    assertError(() -> Idx.read(f), f.toString(), "gzip");
  }

  @Test
  void aGzNameWithoutGzipDataIsAnError() {
    Path f = write(dir.resolve("train-labels-idx1-ubyte.gz"), idx(4));
    assertError(() -> Idx.read(f), f.toString(), "not in gzip format");
  }

  @Test
  void absurdDimensionsAreRejectedBeforeAllocating() {
    Path huge = write(dir.resolve("huge"), idx(0x08, new int[] {100000, 100000, 100000},
        new byte[10]));
    assertError(() -> Idx.read(huge), "declare more than 2,147,483,639 bytes", "too large");
    Path neg = write(dir.resolve("neg"), idx(0x08, new int[] {-1}, new byte[10]));
    assertError(() -> Idx.read(neg), "dimension 0 is 4294967295");
    Path zero = write(dir.resolve("zero"), idx(0x08, new int[] {3, 0, 5}, new byte[0]));
    assertError(() -> Idx.read(zero), "dimension 1 is 0");
    // 1 GB declared: checked against the file's size before allocating
    Path big = write(dir.resolve("big"), idx(0x08, new int[] {1000, 1000, 1000}, new byte[10]));
    assertError(() -> Idx.read(big), "truncated", "need 1,000,000,000 data bytes");
    // the same inside gzip: the buffer only grows as data arrives
    Path bigz = write(dir.resolve("big.gz"),
        gzip(idx(0x08, new int[] {1000, 1000, 1000}, new byte[10])));
    assertError(() -> Idx.read(bigz), "truncated", "the file has 10 (after gunzip)");
  }

  @Test
  void missingFile() {
    assertError(() -> Idx.read(dir.resolve("nope.gz")), "nope.gz: no such file");
    assertError(() -> Idx.read(dir), "not a regular file");
  }
}
