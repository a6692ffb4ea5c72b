package dev.mcutrain.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.McuTrainException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.function.Executable;

/** Test data written at test time: IDX, PGM and ImageIO images, and error assertions. */
final class Fixtures {
  private Fixtures() {}

  /** An IDX header with type byte {@code type} and these dims, then {@code payload}. */
  static byte[] idx(int type, int[] dims, byte[] payload) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0);
    b.write(0);
    b.write(type);
    b.write(dims.length);
    for (int d : dims) {
      b.write(d >>> 24);
      b.write(d >>> 16);
      b.write(d >>> 8);
      b.write(d);
    }
    b.writeBytes(payload);
    return b.toByteArray();
  }

  /** Unsigned-byte IDX with a payload of {@code 0, 1, 2, ...} (mod 256). */
  static byte[] idx(int... dims) {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    byte[] p = new byte[(int) n];
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) i;
    }
    return idx(0x08, dims, p);
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (OutputStream z = new GZIPOutputStream(b)) {
      z.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  static Path write(Path file, byte[] bytes) {
    try {
      Files.createDirectories(file.getParent());
      return Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code labels} as an IDX label file, gzipped if the name ends in .gz. */
  static Path labelsFile(Path file, int... labels) {
    byte[] p = new byte[labels.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) labels[i];
    }
    byte[] idx = idx(0x08, new int[] {labels.length}, p);
    return write(file, file.toString().endsWith(".gz") ? gzip(idx) : idx);
  }

  /** Writes {@code n} {@code h x w} images (image i filled with value i*10+pixel) as IDX. */
  static Path imagesFile(Path file, int n, int h, int w) {
    byte[] p = new byte[n * h * w];
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < h * w; k++) {
        p[i * h * w + k] = (byte) (i * 10 + k);
      }
    }
    byte[] idx = idx(0x08, new int[] {n, h, w}, p);
    return write(file, file.toString().endsWith(".gz") ? gzip(idx) : idx);
  }

  /** A gray image whose pixel k is {@code base + k} (mod 256). */
  static Image gray(int h, int w, int base) {
    byte[] p = new byte[h * w];
    for (int k = 0; k < p.length; k++) {
      p[k] = (byte) (base + k);
    }
    return new Image(h, w, 1, p);
  }

  /** An RGB image whose pixel k has (base + k, base + 2k, base + 3k) (mod 256). */
  static Image rgb(int h, int w, int base) {
    byte[] p = new byte[h * w * 3];
    for (int k = 0; k < h * w; k++) {
      p[3 * k] = (byte) (base + k);
      p[3 * k + 1] = (byte) (base + 2 * k);
      p[3 * k + 2] = (byte) (base + 3 * k);
    }
    return new Image(h, w, 3, p);
  }

  /** Writes {@code im} with ImageIO in {@code format} (png, bmp, jpeg, gif). */
  static Path writeImage(Path file, Image im, String format) {
    int type = im.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_3BYTE_BGR;
    BufferedImage bi = new BufferedImage(im.width(), im.height(), type);
    for (int y = 0; y < im.height(); y++) {
      for (int x = 0; x < im.width(); x++) {
        if (im.channels() == 1) {
          bi.getRaster().setSample(x, y, 0, im.get(y, x, 0));
        } else {
          bi.setRGB(x, y, (im.get(y, x, 0) << 16) | (im.get(y, x, 1) << 8) | im.get(y, x, 2));
        }
      }
    }
    try {
      Files.createDirectories(file.getParent());
      if (!ImageIO.write(bi, format, file.toFile())) {
        throw new IllegalStateException("no ImageIO writer for " + format);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /** A binary (P5) PGM of {@code im} (gray) with maxval 255. */
  static byte[] p5(Image im) {
    byte[] head = ("P5\n# made by a test\n" + im.width() + " " + im.height() + "\n255\n")
        .getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(head);
    b.writeBytes(im.pixels());
    return b.toByteArray();
  }

  /** A plain (P2) PGM of {@code im} (gray) with maxval 255. */
  static byte[] p2(Image im) {
    StringBuilder s = new StringBuilder("P2\n" + im.width() + " " + im.height() + "\n# c\n255\n");
    for (int y = 0; y < im.height(); y++) {
      for (int x = 0; x < im.width(); x++) {
        s.append(im.get(y, x, 0)).append(x + 1 < im.width() ? " " : "\n");
      }
    }
    return s.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * Asserts that {@code e} throws a one-line McuTrainException containing every fragment; returns
   * the message.
   */
  static String assertError(Executable e, String... fragments) {
    McuTrainException ex = assertThrows(McuTrainException.class, e);
    String m = ex.getMessage();
    assertFalse(m.contains("\n"), "one line: " + m);
    for (String f : fragments) {
      assertTrue(m.contains(f), "message should contain '" + f + "': " + m);
    }
    return m;
  }
}
