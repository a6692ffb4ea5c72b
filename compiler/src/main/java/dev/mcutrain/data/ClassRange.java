package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;

/** An inclusive range of class indices, written {@code 5-9} or {@code 3}. */
public record ClassRange(int first, int last) {
  public ClassRange {
    if (first < 0 || last < first) {
      throw new McuTrainException("bad class range " + first + "-" + last);
    }
  }

  /** Parses {@code A-B} or {@code A} (non-negative integers, A <= B). */
  public static ClassRange parse(String s) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,4})(?:-(\\d{1,4}))?")
        .matcher(s.trim());
    if (!m.matches()) {
      throw new McuTrainException("--classes-from '" + s + "': expected a class index or a range"
          + " such as 5-9");
    }
    int a = Integer.parseInt(m.group(1));
    int b = m.group(2) == null ? a : Integer.parseInt(m.group(2));
    if (b < a) {
      throw new McuTrainException("--classes-from '" + s + "': the range is empty (" + a + " > "
          + b + ")");
    }
    return new ClassRange(a, b);
  }

  @Override
  public String toString() {
    return first == last ? Integer.toString(first) : first + "-" + last;
  }
}
