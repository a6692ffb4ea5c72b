package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Netpbm gray maps: P2 (ASCII) and P5 (binary, 1 byte per sample up to maxval 255, 2 bytes
 * big-endian up to 65535). Comments ({@code #} to end of line) are allowed in the header; samples
 * are scaled to 0..255 (rounded).
 */
final class Pgm {
  private Pgm() {}

  static Image read(Path f) {
    byte[] b;
    try {
      b = Files.readAllBytes(f);
    } catch (IOException e) {
      throw new McuTrainException(f + ": cannot read (" + e.getMessage() + ")");
    }
    int[] pos = {0};
    String magic = token(b, pos, f);
    if (!magic.equals("P2") && !magic.equals("P5")) {
      throw new McuTrainException(f + ": not a PGM file (magic '" + clip(magic) + "')");
    }
    int w = number(b, pos, f, "width");
    int h = number(b, pos, f, "height");
    int max = number(b, pos, f, "maxval");
    if (w < 1 || h < 1 || (long) w * h > 64L << 20 || max < 1 || max > 65535) {
      throw new McuTrainException(f + ": bad PGM header (" + w + "x" + h + ", maxval " + max
          + ")");
    }
    byte[] px = new byte[w * h];
    if (magic.equals("P2")) {
      for (int i = 0; i < px.length; i++) {
        px[i] = scale(number(b, pos, f, "pixel"), max, f);
      }
    } else {
      pos[0]++; // the single whitespace after maxval
      int bps = max > 255 ? 2 : 1;
      if (b.length - pos[0] < (long) px.length * bps) {
        throw new McuTrainException(f + ": truncated PGM data");
      }
      for (int i = 0; i < px.length; i++) {
        int o = pos[0] + i * bps;
        int v = bps == 1 ? b[o] & 0xff : ((b[o] & 0xff) << 8) | (b[o + 1] & 0xff);
        px[i] = scale(v, max, f);
      }
    }
    return new Image(h, w, 1, px);
  }

  private static byte scale(int v, int max, Path f) {
    if (v < 0 || v > max) {
      throw new McuTrainException(f + ": PGM sample " + v + " above maxval " + max);
    }
    return (byte) ((v * 255 + max / 2) / max);
  }

  private static String clip(String s) {
    return s.length() > 8 ? s.substring(0, 8) + "..." : s;
  }

  private static String token(byte[] b, int[] pos, Path f) {
    int i = pos[0];
    while (i < b.length) {
      if (b[i] == '#') {
        while (i < b.length && b[i] != '\n') {
          i++;
        }
      } else if (Character.isWhitespace(b[i])) {
        i++;
      } else {
        break;
      }
    }
    int start = i;
    while (i < b.length && !Character.isWhitespace(b[i]) && i - start < 16) {
      i++;
    }
    if (start == i) {
      throw new McuTrainException(f + ": truncated PGM file");
    }
    pos[0] = i;
    return new String(b, start, i - start, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static int number(byte[] b, int[] pos, Path f, String what) {
    String t = token(b, pos, f);
    try {
      return Integer.parseInt(t);
    } catch (NumberFormatException e) {
      throw new McuTrainException(f + ": bad PGM " + what + " '" + clip(t) + "'");
    }
  }
}
