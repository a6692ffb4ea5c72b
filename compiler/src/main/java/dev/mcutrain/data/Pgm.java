package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import java.nio.file.Path;

/**
 * A decoder for PGM (netpbm graymap) images, which javax.imageio does not read: {@code P2} (plain,
 * ASCII decimal samples) and {@code P5} (raw, binary samples: one byte each when maxval is below
 * 256, else two bytes big-endian), maxval 1..65535. The header is magic, width, height, maxval,
 * separated by whitespace, with {@code #} comments running to the end of the line; a P5 header
 * ends with one whitespace byte before the raster. Samples are scaled to 8 bits as
 * {@code (v * 255 + maxval / 2) / maxval} (integer division; exact for maxval 255). Only one
 * image per file; anything after it other than whitespace is an error.
 */
final class Pgm {
  private final Path file;
  private final byte[] b;
  private int pos;

  private Pgm(Path file, byte[] bytes) {
    this.file = file;
    this.b = bytes;
  }

  /** Decodes the bytes of {@code file}; errors are one-line and name the file. */
  static Image decode(Path file, byte[] bytes) {
    return new Pgm(file, bytes).decode();
  }

  /** Whether {@code bytes} start like a PGM file. */
  static boolean looksLike(byte[] bytes) {
    return bytes.length >= 2 && bytes[0] == 'P' && (bytes[1] == '2' || bytes[1] == '5');
  }

  private Image decode() {
    if (!looksLike(b)) {
      throw error("not a PGM file (it must start with P2 or P5)");
    }
    boolean plain = b[1] == '2';
    pos = 2;
    if (pos < b.length && !isSpace(b[pos]) && b[pos] != '#') {
      throw error("not a PGM file (P" + (char) b[1] + " must be followed by whitespace)");
    }
    int width = headerNumber("width");
    int height = headerNumber("height");
    int maxval = headerNumber("maxval");
    if (width == 0 || height == 0) {
      throw error("PGM size " + width + "x" + height + " is empty");
    }
    if (maxval == 0 || maxval > 65535) {
      throw error("PGM maxval " + maxval + " is not in 1..65535");
    }
    long pixels = (long) width * height;
    if (pixels > DataLimits.MAX_IMAGE_PIXELS) {
      throw error("PGM size " + width + "x" + height + " is too large (at most "
          + DataLimits.count(DataLimits.MAX_IMAGE_PIXELS) + " pixels)");
    }
    int bytesPerSample = maxval < 256 ? 1 : 2;
    long minBytes = plain ? 2 * pixels - 1 : pixels * bytesPerSample; // "d d d ..." at least
    if (pos + minBytes > b.length) {
      throw error("truncated: a " + width + "x" + height + " PGM needs "
          + (plain ? "at least " : "") + DataLimits.count(minBytes)
          + " bytes of samples, the file has " + DataLimits.count(Math.max(0, b.length - pos)));
    }
    byte[] out = new byte[(int) pixels];
    if (plain) {
      for (int i = 0; i < out.length; i++) {
        out[i] = scale(sample(plainNumber("sample " + i), maxval), maxval);
      }
      skipSpaceAndComments();
    } else {
      if (pos >= b.length || !isSpace(b[pos])) {
        throw error("P5 header must end with one whitespace byte after maxval");
      }
      pos++;
      if (pos + pixels * bytesPerSample > b.length) {
        throw error("truncated: a " + width + "x" + height + " P5 image needs "
            + DataLimits.count(pixels * bytesPerSample) + " bytes of samples, the file has "
            + DataLimits.count(b.length - pos));
      }
      for (int i = 0; i < out.length; i++) {
        int v = bytesPerSample == 1 ? b[pos] & 0xff : ((b[pos] & 0xff) << 8) | (b[pos + 1] & 0xff);
        pos += bytesPerSample;
        out[i] = scale(sample(v, maxval), maxval);
      }
      while (pos < b.length && isSpace(b[pos])) {
        pos++;
      }
    }
    if (pos < b.length) {
      throw error((b.length - pos) + " unexpected bytes after the image (only one image per PGM"
          + " file is supported)");
    }
    return new Image(height, width, 1, out);
  }

  private int sample(int v, int maxval) {
    if (v > maxval) {
      throw error("PGM sample " + v + " is above maxval " + maxval);
    }
    return v;
  }

  private static byte scale(int v, int maxval) {
    return (byte) (maxval == 255 ? v : (v * 255 + maxval / 2) / maxval);
  }

  private int headerNumber(String what) {
    skipSpaceAndComments();
    return number(what + " in the PGM header");
  }

  private int plainNumber(String what) {
    skipSpaceAndComments();
    return number(what);
  }

  /** A decimal number of at most 9 digits at {@code pos}. */
  private int number(String what) {
    if (pos >= b.length) {
      throw error("truncated: " + what + " is missing");
    }
    int start = pos;
    long v = 0;
    while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
      if (pos - start >= 9) {
        throw error(what + " is too large");
      }
      v = v * 10 + (b[pos] - '0');
      pos++;
    }
    if (pos == start) {
      throw error("expected a number for " + what + ", found " + describeByte(b[pos]));
    }
    if (pos < b.length && !isSpace(b[pos]) && b[pos] != '#') {
      throw error("expected whitespace after " + what + ", found " + describeByte(b[pos]));
    }
    return (int) v;
  }

  private void skipSpaceAndComments() {
    while (pos < b.length) {
      if (isSpace(b[pos])) {
        pos++;
      } else if (b[pos] == '#') {
        while (pos < b.length && b[pos] != '\n' && b[pos] != '\r') {
          pos++;
        }
      } else {
        return;
      }
    }
  }

  private static boolean isSpace(byte c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == 0x0c;
  }

  private static String describeByte(byte c) {
    return c >= 0x21 && c < 0x7f ? "'" + (char) c + "'" : String.format("byte 0x%02x", c & 0xff);
  }

  private McuTrainException error(String what) {
    return new McuTrainException(file + ": " + what);
  }
}
