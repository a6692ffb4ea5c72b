package dev.mcutrain.frontend.tflite;

import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Shape;
import dev.mcutrain.ir.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.tensorflow.lite.schema.BuiltinOperator;

/**
 * Maps one TFLite operator to an IR {@link Op} and checks everything the kernels rely on: operand
 * types, quantization, shapes (the output shape must be the one the operator computes) and
 * attributes. A model that passes here cannot make a kernel read or write out of bounds.
 */
final class OpBuilder {
  static final String SUPPORTED =
      "CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, "
          + "RESHAPE, SOFTMAX, PAD, QUANTIZE, DEQUANTIZE";

  static final String FLOAT_MODEL_HINT =
      "mcutrain needs an int8-quantized model: convert it with full-integer post-training "
          + "quantization (TFLiteConverter with optimizations=[tf.lite.Optimize.DEFAULT], a "
          + "representative_dataset and target_spec.supported_ops=[TFLITE_BUILTINS_INT8])";

  /** Attributes read from the operator's builtin options. */
  record Options(
      Padding padding, int strideH, int strideW, int dilationH, int dilationW,
      int depthMultiplier, int filterH, int filterW, Activation activation, float beta,
      boolean keepDims) {
    static Options activationOnly(Activation a) {
      return new Options(Padding.VALID, 1, 1, 1, 1, 0, 0, 0, a, 0f, false);
    }
  }

  private final List<Tensor> tensors;
  private final String where;
  private int index;
  private String opName;

  OpBuilder(List<Tensor> tensors, String where) {
    this.tensors = new ArrayList<>(tensors);
    this.where = where;
  }

  /** The tensors, with quantization filled in where an operator defines it (RESHAPE). */
  List<Tensor> tensors() {
    return tensors;
  }

  private ModelFormatException error(String msg) {
    return new ModelFormatException(where + ": operator " + index + " (" + opName + "): " + msg);
  }

  Op build(int index, int builtin, String opName, int[] in, int out, Options o) {
    this.index = index;
    this.opName = opName;
    return switch (builtin) {
      case BuiltinOperator.CONV_2D -> conv(in, out, o, false);
      case BuiltinOperator.DEPTHWISE_CONV_2D -> conv(in, out, o, true);
      case BuiltinOperator.FULLY_CONNECTED -> fullyConnected(in, out, o);
      case BuiltinOperator.ADD -> add(in, out, o);
      case BuiltinOperator.AVERAGE_POOL_2D -> pool(in, out, o, false);
      case BuiltinOperator.MAX_POOL_2D -> pool(in, out, o, true);
      case BuiltinOperator.MEAN -> mean(in, out, o);
      case BuiltinOperator.RESHAPE -> reshape(in, out);
      case BuiltinOperator.SOFTMAX -> softmax(in, out, o);
      case BuiltinOperator.PAD -> pad(in, out);
      case BuiltinOperator.QUANTIZE -> quantize(in, out);
      case BuiltinOperator.DEQUANTIZE -> dequantize(in, out);
      default -> throw new ModelFormatException(where + ": unsupported operator " + opName
          + " at index " + index + " (supported: " + SUPPORTED + ")");
    };
  }

  /** Graph inputs and outputs must be int8, or float32 behind QUANTIZE/DEQUANTIZE. */
  void checkEdgeType(Tensor t, String what) {
    if (t.dtype() != DType.INT8 && t.dtype() != DType.FLOAT32) {
      throw new ModelFormatException(where + ": graph " + what + " '" + t.name() + "' is "
          + t.dtype() + "; only int8 (or float32 through QUANTIZE/DEQUANTIZE) is supported");
    }
  }

  // ---------------------------------------------------------------- operand helpers

  private Tensor operand(int[] in, int i, String role) {
    if (i >= in.length || in[i] < 0) {
      throw error("missing " + role + " operand");
    }
    return tensors.get(in[i]);
  }

  private void arity(int[] in, int min, int max) {
    if (in.length < min || in.length > max) {
      throw error("expects " + (min == max ? "" + min : min + " to " + max) + " inputs, has "
          + in.length);
    }
  }

  /** An int8 activation with per-tensor quantization; float means a float model. */
  private Tensor activationInt8(Tensor t, String role) {
    if (t.dtype() == DType.FLOAT32) {
      throw new ModelFormatException(where + ": operator " + index + " (" + opName
          + ") computes in float32: this is a float model. " + FLOAT_MODEL_HINT);
    }
    if (t.dtype() != DType.INT8) {
      throw error(role + " '" + t.name() + "' is " + t.dtype() + ", expected int8");
    }
    if (t.isConstant()) {
      throw error(role + " '" + t.name() + "' is a constant; constant activations are not "
          + "supported");
    }
    QuantParams q = t.quant().orElseThrow(
        () -> error(role + " '" + t.name() + "' is int8 but has no quantization"));
    if (q.isPerChannel()) {
      throw error(role + " '" + t.name() + "' has per-channel quantization");
    }
    checkZeroPoint(q.zeroPoint(), t, role);
    return t;
  }

