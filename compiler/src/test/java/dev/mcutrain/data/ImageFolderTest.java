package dev.mcutrain.data;

import static dev.mcutrain.data.Fixtures.assertError;
import static dev.mcutrain.data.Fixtures.gray;
import static dev.mcutrain.data.Fixtures.p2;
import static dev.mcutrain.data.Fixtures.p5;
import static dev.mcutrain.data.Fixtures.rgb;
import static dev.mcutrain.data.Fixtures.write;
import static dev.mcutrain.data.Fixtures.writeImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ImageFolder} and its PGM decoder: formats, sizes, ordering, ignored files, errors. */
class ImageFolderTest {
  @TempDir Path dir;

  private static void assertSame(Image expected, Image actual) {
    assertEquals(expected.describe(), actual.describe());
    assertArrayEquals(expected.pixels(), actual.pixels());
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void readsEveryFormatAtItsOwnSizeWithClassesInNameOrder() throws IOException {
    Image png = gray(5, 7, 10);
    Image bmp = rgb(4, 4, 50);
    Image pgm2 = gray(2, 3, 200);
    Image pgm5 = gray(6, 5, 0);
    Image jpg = rgb(8, 8, 0);
    Image gif = gray(6, 3, 90); // (JDK ImageIO mangles interlaced GIFs of 2-4 rows)
    Image zebra = rgb(2, 9, 7);
    writeImage(dir.resolve("cat/1.png"), png, "png");
    writeImage(dir.resolve("cat/2.bmp"), bmp, "bmp");
    write(dir.resolve("cat/3.pgm"), p2(pgm2));
    writeImage(dir.resolve("dog/a.jpeg"), jpg, "jpeg");
    write(dir.resolve("dog/b.PGM"), p5(pgm5));
    writeImage(dir.resolve("dog/c.gif"), gif, "gif");
    writeImage(dir.resolve("zebra/z.PNG"), zebra, "png");
    // ignored: other extensions, hidden files and folders, files at the top, nested folders
    write(dir.resolve("dog/notes.txt"), ascii("not an image"));
    write(dir.resolve("dog/.hidden.png"), ascii("not an image either"));
    write(dir.resolve(".git/x.png"), ascii("?"));
    write(dir.resolve("README.png"), ascii("?"));
    write(dir.resolve("cat/deeper/x.png"), ascii("?"));

    LabeledImages li = ImageFolder.read(dir);
    assertEquals(List.of("cat", "dog", "zebra"), li.classNames());
    assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1, 2}, li.labels());
    assertSame(png, li.image(0));
    assertSame(bmp, li.image(1));
    assertSame(pgm2, li.image(2));
    Image j = li.image(3); // lossy: same size and channels, values close to the original
    assertEquals("8x8x3", j.describe());
    double err = 0;
    for (int i = 0; i < j.pixels().length; i++) {
      err += Math.abs((j.pixels()[i] & 0xff) - (jpg.pixels()[i] & 0xff));
    }
    assertTrue(err / j.pixels().length < 40, "mean JPEG error " + err / j.pixels().length);
    assertSame(pgm5, li.image(4));
    assertSame(gif, li.image(5));
    assertSame(zebra, li.image(6));
    assertTrue(ImageFolder.looksLike(dir));
    assertFalse(ImageFolder.looksLike(dir.resolve("cat/deeper")));
  }

  @Test
  void grayJpegStaysGray() {
    Image g = new Image(8, 8, 1, new byte[64]);
    java.util.Arrays.fill(g.pixels(), (byte) 100);
    Image back = ImageFolder.readImage(writeImage(dir.resolve("g.jpg"), g, "jpeg"));
    assertEquals("8x8x1", back.describe());
    assertEquals(100, back.get(4, 4, 0), 2);
  }

  @Test
  void pgmMaxvalsAreScaledTo8Bits() {
    // P5 with maxval 65535: two bytes per sample, big-endian
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(ascii("P5 3 1 65535\n"));
    b.writeBytes(new byte[] {0, 0, (byte) 0x80, 0x00, (byte) 0xff, (byte) 0xff});
    Image wide = ImageFolder.readImage(write(dir.resolve("w.pgm"), b.toByteArray()));
    assertArrayEquals(new byte[] {0, (byte) 128, (byte) 255}, wide.pixels());
    // P5 with maxval 1000 (two bytes) and P2 with maxval 15
    b.reset();
    b.writeBytes(ascii("P5\n2 1\n1000\n"));
    b.writeBytes(new byte[] {0x01, (byte) 0xf4, 0x03, (byte) 0xe8}); // 500, 1000
    Image thousand = ImageFolder.readImage(write(dir.resolve("k.pgm"), b.toByteArray()));
    assertArrayEquals(new byte[] {(byte) 128, (byte) 255}, thousand.pixels());
    Image fifteen = ImageFolder.readImage(write(dir.resolve("f.pgm"),
        ascii("P2\n#comment\n4 1 # more\n15\n0 1\n7 15\n")));
    assertArrayEquals(new byte[] {0, 17, 119, (byte) 255}, fifteen.pixels());
    Image one = ImageFolder.readImage(write(dir.resolve("b.pgm"), ascii("P2 2 1 1 0 1")));
    assertArrayEquals(new byte[] {0, (byte) 255}, one.pixels());
  }

  @Test
  void pgmErrorsNameTheFile() {
    Path p6 = write(dir.resolve("p6.pgm"), ascii("P6 1 1 255\n\0\0\0"));
    assertError(() -> ImageFolder.readImage(p6), p6.toString(), "not a PGM file");
    Path above = write(dir.resolve("above.pgm"), ascii("P2 2 1 10 3 11"));
    assertError(() -> ImageFolder.readImage(above), "sample 11 is above maxval 10");
    Path shortP5 = write(dir.resolve("short.pgm"), ascii("P5 4 4 255\n0123456789"));
    assertError(() -> ImageFolder.readImage(shortP5), "truncated", "needs 16 bytes");
    Path shortP2 = write(dir.resolve("short2.pgm"), ascii("P2 3 3 255 1 2 3 4 5 6 7 8"));
    assertError(() -> ImageFolder.readImage(shortP2), "truncated");
    Path extra = write(dir.resolve("extra.pgm"), ascii("P5 1 1 255\nAB"));
    assertError(() -> ImageFolder.readImage(extra), "1 unexpected bytes after the image");
    Path empty = write(dir.resolve("empty.pgm"), ascii("P2 0 5 255\n"));
    assertError(() -> ImageFolder.readImage(empty), "PGM size 0x5 is empty");
    Path maxval = write(dir.resolve("maxval.pgm"), ascii("P2 1 1 70000 1"));
    assertError(() -> ImageFolder.readImage(maxval), "maxval 70000 is not in 1..65535");
    Path junk = write(dir.resolve("junk.pgm"), ascii("P2 1 x 255 1"));
    assertError(() -> ImageFolder.readImage(junk), "expected a number for height", "'x'");
    Path huge = write(dir.resolve("huge.pgm"), ascii("P5 100000 100000 255\n0"));
    assertError(() -> ImageFolder.readImage(huge), "too large");
    Path endless = write(dir.resolve("comment.pgm"), ascii("P2 # only a comment"));
    assertError(() -> ImageFolder.readImage(endless), "truncated: width");
  }

  @Test
  void corruptAndUnrecognizedImagesNameTheFile() {
    writeImage(dir.resolve("a/1.png"), gray(2, 2, 0), "png");
    byte[] sig = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    byte[] corrupt = new byte[40];
    System.arraycopy(sig, 0, corrupt, 0, 8);
    Path bad = write(dir.resolve("b/broken.png"), corrupt);
    assertError(() -> ImageFolder.read(dir), bad.toString());
    Path text = write(dir.resolve("b/broken.png"), ascii("hello, I am text"));
    assertError(() -> ImageFolder.read(dir), text.toString(), "not a PNG, BMP, JPEG or GIF");
    Path empty = write(dir.resolve("b/broken.png"), new byte[0]);
    assertError(() -> ImageFolder.read(dir), empty.toString());
  }

  @Test
  void aPngDeclaringAHugeSizeIsRejectedBeforeDecoding() {
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put(ascii("IHDR")).putInt(100000).putInt(100000).put((byte) 8).put((byte) 0)
        .put((byte) 0).put((byte) 0).put((byte) 0);
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}).putInt(13)
        .put(ihdr.array()).putInt((int) crc.getValue());
    Path f = write(dir.resolve("huge.png"), png.array());
    assertError(() -> ImageFolder.readImage(f), f.toString(), "100000x100000", "too large");
  }

  @Test
  void folderErrors() throws IOException {
    assertError(() -> ImageFolder.read(dir.resolve("missing")), "missing: no such image folder");
    assertError(() -> ImageFolder.read(dir), "no class subfolders");
    writeImage(dir.resolve("cat/1.png"), gray(2, 2, 0), "png");
    assertError(() -> ImageFolder.read(dir), "only one class subfolder (cat)",
        "needs at least two classes");
    Files.createDirectories(dir.resolve("dog"));
    write(dir.resolve("dog/readme.txt"), ascii("no images here"));
    assertError(() -> ImageFolder.read(dir), "class 'dog' has no images", ".png");
    assertFalse(ImageFolder.looksLike(dir.resolve("dog")));
  }
}
