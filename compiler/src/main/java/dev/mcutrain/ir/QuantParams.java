package dev.mcutrain.ir;

import com.google.common.primitives.ImmutableIntArray;
import java.util.Arrays;

/**
 * Affine quantization of a tensor: {@code real = scale * (q - zeroPoint)}, per tensor (one scale)
 * or per channel along {@code axis}. Scales are kept as float32, exactly as stored in the model.
 */
public final class QuantParams {
  private final float[] scales;
  private final ImmutableIntArray zeroPoints;
  private final int axis;

  public QuantParams(float[] scales, ImmutableIntArray zeroPoints, int axis) {
    if (scales.length == 0 || scales.length != zeroPoints.length()) {
      throw new IllegalArgumentException(
          "quantization needs as many zero points as scales (" + scales.length + " vs "
              + zeroPoints.length() + ")");
    }
    this.scales = scales.clone();
    this.zeroPoints = zeroPoints;
    this.axis = axis;
  }

  public static QuantParams perTensor(float scale, int zeroPoint) {
    return new QuantParams(new float[] {scale}, ImmutableIntArray.of(zeroPoint), 0);
  }

  public boolean isPerChannel() {
    return scales.length > 1;
  }

  public int channelCount() {
    return scales.length;
  }

  public float scale() {
    return scales[0];
  }

  public int zeroPoint() {
    return zeroPoints.get(0);
  }

  /** Scale of channel {@code c}; a per-tensor scale is broadcast to every channel. */
  public float scale(int c) {
    return scales.length == 1 ? scales[0] : scales[c];
  }

  public int zeroPoint(int c) {
    return zeroPoints.length() == 1 ? zeroPoints.get(0) : zeroPoints.get(c);
  }

  public ImmutableIntArray zeroPoints() {
    return zeroPoints;
  }

  public int axis() {
    return axis;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof QuantParams q
        && Arrays.equals(scales, q.scales)
        && zeroPoints.equals(q.zeroPoints)
        && axis == q.axis;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(scales) * 31 + zeroPoints.hashCode() * 7 + axis;
  }

  @Override
  public String toString() {
    if (!isPerChannel()) {
      return "s=" + scales[0] + " zp=" + zeroPoints.get(0);
    }
    return "per-channel(axis=" + axis + ", " + scales.length + " scales, s[0]=" + scales[0]
        + " zp[0]=" + zeroPoints.get(0) + ")";
  }
}
