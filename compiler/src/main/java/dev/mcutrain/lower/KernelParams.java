package dev.mcutrain.lower;

import com.google.common.primitives.ImmutableIntArray;

/**
 * Precomputed integer parameters of each kernel: the Java mirror of {@code runtime-c/include/
 * mt_types.h}. The lowering computes them once; the reference interpreter and the C emitter both
 * consume the same values, so neither recomputes a multiplier.
 */
public sealed interface KernelParams {

  /** Requantization per output channel (or one pair broadcast). shift > 0 is a left shift. */
  record Requant(ImmutableIntArray multiplier, ImmutableIntArray shift) {
    public boolean perChannel() {
      return multiplier.length() > 1;
    }

    public int multiplier(int c) {
      return multiplier.length() == 1 ? multiplier.get(0) : multiplier.get(c);
    }

    public int shift(int c) {
      return shift.length() == 1 ? shift.get(0) : shift.get(c);
    }
  }

  /** mt_conv_params + mt_quant_params, for CONV_2D and DEPTHWISE_CONV_2D. */
  record Conv(
      int inputOffset, int outputOffset, int strideH, int strideW, int padH, int padW,
      int depthMultiplier, int actMin, int actMax, Requant quant) implements KernelParams {}

  /** mt_fc_params + mt_quant_params. */
  record FullyConnected(
      int inputOffset, int outputOffset, int actMin, int actMax, Requant quant, int batches,
      int depth, int units) implements KernelParams {}

  /** mt_add_params. */
  record Add(
      int input1Offset, int input2Offset, int outputOffset, int leftShift, int input1Multiplier,
      int input1Shift, int input2Multiplier, int input2Shift, int outputMultiplier,
      int outputShift, int actMin, int actMax) implements KernelParams {}

  /** mt_pool_params. */
  record Pool(
      int strideH, int strideW, int filterH, int filterW, int padH, int padW, int actMin,
      int actMax) implements KernelParams {}

  /** mt_mean_params (multiplier already folded with 1/count as TFLite Micro does). */
  record Mean(int inputZeroPoint, int outputZeroPoint, int multiplier, int shift)
      implements KernelParams {}

  /** mt_softmax_params. */
  record Softmax(int inputMultiplier, int inputLeftShift, int diffMin, int outer, int depth)
      implements KernelParams {}

  /** mt_pad_params on the 4-D NHWC view. */
  record Pad(ImmutableIntArray before, ImmutableIntArray after, int padValue)
      implements KernelParams {}

  /** mt_quantize_params. */
  record Quantize(
      float scale, int inputZeroPoint, int outputZeroPoint, int multiplier, int shift, int size)
      implements KernelParams {}

  /** RESHAPE: no computation; the output aliases the input. */
  record Alias() implements KernelParams {}
}
