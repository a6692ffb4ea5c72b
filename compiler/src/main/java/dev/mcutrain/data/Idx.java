package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * An IDX file (the MNIST format), read whole and validated.
 *
 * <pre>
 *   bytes 0-1   0x00 0x00
 *   byte  2     element type: 0x08 = unsigned byte (the only type supported here)
 *   byte  3     rank r (at least 1)
 *   r x int32   dimensions, big-endian, each positive
 *   payload     product(dimensions) elements, row-major
 * </pre>
 *
 * Images are magic {@code 0x00000803} ({@code [N, H, W]}), labels {@code 0x00000801}
 * ({@code [N]}). A file whose name ends in {@code .gz} must be gzip-compressed and is gunzipped;
 * gzip data under another name is gunzipped too (recognized by its magic {@code 1f 8b}). The
 * payload must be exactly as long as the dimensions say; sizes are checked against the file (or,
 * for gzip, against the data as it arrives) before memory is allocated for them.
 */
public final class Idx {
  /** The IDX element type code for unsigned bytes. */
  public static final int UNSIGNED_BYTE = 0x08;

  private final Path file;
  private final int[] dims;
  private final byte[] data;

  private Idx(Path file, int[] dims, byte[] data) {
    this.file = file;
    this.dims = dims;
    this.data = data;
  }

  /**
   * Reads and validates {@code file}.
   *
   * @throws McuTrainException (one line, naming the file) if it is missing, unreadable, not IDX,
   *     not unsigned bytes, or its payload does not match its dimensions
   */
  public static Idx read(Path file) {
    if (!Files.exists(file)) {
      throw new McuTrainException(file + ": no such file");
    }
    if (!Files.isRegularFile(file)) {
      throw new McuTrainException(file + ": not a regular file");
    }
    boolean gzName = file.getFileName().toString().toLowerCase().endsWith(".gz");
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      raw.mark(2);
      boolean gzMagic = raw.read() == 0x1f && raw.read() == 0x8b;
      raw.reset();
      if (gzName && !gzMagic) {
        throw new McuTrainException(file + ": not in gzip format (the name ends in .gz but the "
            + "data does not start with the gzip magic 1f 8b)");
      }
      if (gzMagic) {
        try (InputStream in = new GZIPInputStream(raw, 1 << 16)) {
          return parse(file, in, -1);
        }
      }
      return parse(file, raw, Files.size(file));
    } catch (ZipException e) {
      throw new McuTrainException(file + ": corrupt gzip data (" + e.getMessage() + ")");
    } catch (EOFException e) {
      throw new McuTrainException(file + ": truncated gzip data (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new McuTrainException(file + ": cannot read (" + e + ")");
    }
  }

  /** @param fileSize the size of an uncompressed file, or -1 for a stream of unknown length */
  private static Idx parse(Path file, InputStream in, long fileSize) throws IOException {
    byte[] head = new byte[4];
    int n = readUpTo(in, head, 0, 4);
    if (n < 4) {
      throw new McuTrainException(file + ": too short for an IDX file (" + n + " bytes)");
    }
    int magic = ((head[0] & 0xff) << 24) | ((head[1] & 0xff) << 16) | ((head[2] & 0xff) << 8)
        | (head[3] & 0xff);
    if (head[0] != 0 || head[1] != 0) {
      throw new McuTrainException(file + ": not an IDX file (magic " + hex(magic)
          + "; IDX starts with 00 00, then type and rank, e.g. 0x00000803)");
    }
    int type = head[2] & 0xff;
    if (type != UNSIGNED_BYTE) {
      throw new McuTrainException(file + ": IDX element type " + String.format("0x%02x", type)
          + typeName(type) + " is not supported: only unsigned byte (0x08)");
    }
    int rank = head[3] & 0xff;
    if (rank == 0) {
      throw new McuTrainException(file + ": IDX rank is 0 (magic " + hex(magic) + ")");
    }
    byte[] dimBytes = new byte[4 * rank];
    if (readUpTo(in, dimBytes, 0, dimBytes.length) < dimBytes.length) {
      throw new McuTrainException(file + ": truncated IDX header (rank " + rank + " needs "
          + rank + " dimensions)");
    }
    int[] dims = new int[rank];
    long elements = 1;
    for (int i = 0; i < rank; i++) {
      dims[i] = ((dimBytes[4 * i] & 0xff) << 24) | ((dimBytes[4 * i + 1] & 0xff) << 16)
          | ((dimBytes[4 * i + 2] & 0xff) << 8) | (dimBytes[4 * i + 3] & 0xff);
      if (dims[i] <= 0) {
        throw new McuTrainException(file + ": IDX dimension " + i + " is "
            + Integer.toUnsignedString(dims[i]) + " (must be between 1 and 2^31-1)");
      }
      elements *= dims[i]; // both factors < 2^31 and elements <= MAX_ARRAY here: no overflow
      if (elements > DataLimits.MAX_ARRAY) {
        throw new McuTrainException(file + ": IDX dimensions " + describe(dims, i + 1)
            + " declare more than " + DataLimits.count(DataLimits.MAX_ARRAY)
            + " bytes, too large to load");
      }
    }
    String shape = Arrays.toString(dims);
    long header = 4 + 4L * rank;
    if (fileSize >= 0 && fileSize - header != elements) {
      long have = fileSize - header;
      throw new McuTrainException(file + ": " + (have < elements ? "truncated" : "oversized")
          + ": dimensions " + shape + " need " + DataLimits.count(elements)
          + " data bytes, the file has " + DataLimits.count(have));
    }
    DataLimits.checkHeap(elements, file + ": dimensions " + shape, "the file is too large");
    byte[] data = readExactly(file, in, (int) elements, shape, fileSize < 0);
    return new Idx(file, dims, data);
  }

