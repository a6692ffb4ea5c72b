package dev.mcutrain.ir;

/** TFLite padding modes. */
public enum Padding {
  SAME,
  VALID;

  /** Output size along one axis (dilation 1 is folded into {@code filter}). */
  public int outputSize(int in, int filter, int stride) {
    return switch (this) {
      case SAME -> (in + stride - 1) / stride;
      case VALID -> (in - filter + stride) / stride;
    };
  }

  /** Padding before the first element (top or left); the odd extra one goes after. */
  public int padBefore(int in, int filter, int stride, int out) {
    if (this == VALID) {
      return 0;
    }
    int total = Math.max((out - 1) * stride + filter - in, 0);
    return total / 2;
  }
}