  private void checkZeroPoint(int zp, Tensor t, String role) {
    if (zp < -128 || zp > 127) {
      throw error(role + " '" + t.name() + "' has zero point " + zp + " outside int8");
    }
  }

  private Tensor weights(Tensor t, int channels, String role) {
    if (t.dtype() == DType.FLOAT32) {
      throw new ModelFormatException(where + ": operator " + index + " (" + opName
          + ") has float32 weights: this is a float model. " + FLOAT_MODEL_HINT);
    }
    if (t.dtype() != DType.INT8) {
      throw error(role + " '" + t.name() + "' is " + t.dtype() + ", expected int8 (hybrid and "
          + "int16 models are not supported)");
    }
    if (!t.isConstant()) {
      throw error(role + " '" + t.name() + "' is not a constant");
    }
    QuantParams q = t.quant().orElseThrow(
        () -> error(role + " '" + t.name() + "' has no quantization"));
    if (q.isPerChannel() && q.channelCount() != channels) {
      throw error(role + " '" + t.name() + "' has " + q.channelCount() + " scales for "
          + channels + " output channels");
    }
    for (int c = 0; c < q.channelCount(); c++) {
      if (q.zeroPoint(c) != 0) {
        throw error(role + " '" + t.name() + "' has zero point " + q.zeroPoint(c)
            + " (int8 weights must be symmetric)");
      }
    }
    return t;
  }

  private void bias(int[] in, int channels) {
    if (in.length < 3 || in[2] < 0) {
      return;
    }
    Tensor b = tensors.get(in[2]);
    if (b.dtype() != DType.INT32) {
      throw error("bias '" + b.name() + "' is " + b.dtype() + ", expected int32");
    }
    if (!b.isConstant()) {
      throw error("bias '" + b.name() + "' is not a constant");
    }
    if (b.shape().elementCount() != channels) {
      throw error("bias '" + b.name() + "' has " + b.shape().elementCount() + " values for "
          + channels + " output channels");
    }
  }

  private void expectShape(Tensor t, Shape expected) {
    if (!t.shape().equals(expected)) {
      throw error("output '" + t.name() + "' has shape " + t.shape() + " but the operator "
          + "produces " + expected);
    }
  }

  private void rank(Tensor t, int r, String role) {
    if (t.shape().rank() != r) {
      throw error(role + " '" + t.name() + "' has rank " + t.shape().rank() + ", expected " + r);
    }
  }

  private void strides(Options o) {
    if (o.strideH() < 1 || o.strideW() < 1 || o.strideH() > 64 || o.strideW() > 64) {
      throw error("invalid stride " + o.strideH() + "x" + o.strideW());
    }
  }

  // ---------------------------------------------------------------- operators

  private Op conv(int[] in, int out, Options o, boolean depthwise) {
    arity(in, 2, 3);
    Tensor x = activationInt8(operand(in, 0, "input"), "input");
    Tensor f = operand(in, 1, "filter");
    Tensor y = activationInt8(tensors.get(out), "output");
    rank(x, 4, "input");
    rank(f, 4, "filter");
    strides(o);
    if (o.dilationH() != 1 || o.dilationW() != 1) {
      throw error("dilation " + o.dilationH() + "x" + o.dilationW() + " is not supported "
          + "(only 1)");
    }
    int inC = x.shape().dim(3);
    int kh = f.shape().dim(1);
    int kw = f.shape().dim(2);
    int outC;
    int multiplier = 0;
    if (depthwise) {
      if (f.shape().dim(0) != 1) {
        throw error("depthwise filter shape " + f.shape() + " must start with 1");
      }
      outC = f.shape().dim(3);
      if (outC % inC != 0) {
        throw error("depthwise filter has " + outC + " channels for " + inC + " input channels");
      }
      multiplier = outC / inC;
    } else {
      outC = f.shape().dim(0);
      if (f.shape().dim(3) != inC) {
        throw error("filter depth " + f.shape().dim(3) + " differs from input depth " + inC
            + " (grouped convolution is not supported)");
      }
    }
    weights(f, outC, "filter");
    bias(in, outC);
    int oh = o.padding().outputSize(x.shape().dim(1), kh, o.strideH());
    int ow = o.padding().outputSize(x.shape().dim(2), kw, o.strideW());
    if (oh < 1 || ow < 1) {
      throw error("filter " + kh + "x" + kw + " is larger than the input " + x.shape());
    }
    expectShape(y, Shape.of(x.shape().dim(0), oh, ow, outC));
    int b = in.length > 2 ? in[2] : -1;
    if (depthwise) {
      return new Op.DepthwiseConv2D(in[0], in[1], b, out, o.padding(), o.strideH(),
          o.strideW(), multiplier, o.activation());
    }
    return new Op.Conv2D(in[0], in[1], b, out, o.padding(), o.strideH(), o.strideW(),
        o.activation());
  }

