package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An inclusive range of class indices, {@code from..to}, as the CLI writes it: {@code "5-9"} or a
 * single class {@code "3"}.
 */
public record ClassRange(int from, int to) {
  private static final Pattern FORM = Pattern.compile("(\\d{1,9})(?:-(\\d{1,9}))?");

  /** @throws IllegalArgumentException unless {@code 0 <= from <= to} */
  public ClassRange {
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("bad class range " + from + "-" + to);
    }
  }

  /**
   * Parses {@code "N"} or {@code "N-M"} (decimal, {@code N <= M}, surrounding blanks ignored).
   *
   * @throws McuTrainException for anything else
   */
  public static ClassRange parse(String text) {
    Matcher m = FORM.matcher(text.strip());
    if (!m.matches()) {
      throw new McuTrainException("bad class range '" + text
          + "': expected a class index N or an inclusive range N-M, e.g. 3 or 5-9");
    }
    int from = Integer.parseInt(m.group(1));
    int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
    if (to < from) {
      throw new McuTrainException("bad class range '" + text + "': " + from + " is above " + to
          + " (write the lower class first, e.g. " + to + "-" + from + ")");
    }
    return new ClassRange(from, to);
  }

  /** The number of classes in the range. */
  public int count() {
    return to - from + 1;
  }

  public boolean contains(int label) {
    return label >= from && label <= to;
  }

  /**
   * Checks that the range lies within {@code classes} classes (0..classes-1).
   *
   * @throws McuTrainException naming the range and the available classes
   */
  public void checkWithin(int classes) {
    if (to >= classes) {
      throw new McuTrainException("class range " + this + " is outside the " + classes
          + " classes (0-" + (classes - 1) + ")");
    }
  }

  /** {@code "5-9"} or {@code "3"}. */
  @Override
  public String toString() {
    return from == to ? Integer.toString(from) : from + "-" + to;
  }
}
