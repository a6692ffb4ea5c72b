package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader of IDX files (the MNIST format): magic {@code 00 00 08 R} (unsigned bytes, rank R),
 * R big-endian u32 dimensions, then the bytes. Files ending in {@code .gz} are gunzipped.
 */
public final class Idx {
  /** Largest payload accepted (the biggest Fashion-MNIST file is 47 MB). */
  static final long MAX_BYTES = 1L << 30;

  /** Decoded file: dimensions and unsigned bytes. */
  public record Data(int[] dims, byte[] bytes) {}

  private Idx() {}

  /** Reads a file of rank {@code rank}. */
  public static Data read(Path file, int rank) {
    byte[] raw;
    try (InputStream in = open(file)) {
      raw = readCapped(in, file);
    } catch (NoSuchFileException e) {
      throw new McuTrainException(file + ": no such file");
    } catch (java.util.zip.ZipException | java.io.EOFException e) {
      throw new McuTrainException(file + ": not a valid gzip file (" + e.getMessage() + ")");
    } catch (IOException e) {
      throw new McuTrainException(file + ": cannot read (" + e.getMessage() + ")");
    }
    if (raw.length < 4) {
      throw new McuTrainException(file + ": too short for an IDX file (" + raw.length
          + " bytes)");
    }
    if (raw[0] != 0 || raw[1] != 0) {
      throw new McuTrainException(file + ": not an IDX file (bad magic number)");
    }
    if (raw[2] != 0x08) {
      throw new McuTrainException(file + ": IDX element type 0x"
          + Integer.toHexString(raw[2] & 0xff) + " is not supported (only unsigned bytes, 0x08)");
    }
    if (raw[3] != rank) {
      throw new McuTrainException(file + ": IDX rank " + raw[3] + ", expected " + rank);
    }
    if (raw.length < 4 + 4 * rank) {
      throw new McuTrainException(file + ": truncated IDX header");
    }
    int[] dims = new int[rank];
    long n = 1;
    for (int i = 0; i < rank; i++) {
      int o = 4 + 4 * i;
      long d = ((raw[o] & 0xffL) << 24) | ((raw[o + 1] & 0xff) << 16) | ((raw[o + 2] & 0xff) << 8)
          | (raw[o + 3] & 0xff);
      if (d < 1 || d > Integer.MAX_VALUE) {
        throw new McuTrainException(file + ": IDX dimension " + i + " is " + d);
      }
      dims[i] = (int) d;
      n *= d;
      if (n > MAX_BYTES) {
        throw new McuTrainException(file + ": IDX dimensions declare more than "
            + MAX_BYTES + " bytes");
      }
    }
    int header = 4 + 4 * rank;
    if (raw.length - header != n) {
      throw new McuTrainException(file + ": IDX dimensions declare " + n + " bytes but the file "
          + "holds " + (raw.length - header) + (raw.length - header < n ? " (truncated)" : ""));
    }
    byte[] bytes = new byte[(int) n];
    System.arraycopy(raw, header, bytes, 0, bytes.length);
    return new Data(dims, bytes);
  }

  private static InputStream open(Path file) throws IOException {
    InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    return file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
  }

  private static byte[] readCapped(InputStream in, Path file) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
    byte[] buf = new byte[1 << 16];
    long total = 0;
    for (int r; (r = in.read(buf)) > 0; ) {
      total += r;
      if (total > MAX_BYTES + 64) {
        throw new McuTrainException(file + ": larger than " + MAX_BYTES + " bytes");
      }
      out.write(buf, 0, r);
    }
    return out.toByteArray();
  }
}
