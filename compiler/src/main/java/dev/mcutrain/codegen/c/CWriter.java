package dev.mcutrain.codegen.c;

import java.util.Locale;

/** A tiny C text builder: lines with indentation, and exact literals. */
final class CWriter {
  private final StringBuilder sb = new StringBuilder();
  private int indent;

  CWriter line(String s) {
    if (!s.isEmpty()) {
      sb.append("  ".repeat(indent));
    }
    sb.append(s).append('\n');
    return this;
  }

  CWriter line() {
    sb.append('\n');
    return this;
  }

  CWriter open(String s) {
    line(s);
    indent++;
    return this;
  }

  CWriter close(String s) {
    indent--;
    line(s);
    return this;
  }

  /** A line one level out that reopens a block, e.g. {@code "} else {"}. */
  CWriter reopen(String s) {
    indent--;
    line(s);
    indent++;
    return this;
  }

  /** An exact float literal (C99 hexadecimal) followed by a comment with its decimal value. */
  static String floatLiteral(float f) {
    return Float.toHexString(f) + "f /* " + String.format(Locale.ROOT, "%.9g", f) + " */";
  }

  /** Array body lines: {@code perLine} values per line, comma-separated. */
  CWriter values(int[] v, int perLine) {
    for (int i = 0; i < v.length; i += perLine) {
      StringBuilder l = new StringBuilder();
      for (int j = i; j < Math.min(v.length, i + perLine); j++) {
        l.append(intLiteral(v[j]));
        if (j + 1 < v.length) {
          l.append(j + 1 < Math.min(v.length, i + perLine) ? ", " : ",");
        }
      }
      line(l.toString());
    }
    return this;
  }

  /** An int32 literal; INT32_MIN is spelled so that its type stays int. */
  static String intLiteral(int v) {
    return v == Integer.MIN_VALUE ? "(-2147483647 - 1)" : Integer.toString(v);
  }

  @Override
  public String toString() {
    return sb.toString();
  }
}
