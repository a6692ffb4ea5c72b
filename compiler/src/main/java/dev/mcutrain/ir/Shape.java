package dev.mcutrain.ir;

import com.google.common.primitives.ImmutableIntArray;

/** An immutable tensor shape (NHWC for 4-D activations). */
public record Shape(ImmutableIntArray dims) {

  public Shape {
    for (int i = 0; i < dims.length(); i++) {
      if (dims.get(i) < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + dims);
      }
    }
  }

  public static Shape of(int... dims) {
    return new Shape(ImmutableIntArray.copyOf(dims));
  }

  public int rank() {
    return dims.length();
  }

  public int dim(int i) {
    return dims.get(i);
  }

  /** Dimension counted from the end: {@code fromEnd(1)} is the last one. */
  public int fromEnd(int i) {
    return dims.get(dims.length() - i);
  }

  public long elementCount() {
    long n = 1;
    for (int i = 0; i < dims.length(); i++) {
      n *= dims.get(i);
    }
    return n;
  }

  /** Number of elements as an int; shapes are validated to fit when the graph is built. */
  public int size() {
    return Math.toIntExact(elementCount());
  }

  @Override
  public String toString() {
    return dims.toString();
  }
}
