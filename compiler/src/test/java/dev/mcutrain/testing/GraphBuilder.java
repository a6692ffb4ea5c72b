package dev.mcutrain.testing;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.ir.ConstData;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Shape;
import dev.mcutrain.ir.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A small fluent builder of IR graphs for tests. Tensor ids are assigned in insertion order
 * (the first tensor added is 0). Tensors are described the way a TFLite file carries them:
 * int8 activations with per-tensor quantization, symmetric int8 constant filters with per-tensor
 * or per-channel scales, int32 biases (scale {@code s_in * s_w[c]}, zero point 0), float32
 * tensors without quantization.
 */
public final class GraphBuilder {
  private final List<Tensor> tensors = new ArrayList<>();
  private final List<Op> ops = new ArrayList<>();
  private final List<Integer> inputs = new ArrayList<>();
  private final List<Integer> outputs = new ArrayList<>();

  private int add(String name, DType dtype, Shape shape, Optional<QuantParams> q,
      Optional<ConstData> data) {
    int id = tensors.size();
    tensors.add(new Tensor(id, name, dtype, shape, q, data));
    return id;
  }

  /** An int8 activation with per-tensor quantization; returns its id. */
  public int int8(String name, float scale, int zeroPoint, int... dims) {
    return add(name, DType.INT8, Shape.of(dims),
        Optional.of(QuantParams.perTensor(scale, zeroPoint)), Optional.empty());
  }

  /** A float32 activation (no quantization); returns its id. */
  public int float32(String name, int... dims) {
    return add(name, DType.FLOAT32, Shape.of(dims), Optional.empty(), Optional.empty());
  }

  /** A constant int8 filter with one symmetric scale (zero point 0); returns its id. */
  public int filter(String name, byte[] values, float scale, int... dims) {
    checkCount(name, values.length, dims);
    return add(name, DType.INT8, Shape.of(dims),
        Optional.of(QuantParams.perTensor(scale, 0)), Optional.of(ConstData.ofInt8(values)));
  }

  /**
   * A constant int8 filter with per-channel symmetric scales along {@code axis} (0 for CONV_2D and
   * FULLY_CONNECTED, 3 for DEPTHWISE_CONV_2D); returns its id.
   */
  public int filter(String name, byte[] values, float[] scales, int axis, int... dims) {
    checkCount(name, values.length, dims);
    if (dims[axis] != scales.length) {
      throw new IllegalArgumentException(name + ": " + scales.length + " scales for axis "
          + axis + " of " + Arrays.toString(dims));
    }
    return add(name, DType.INT8, Shape.of(dims),
        Optional.of(new QuantParams(scales, ImmutableIntArray.copyOf(new int[scales.length]),
            scales.length > 1 ? axis : 0)),
        Optional.of(ConstData.ofInt8(values)));
  }

  /**
   * A constant int32 bias of shape [n] quantized with {@code scales} (usually {@code s_in *
   * s_w[c]}; one scale for per-tensor weights); returns its id.
   */
  public int bias(String name, int[] values, float... scales) {
    return add(name, DType.INT32, Shape.of(values.length),
        Optional.of(new QuantParams(scales, ImmutableIntArray.copyOf(new int[scales.length]),
            0)),
        Optional.of(ConstData.ofInt32(values)));
  }

  /** A constant int32 tensor without quantization (shape, axis or padding operands). */
  public int int32Const(String name, int[] values, int... dims) {
    checkCount(name, values.length, dims);
    return add(name, DType.INT32, Shape.of(dims), Optional.empty(),
        Optional.of(ConstData.ofInt32(values)));
  }

  private static void checkCount(String name, int n, int[] dims) {
    if (Shape.of(dims).elementCount() != n) {
      throw new IllegalArgumentException(name + ": " + n + " values for shape "
          + Arrays.toString(dims));
    }
  }

  /** Appends an operator (operators run in the order they are added). */
  public GraphBuilder op(Op op) {
    ops.add(op);
    return this;
  }

