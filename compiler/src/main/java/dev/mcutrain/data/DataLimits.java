package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import java.util.Locale;

/** Size guards applied before allocating, so a malformed or huge input is an error, not an OOM. */
final class DataLimits {
  private DataLimits() {}

  /** The largest Java byte array this code allocates. */
  static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

  /** The most pixels one image may have (8192 x 8192). */
  static final long MAX_IMAGE_PIXELS = 1L << 26;

  /** Half the maximum Java heap: the most that decoded data may take. */
  static long heapBudget() {
    return Runtime.getRuntime().maxMemory() / 2;
  }

  /**
   * @throws McuTrainException if {@code bytes} exceed {@link #heapBudget()}, naming {@code what}
   *     and suggesting {@code remedy}
   */
  static void checkHeap(long bytes, String what, String remedy) {
    long budget = heapBudget();
    if (bytes > budget) {
      throw new McuTrainException(what + " need " + mb(bytes) + " of memory, more than half of "
          + "the Java heap (" + mb(Runtime.getRuntime().maxMemory()) + "): " + remedy);
    }
  }

  static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }
}
