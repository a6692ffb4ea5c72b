package dev.mcutrain.train.spec;

import com.google.common.collect.ImmutableSortedMap;
import dev.mcutrain.McuTrainException;
import java.util.Map;
import java.util.TreeMap;

/** Recursive-descent parser of one {@link UpdateScheme} string (syntax in its class comment). */
final class SchemeParser {
  static final String EXAMPLE = "sparse:bias=22;w=21:1,36:1/8";
  static final String EXPECTED =
      "expected full, last:K, bias:K or sparse:bias=N;w=I:R,... (e.g. " + EXAMPLE + ")";

  private final String s;
  private int pos;

  SchemeParser(String s) {
    this.s = s;
  }

  private McuTrainException error(String why) {
    return new McuTrainException("bad update scheme '" + s + "': " + why);
  }

  UpdateScheme scheme() {
    if (s.isEmpty()) {
      throw error("empty; " + EXPECTED);
    }
    int colon = s.indexOf(':');
    String kind = colon < 0 ? s : s.substring(0, colon);
    switch (kind) {
      case "full":
        if (colon >= 0) {
          throw error("full takes no argument");
        }
        return UpdateScheme.FULL;
      case "last":
      case "bias": {
        if (colon < 0) {
          throw error("missing K, as in " + kind + ":3");
        }
        pos = colon + 1;
        long k = number("K");
        end();
        if (k < 1) {
          throw error("K must be >= 1, got " + k);
        }
        return kind.equals("last")
            ? new UpdateScheme.LastK((int) k)
            : new UpdateScheme.BiasK((int) k);
      }
      case "sparse":
        if (colon < 0) {
          throw error("missing ':bias=N;w=I:R,...', as in " + EXAMPLE);
        }
        pos = colon + 1;
        return sparse();
      default:
        throw error("unknown kind '" + kind + "'; " + EXPECTED);
    }
  }

  private UpdateScheme sparse() {
    if (atEnd()) {
      throw error("sparse needs bias=N and/or w=I:R,..., as in " + EXAMPLE);
    }
    Long bias = null;
    ImmutableSortedMap<Integer, Ratio> weights = null;
    do {
      if (s.startsWith("bias=", pos)) {
        if (bias != null) {
          throw error("bias= given twice");
        }
        pos += "bias=".length();
        bias = number("N in bias=N");
        if (bias < 0) {
          throw error("bias=N needs N >= 0, got " + bias);
        }
      } else if (s.startsWith("w=", pos)) {
        if (weights != null) {
          throw error("w= given twice");
        }
        pos += "w=".length();
        weights = entries();
      } else if (atEnd()) {
        throw error("missing bias=N or w=I:R,... after ';'");
      } else {
        throw error("unknown part '" + rest() + "' (expected bias=N or w=I:R,...)");
      }
    } while (accept(';'));
    end();
    int n = bias == null ? 0 : (int) (long) bias;
    ImmutableSortedMap<Integer, Ratio> w = weights == null ? ImmutableSortedMap.of() : weights;
    if (n == 0 && w.isEmpty()) {
      throw error("it updates nothing (give bias=N with N >= 1 or w=I:R,...)");
    }
    return new UpdateScheme.Sparse(n, w);
  }

  private ImmutableSortedMap<Integer, Ratio> entries() {
    Map<Integer, Ratio> m = new TreeMap<>();
    do {
      long index = number("a layer index");
      if (index < 0) {
        throw error("negative layer index " + index);
      }
      if (!accept(':')) {
        throw error("layer " + index + " needs a ratio, as in " + index + ":1 or " + index
            + ":1/8");
      }
      Ratio r = ratio(index);
      if (m.put((int) index, r) != null) {
        throw error("layer " + index + " is listed twice");
      }
    } while (accept(','));
    return ImmutableSortedMap.copyOf(m);
  }

  private Ratio ratio(long index) {
    int start = pos;
    long num = number("a ratio for layer " + index + " (1 or a/b)");
    long den = 1;
    if (accept('/')) {
      den = number("a denominator in the ratio of layer " + index);
    }
    if (!atEnd() && s.charAt(pos) == '.') {
      throw error("ratio of layer " + index + " must be 1 or a fraction a/b such as 1/2, "
          + "not a decimal");
    }
    String written = s.substring(start, pos);
    if (den == 0) {
      throw error("ratio " + written + " of layer " + index + " divides by zero");
    }
    if (num <= 0 || den < 0 || num > den) {
      throw error("ratio " + written + " of layer " + index + " is outside (0,1]");
    }
    return new Ratio((int) num, (int) den);
  }

  /** An optionally negative decimal integer of at most 9 digits. */
  private long number(String what) {
    int start = pos;
    boolean negative = accept('-');
    int digits = pos;
    while (!atEnd() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
      pos++;
    }
    if (pos == digits) {
      pos = start;
      throw error("expected " + what + (atEnd() ? " at the end" : " at '" + rest() + "'"));
    }
    if (pos - digits > 9) {
      throw error(what + " " + s.substring(start, pos) + " is too large");
    }
    long v = Long.parseLong(s.substring(digits, pos));
    return negative ? -v : v;
  }

  private boolean accept(char c) {
    if (!atEnd() && s.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void end() {
    if (!atEnd()) {
      throw error("unexpected '" + rest() + "' after '" + s.substring(0, pos) + "'");
    }
  }

  private boolean atEnd() {
    return pos >= s.length();
  }

  private String rest() {
    return s.substring(pos);
  }
}
