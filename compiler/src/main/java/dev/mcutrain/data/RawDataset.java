package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The raw training data format: {@code DIR/samples.bin} holds N input tensors back to back (int8,
 * the model's packed input layout) and {@code DIR/labels.bin} holds N label bytes (0..255).
 */
public final class RawDataset {
  private final byte[] samples;
  private final byte[] labels;
  private final int sampleBytes;

  private RawDataset(byte[] samples, byte[] labels, int sampleBytes) {
    this.samples = samples;
    this.labels = labels;
    this.sampleBytes = sampleBytes;
  }

  /**
   * Reads and validates a dataset for a model whose input has {@code sampleBytes} bytes and whose
   * classifier has {@code classes} outputs.
   */
  public static RawDataset read(Path dir, int sampleBytes, int classes) {
    byte[] s = readFile(dir.resolve("samples.bin"));
    byte[] l = readFile(dir.resolve("labels.bin"));
    if (l.length == 0) {
      throw new McuTrainException(dir.resolve("labels.bin") + " is empty");
    }
    if ((long) l.length * sampleBytes != s.length) {
      throw new McuTrainException(dir.resolve("samples.bin") + " has " + s.length + " bytes, but "
          + l.length + " labels need " + l.length + " samples of " + sampleBytes
          + " bytes (the model's input) = " + (long) l.length * sampleBytes + " bytes");
    }
    for (int i = 0; i < l.length; i++) {
      int label = l[i] & 0xff;
      if (label >= classes) {
        throw new McuTrainException(dir.resolve("labels.bin") + ": label " + label + " at index "
            + i + " is not below the number of classes (" + classes + ")");
      }
    }
    return new RawDataset(s, l, sampleBytes);
  }

  private static byte[] readFile(Path p) {
    try {
      if (Files.isRegularFile(p) && Files.size(p) > Integer.MAX_VALUE - 8) {
        throw new McuTrainException(p + ": too large (" + Files.size(p) + " bytes; at most 2 GB)");
      }
      return Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      throw new McuTrainException(p + ": no such file");
    } catch (IOException e) {
      throw new McuTrainException(p + ": cannot read (" + e.getMessage() + ")");
    }
  }

  public int size() {
    return labels.length;
  }

  public byte[] sample(int i) {
    byte[] b = new byte[sampleBytes];
    System.arraycopy(samples, i * sampleBytes, b, 0, sampleBytes);
    return b;
  }

  public int label(int i) {
    return labels[i] & 0xff;
  }
}