  public GraphBuilder inputs(int... ids) {
    inputs.clear();
    for (int id : ids) {
      inputs.add(id);
    }
    return this;
  }

  public GraphBuilder outputs(int... ids) {
    outputs.clear();
    for (int id : ids) {
      outputs.add(id);
    }
    return this;
  }

  /** The tensor with id {@code id} added so far. */
  public Tensor tensor(int id) {
    return tensors.get(id);
  }

  /** An immutable graph; the builder may keep being used afterwards. */
  public Graph build(String name) {
    return new Graph(name, ImmutableList.copyOf(tensors), ImmutableList.copyOf(ops),
        ImmutableList.copyOf(inputs), ImmutableList.copyOf(outputs));
  }

  /**
   * The disjoint union of {@code parts}: their tensors (renumbered, names prefixed with the part's
   * graph name), operators, inputs and outputs, in the order of the parts.
   */
  public static Graph union(String name, List<Graph> parts) {
    GraphBuilder b = new GraphBuilder();
    for (Graph p : parts) {
      int base = b.tensors.size();
      for (Tensor t : p.tensors()) {
        b.add(p.name() + "/" + t.name(), t.dtype(), t.shape(), t.quant(), t.data());
      }
      for (Op op : p.ops()) {
        b.ops.add(shift(op, base));
      }
      p.inputs().forEach(i -> b.inputs.add(base + i));
      p.outputs().forEach(o -> b.outputs.add(base + o));
    }
    return b.build(name);
  }

  private static int at(int id, int base) {
    return id < 0 ? id : id + base;
  }

  /** The operator with every tensor id moved by {@code d} (absent optional operands stay -1). */
  static Op shift(Op op, int d) {
    if (op instanceof Op.Conv2D c) {
      return new Op.Conv2D(at(c.input(), d), at(c.filter(), d), at(c.bias(), d),
          at(c.output(), d), c.padding(), c.strideH(), c.strideW(), c.activation(),
          c.explicitPad());
    }
    if (op instanceof Op.DepthwiseConv2D c) {
      return new Op.DepthwiseConv2D(at(c.input(), d), at(c.filter(), d), at(c.bias(), d),
          at(c.output(), d), c.padding(), c.strideH(), c.strideW(), c.depthMultiplier(),
          c.activation(), c.explicitPad());
    }
    if (op instanceof Op.FullyConnected f) {
      return new Op.FullyConnected(at(f.input(), d), at(f.filter(), d), at(f.bias(), d),
          at(f.output(), d), f.activation());
    }
    if (op instanceof Op.Add a) {
      return new Op.Add(at(a.input1(), d), at(a.input2(), d), at(a.output(), d),
          a.activation());
    }
    if (op instanceof Op.Pool2D p) {
      return new Op.Pool2D(p.max(), at(p.input(), d), at(p.output(), d), p.padding(),
          p.strideH(), p.strideW(), p.filterH(), p.filterW(), p.activation());
    }
    if (op instanceof Op.Mean m) {
      return new Op.Mean(at(m.input(), d), at(m.output(), d), m.axes(), m.keepDims());
    }
    if (op instanceof Op.Reshape r) {
      return new Op.Reshape(at(r.input(), d), at(r.output(), d));
    }
    if (op instanceof Op.Softmax s) {
      return new Op.Softmax(at(s.input(), d), at(s.output(), d), s.beta());
    }
    if (op instanceof Op.Pad p) {
      return new Op.Pad(at(p.input(), d), at(p.output(), d), p.before(), p.after());
    }
    if (op instanceof Op.Quantize q) {
      return new Op.Quantize(at(q.input(), d), at(q.output(), d));
    }
    if (op instanceof Op.Dequantize q) {
      return new Op.Dequantize(at(q.input(), d), at(q.output(), d));
    }
    throw new IllegalArgumentException("unknown operator " + op.kind());
  }
}