  private Op fullyConnected(int[] in, int out, Options o) {
    arity(in, 2, 3);
    Tensor x = activationInt8(operand(in, 0, "input"), "input");
    Tensor f = operand(in, 1, "filter");
    Tensor y = activationInt8(tensors.get(out), "output");
    rank(f, 2, "filter");
    int units = f.shape().dim(0);
    int depth = f.shape().dim(1);
    weights(f, units, "filter");
    bias(in, units);
    long n = x.shape().elementCount();
    if (n % depth != 0) {
      throw error("input " + x.shape() + " cannot be flattened to rows of depth " + depth);
    }
    if (y.shape().elementCount() != n / depth * units || y.shape().fromEnd(1) != units) {
      throw error("output '" + y.name() + "' has shape " + y.shape() + " but the operator "
          + "produces " + (n / depth) + " rows of " + units);
    }
    return new Op.FullyConnected(in[0], in[1], in.length > 2 ? in[2] : -1, out,
        o.activation());
  }

  private Op add(int[] in, int out, Options o) {
    arity(in, 2, 2);
    Tensor a = activationInt8(operand(in, 0, "input1"), "input1");
    Tensor b = activationInt8(operand(in, 1, "input2"), "input2");
    Tensor y = activationInt8(tensors.get(out), "output");
    int r = y.shape().rank();
    if (r > 4 || a.shape().rank() > r || b.shape().rank() > r) {
      throw error("only broadcasts up to rank 4 are supported");
    }
    int[] dims = new int[r];
    for (int i = 1; i <= r; i++) {
      int da = i <= a.shape().rank() ? a.shape().fromEnd(i) : 1;
      int db = i <= b.shape().rank() ? b.shape().fromEnd(i) : 1;
      if (da != db && da != 1 && db != 1) {
        throw error("shapes " + a.shape() + " and " + b.shape() + " do not broadcast");
      }
      dims[r - i] = Math.max(da, db);
    }
    expectShape(y, Shape.of(dims));
    return new Op.Add(in[0], in[1], out, o.activation());
  }

  private Op pool(int[] in, int out, Options o, boolean max) {
    arity(in, 1, 1);
    Tensor x = activationInt8(operand(in, 0, "input"), "input");
    Tensor y = activationInt8(tensors.get(out), "output");
    rank(x, 4, "input");
    strides(o);
    if (o.filterH() < 1 || o.filterW() < 1 || o.filterH() > 4096 || o.filterW() > 4096) {
      throw error("invalid filter " + o.filterH() + "x" + o.filterW());
    }
    if (!y.q().equals(x.q())) {
      throw error("input and output quantization differ (" + x.q() + " vs " + y.q() + ")");
    }
    int oh = o.padding().outputSize(x.shape().dim(1), o.filterH(), o.strideH());
    int ow = o.padding().outputSize(x.shape().dim(2), o.filterW(), o.strideW());
    if (oh < 1 || ow < 1) {
      throw error("filter is larger than the input");
    }
    expectShape(y, Shape.of(x.shape().dim(0), oh, ow, x.shape().dim(3)));
    return new Op.Pool2D(max, in[0], out, o.padding(), o.strideH(), o.strideW(), o.filterH(),
        o.filterW(), o.activation());
  }

  private Op mean(int[] in, int out, Options o) {
    arity(in, 2, 2);
    Tensor x = activationInt8(operand(in, 0, "input"), "input");
    Tensor axes = operand(in, 1, "axis");
    Tensor y = activationInt8(tensors.get(out), "output");
    rank(x, 4, "input");
    if (axes.dtype() != DType.INT32 || !axes.isConstant()) {
      throw error("axis must be a constant int32 tensor");
    }
    int[] ax = axes.data().get().toInt32Array();
    int[] norm = new int[ax.length];
    for (int i = 0; i < ax.length; i++) {
      norm[i] = ax[i] < 0 ? ax[i] + 4 : ax[i];
    }
    java.util.Arrays.sort(norm);
    if (!java.util.Arrays.equals(norm, new int[] {1, 2})) {
      throw error("only MEAN over the spatial axes (1, 2) is supported, not "
          + java.util.Arrays.toString(ax));
    }
    Shape expected = o.keepDims()
        ? Shape.of(x.shape().dim(0), 1, 1, x.shape().dim(3))
        : Shape.of(x.shape().dim(0), x.shape().dim(3));
    expectShape(y, expected);
    return new Op.Mean(in[0], out, ImmutableIntArray.copyOf(norm), o.keepDims());
  }

