package dev.mcutrain.ir;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;

/**
 * One operator of the graph. Operands are tensor ids of the owning {@link Graph}; every operator
 * has exactly one output. The set of operators is closed.
 */
public sealed interface Op {

  /** TFLite-style operator name, e.g. {@code CONV_2D}. */
  String kind();

  /** Tensor ids read by the operator, in TFLite operand order (absent optional ones omitted). */
  ImmutableList<Integer> inputs();

  int output();

  /**
   * Padding given in rows and columns rather than by TFLite's SAME/VALID rule: what a folded PAD
   * leaves on its consumer (see {@code dev.mcutrain.passes.FoldPad}). Taps outside the input are
   * skipped — for int8 exactly what reading the PAD's zero-point fill would contribute (nothing).
   * Bottom and right padding follow from the output size. Not expressible in a .tflite file.
   */
  record ExplicitPad(int top, int left) {
    public ExplicitPad {
      if (top < 0 || left < 0) {
        throw new IllegalArgumentException("padding " + top + ", " + left);
      }
    }
  }

  /** CONV_2D: input NHWC, filter OHWI, optional int32 bias. */
  record Conv2D(
      int input, int filter, int bias, int output, Padding padding, int strideH, int strideW,
      Activation activation, ExplicitPad explicitPad) implements Op {
    /** A convolution whose padding follows {@code padding} (TFLite's SAME or VALID). */
    public Conv2D(int input, int filter, int bias, int output, Padding padding, int strideH,
        int strideW, Activation activation) {
      this(input, filter, bias, output, padding, strideH, strideW, activation, null);
    }

    public String kind() {
      return "CONV_2D";
    }

    /** Rows of padding before the input (explicit, or as SAME/VALID implies). */
    public int padTop(int inH, int kh, int outH) {
      return explicitPad != null ? explicitPad.top() : padding.padBefore(inH, kh, strideH, outH);
    }

    /** Columns of padding before the input (explicit, or as SAME/VALID implies). */
    public int padLeft(int inW, int kw, int outW) {
      return explicitPad != null ? explicitPad.left()
          : padding.padBefore(inW, kw, strideW, outW);
    }

    public ImmutableList<Integer> inputs() {
      return bias < 0 ? ImmutableList.of(input, filter) : ImmutableList.of(input, filter, bias);
    }
  }

  /** DEPTHWISE_CONV_2D: filter [1, KH, KW, C*M], output channel = in channel * M + m. */
  record DepthwiseConv2D(
      int input, int filter, int bias, int output, Padding padding, int strideH, int strideW,
      int depthMultiplier, Activation activation, ExplicitPad explicitPad) implements Op {
    /** A depthwise convolution whose padding follows {@code padding} (SAME or VALID). */
    public DepthwiseConv2D(int input, int filter, int bias, int output, Padding padding,
        int strideH, int strideW, int depthMultiplier, Activation activation) {
      this(input, filter, bias, output, padding, strideH, strideW, depthMultiplier, activation,
          null);
    }

    public String kind() {
      return "DEPTHWISE_CONV_2D";
    }

    /** Rows of padding before the input (explicit, or as SAME/VALID implies). */
    public int padTop(int inH, int kh, int outH) {
      return explicitPad != null ? explicitPad.top() : padding.padBefore(inH, kh, strideH, outH);
    }

    /** Columns of padding before the input (explicit, or as SAME/VALID implies). */
    public int padLeft(int inW, int kw, int outW) {
      return explicitPad != null ? explicitPad.left()
          : padding.padBefore(inW, kw, strideW, outW);
    }

    public ImmutableList<Integer> inputs() {
      return bias < 0 ? ImmutableList.of(input, filter) : ImmutableList.of(input, filter, bias);
    }
  }

  /** FULLY_CONNECTED: filter [units, depth]; input flattened to [batches, depth]. */
  record FullyConnected(int input, int filter, int bias, int output, Activation activation)
      implements Op {
    public String kind() {
      return "FULLY_CONNECTED";
    }

    public ImmutableList<Integer> inputs() {
      return bias < 0 ? ImmutableList.of(input, filter) : ImmutableList.of(input, filter, bias);
    }
  }

  /** ADD with numpy-style broadcasting. */
  record Add(int input1, int input2, int output, Activation activation) implements Op {
    public String kind() {
      return "ADD";
    }

    public ImmutableList<Integer> inputs() {
      return ImmutableList.of(input1, input2);
    }
  }

  /** AVERAGE_POOL_2D or MAX_POOL_2D. */
  record Pool2D(
      boolean max, int input, int output, Padding padding, int strideH, int strideW,
      int filterH, int filterW, Activation activation) implements Op {
    public String kind() {
      return max ? "MAX_POOL_2D" : "AVERAGE_POOL_2D";
    }

    public ImmutableList<Integer> inputs() {
      return ImmutableList.of(input);
    }
  }

  /** MEAN over the spatial axes (1 and 2) of an NHWC tensor. */
  record Mean(int input, int output, ImmutableIntArray axes, boolean keepDims) implements Op {
    public String kind() {
      return "MEAN";
    }

    public ImmutableList<Integer> inputs() {
      return ImmutableList.of(input);
    }
  }

  /** RESHAPE: data unchanged, quantization copied. */
  record Reshape(int input, int output) implements Op {
    public String kind() {
      return "RESHAPE";
    }

    public ImmutableList<Integer> inputs() {
      return ImmutableList.of(input);
    }
  }

  /** SOFTMAX over the last axis. */
  record Softmax(int input, int output, float beta) implements Op {
    public String kind() {
      return "SOFTMAX";
    }

    public ImmutableList<Integer> inputs() {
      return ImmutableList.of(input);
    }
  }

  /** PAD with the output zero point; {@code before}/{@code after} per axis. */
  record Pad(int input, int output, ImmutableIntArray before, ImmutableIntArray after)
      implements Op {
    public String kind() {
      return "PAD";
    }

    public ImmutableList<Integer> inputs() {
      return ImmutableList.of(input);
    }
  }

  /** QUANTIZE: float32 to int8, or int8 to int8 requantization. */
  record Quantize(int input, int output) implements Op {
    public String kind() {
      return "QUANTIZE";
    }

    public ImmutableList<Integer> inputs() {
      return ImmutableList.of(input);
    }
  }

  /** DEQUANTIZE: int8 to float32. */
  record Dequantize(int input, int output) implements Op {
    public String kind() {
      return "DEQUANTIZE";
    }

    public ImmutableList<Integer> inputs() {
      return ImmutableList.of(input);
    }
  }
}