  /**
   * Reads exactly {@code expected} bytes and checks that the stream ends there. The buffer grows
   * as data arrives, so declared sizes far beyond the real data never get allocated.
   */
  private static byte[] readExactly(Path file, InputStream in, int expected, String shape,
      boolean compressed) throws IOException {
    String where = compressed ? " (after gunzip)" : "";
    byte[] buf = new byte[Math.min(expected, 1 << 20)];
    int have = 0;
    while (have < expected) {
      if (have == buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min(expected, 2L * buf.length));
      }
      int r = in.read(buf, have, buf.length - have);
      if (r < 0) {
        throw new McuTrainException(file + ": truncated: dimensions " + shape + " need "
            + DataLimits.count(expected) + " data bytes, the file has " + DataLimits.count(have)
            + where);
      }
      have += r;
    }
    if (in.read() >= 0) {
      throw new McuTrainException(file + ": oversized: data continues after the "
          + DataLimits.count(expected) + " bytes of dimensions " + shape + where);
    }
    return buf;
  }

  private static int readUpTo(InputStream in, byte[] b, int off, int len) throws IOException {
    int n = 0;
    while (n < len) {
      int r = in.read(b, off + n, len - n);
      if (r < 0) {
        break;
      }
      n += r;
    }
    return n;
  }

  private static String hex(int magic) {
    return String.format("0x%08x", magic);
  }

  private static String describe(int[] dims, int n) {
    return Arrays.toString(Arrays.copyOf(dims, n)).replace("]", n < dims.length ? ", ...]" : "]");
  }

  private static String typeName(int type) {
    return switch (type) {
      case 0x09 -> " (signed byte)";
      case 0x0B -> " (int16)";
      case 0x0C -> " (int32)";
      case 0x0D -> " (float32)";
      case 0x0E -> " (float64)";
      default -> " (unknown)";
    };
  }

  /** The file this was read from. */
  public Path file() {
    return file;
  }

  /** A copy of the dimensions. */
  public int[] dims() {
    return dims.clone();
  }

  public int rank() {
    return dims.length;
  }

  /** The first dimension: the number of items. */
  public int count() {
    return dims[0];
  }

  /** A copy of the payload (unsigned bytes, row-major). */
  public byte[] data() {
    return data.clone();
  }

  /**
   * The payload as {@code N} grayscale {@code H x W} images.
   *
   * @throws McuTrainException unless the file is an image file (rank 3, magic 0x00000803)
   */
  public List<Image> images() {
    if (dims.length != 3) {
      throw new McuTrainException(file + ": not an IDX image file: expected dimensions [N, H, W]"
          + " (magic 0x00000803), found " + Arrays.toString(dims));
    }
    int h = dims[1];
    int w = dims[2];
    if ((long) h * w > DataLimits.MAX_IMAGE_PIXELS) {
      throw new McuTrainException(file + ": images of " + h + "x" + w + " pixels are too large");
    }
    List<Image> out = new ArrayList<>(dims[0]);
    for (int i = 0; i < dims[0]; i++) {
      out.add(new Image(h, w, 1, Arrays.copyOfRange(data, i * h * w, (i + 1) * h * w)));
    }
    return out;
  }

  /**
   * The payload as labels 0..255.
   *
   * @throws McuTrainException unless the file is a label file (rank 1, magic 0x00000801)
   */
  public int[] labels() {
    if (dims.length != 1) {
      throw new McuTrainException(file + ": not an IDX label file: expected dimensions [N]"
          + " (magic 0x00000801), found " + Arrays.toString(dims));
    }
    int[] l = new int[dims[0]];
    for (int i = 0; i < l.length; i++) {
      l[i] = data[i] & 0xff;
    }
    return l;
  }
}