  private Op reshape(int[] in, int out) {
    arity(in, 1, 2);
    Tensor x = operand(in, 0, "input");
    Tensor y = tensors.get(out);
    if (x.dtype() != y.dtype()) {
      throw error("input and output types differ");
    }
    if (x.shape().elementCount() != y.shape().elementCount()) {
      throw error("cannot reshape " + x.shape() + " to " + y.shape());
    }
    if (x.dtype() == DType.INT8) {
      activationInt8(x, "input");
      if (y.quant().isEmpty()) {
        tensors.set(out, new Tensor(y.id(), y.name(), y.dtype(), y.shape(), x.quant(),
            Optional.empty()));
      } else if (!y.q().equals(x.q())) {
        throw error("RESHAPE changes the quantization (" + x.q() + " vs " + y.q() + ")");
      }
    } else if (x.dtype() != DType.FLOAT32) {
      throw error("input is " + x.dtype() + ", expected int8");
    }
    return new Op.Reshape(in[0], out);
  }

  private Op softmax(int[] in, int out, Options o) {
    arity(in, 1, 1);
    Tensor x = activationInt8(operand(in, 0, "input"), "input");
    Tensor y = activationInt8(tensors.get(out), "output");
    if (!x.shape().equals(y.shape())) {
      expectShape(y, x.shape());
    }
    if (y.q().scale() != 1f / 256 || y.q().zeroPoint() != -128) {
      throw error("int8 softmax output must have scale 1/256 and zero point -128, has "
          + y.q());
    }
    if (!(o.beta() > 0f) || Float.isInfinite(o.beta())) {
      throw error("invalid beta " + o.beta());
    }
    return new Op.Softmax(in[0], out, o.beta());
  }

  private Op pad(int[] in, int out) {
    arity(in, 2, 2);
    Tensor x = activationInt8(operand(in, 0, "input"), "input");
    Tensor p = operand(in, 1, "paddings");
    Tensor y = activationInt8(tensors.get(out), "output");
    if (!p.isConstant() || (p.dtype() != DType.INT32 && p.dtype() != DType.INT64)) {
      throw error("paddings must be a constant int32 or int64 tensor");
    }
    int r = x.shape().rank();
    if (r > 4 || p.shape().elementCount() != 2L * r) {
      throw error("paddings shape " + p.shape() + " does not match input rank " + r);
    }
    if (!x.q().equals(y.q())) {
      throw error("input and output quantization differ (" + x.q() + " vs " + y.q() + ")");
    }
    int[] before = new int[r];
    int[] after = new int[r];
    int[] dims = new int[r];
    for (int i = 0; i < r; i++) {
      long b = p.dtype() == DType.INT32 ? p.data().get().int32(2 * i) : p.data().get().int64(2 * i);
      long a = p.dtype() == DType.INT32 ? p.data().get().int32(2 * i + 1)
          : p.data().get().int64(2 * i + 1);
      if (b < 0 || a < 0 || b > 4096 || a > 4096) {
        throw error("invalid padding " + b + "/" + a + " on axis " + i);
      }
      before[i] = (int) b;
      after[i] = (int) a;
      dims[i] = x.shape().dim(i) + before[i] + after[i];
    }
    expectShape(y, Shape.of(dims));
    return new Op.Pad(in[0], out, ImmutableIntArray.copyOf(before),
        ImmutableIntArray.copyOf(after));
  }

  private Op quantize(int[] in, int out) {
    arity(in, 1, 1);
    Tensor x = operand(in, 0, "input");
    Tensor y = activationInt8(tensors.get(out), "output");
    if (x.dtype() == DType.INT8) {
      activationInt8(x, "input");
    } else if (x.dtype() != DType.FLOAT32 || x.isConstant()) {
      throw error("input is " + x.dtype() + "; only float32 or int8 inputs are supported");
    }
    expectShape(y, x.shape());
    return new Op.Quantize(in[0], out);
  }

  private Op dequantize(int[] in, int out) {
    arity(in, 1, 1);
    Tensor x = activationInt8(operand(in, 0, "input"), "input");
    Tensor y = tensors.get(out);
    if (y.dtype() != DType.FLOAT32) {
      throw error("output is " + y.dtype() + ", expected float32");
    }
    expectShape(y, x.shape());
    return new Op.Dequantize(in[0], out);
  }
}
