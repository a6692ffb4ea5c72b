package dev.mcutrain.ir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Immutable little-endian bytes of a constant tensor (weights, biases, shape operands). */
public final class ConstData {
  private final byte[] bytes;

  private ConstData(byte[] bytes) {
    this.bytes = bytes;
  }

  public static ConstData copyOf(byte[] bytes) {
    return new ConstData(bytes.clone());
  }

  public static ConstData ofInt8(byte[] values) {
    return copyOf(values);
  }

  public static ConstData ofInt32(int... values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int v : values) {
      b.putInt(v);
    }
    return new ConstData(b.array());
  }

  public int byteLength() {
    return bytes.length;
  }

  public byte int8(int i) {
    return bytes[i];
  }

  public int int32(int i) {
    int o = i * 4;
    return (bytes[o] & 0xff)
        | (bytes[o + 1] & 0xff) << 8
        | (bytes[o + 2] & 0xff) << 16
        | (bytes[o + 3] & 0xff) << 24;
  }

  public long int64(int i) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(i * 8);
  }

  public float float32(int i) {
    return Float.intBitsToFloat(int32(i));
  }

  public byte[] toByteArray() {
    return bytes.clone();
  }

  public int[] toInt32Array() {
    int[] out = new int[bytes.length / 4];
    for (int i = 0; i < out.length; i++) {
      out[i] = int32(i);
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConstData c && Arrays.equals(bytes, c.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }
}
