package dev.mcutrain.train.spec;

import dev.mcutrain.McuTrainException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory budgets written as bytes: a positive whole number, optionally followed by {@code K}
 * (×1024) or {@code M} (×1048576), upper or lower case: {@code 262144}, {@code 256K}, {@code 1M}.
 * No spaces, signs, decimals or other units.
 */
public final class Budget {
  /** The default training memory budget, 256K. */
  public static final long DEFAULT_BYTES = 256L * 1024;

  private static final Pattern SYNTAX = Pattern.compile("([0-9]+)([kKmM]?)");

  private Budget() {}

  /** The number of bytes {@code text} stands for; bad syntax or 0 is a McuTrainException. */
  public static long parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new McuTrainException("missing budget; write bytes such as 262144, 256K or 1M");
    }
    Matcher m = SYNTAX.matcher(text);
    if (!m.matches()) {
      throw new McuTrainException("bad budget '" + text + "': write a whole number of bytes, "
          + "optionally with K or M, such as 262144, 256K or 1M");
    }
    String digits = m.group(1);
    long unit = switch (m.group(2)) {
      case "k", "K" -> 1024L;
      case "m", "M" -> 1024L * 1024;
      default -> 1L;
    };
    long value;
    try {
      value = Math.multiplyExact(Long.parseLong(digits), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new McuTrainException("bad budget '" + text + "': too large");
    }
    if (value == 0) {
      throw new McuTrainException("bad budget '" + text + "': must be more than 0 bytes");
    }
    return value;
  }

  /** The shortest form {@link #parse} reads back as {@code bytes}: {@code 1M}, {@code 256K}. */
  public static String format(long bytes) {
    if (bytes <= 0) {
      throw new IllegalArgumentException("budget " + bytes);
    }
    if (bytes % (1024L * 1024) == 0) {
      return bytes / (1024L * 1024) + "M";
    }
    if (bytes % 1024 == 0) {
      return bytes / 1024 + "K";
    }
    return Long.toString(bytes);
  }
}
