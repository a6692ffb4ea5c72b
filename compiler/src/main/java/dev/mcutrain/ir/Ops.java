package dev.mcutrain.ir;

import java.util.function.IntUnaryOperator;

/** Helpers over the closed set of operators. */
public final class Ops {
  private Ops() {}

  /** The operator with every tensor id mapped by {@code m} (absent operands, -1, stay -1). */
  public static Op remap(Op op, IntUnaryOperator m) {
    IntUnaryOperator f = id -> id < 0 ? id : m.applyAsInt(id);
    if (op instanceof Op.Conv2D c) {
      return new Op.Conv2D(f.applyAsInt(c.input()), f.applyAsInt(c.filter()),
          f.applyAsInt(c.bias()), f.applyAsInt(c.output()), c.padding(), c.strideH(),
          c.strideW(), c.activation(), c.explicitPad());
    }
    if (op instanceof Op.DepthwiseConv2D c) {
      return new Op.DepthwiseConv2D(f.applyAsInt(c.input()), f.applyAsInt(c.filter()),
          f.applyAsInt(c.bias()), f.applyAsInt(c.output()), c.padding(), c.strideH(),
          c.strideW(), c.depthMultiplier(), c.activation(), c.explicitPad());
    }
    if (op instanceof Op.FullyConnected c) {
      return new Op.FullyConnected(f.applyAsInt(c.input()), f.applyAsInt(c.filter()),
          f.applyAsInt(c.bias()), f.applyAsInt(c.output()), c.activation());
    }
    if (op instanceof Op.Add a) {
      return new Op.Add(f.applyAsInt(a.input1()), f.applyAsInt(a.input2()),
          f.applyAsInt(a.output()), a.activation());
    }
    if (op instanceof Op.Pool2D p) {
      return new Op.Pool2D(p.max(), f.applyAsInt(p.input()), f.applyAsInt(p.output()),
          p.padding(), p.strideH(), p.strideW(), p.filterH(), p.filterW(), p.activation());
    }
    if (op instanceof Op.Mean m2) {
      return new Op.Mean(f.applyAsInt(m2.input()), f.applyAsInt(m2.output()), m2.axes(),
          m2.keepDims());
    }
    if (op instanceof Op.Reshape r) {
      return new Op.Reshape(f.applyAsInt(r.input()), f.applyAsInt(r.output()));
    }
    if (op instanceof Op.Softmax s) {
      return new Op.Softmax(f.applyAsInt(s.input()), f.applyAsInt(s.output()), s.beta());
    }
    if (op instanceof Op.Pad p) {
      return new Op.Pad(f.applyAsInt(p.input()), f.applyAsInt(p.output()), p.before(),
          p.after());
    }
    if (op instanceof Op.Quantize q) {
      return new Op.Quantize(f.applyAsInt(q.input()), f.applyAsInt(q.output()));
    }
    if (op instanceof Op.Dequantize q) {
      return new Op.Dequantize(f.applyAsInt(q.input()), f.applyAsInt(q.output()));
    }
    throw new IllegalArgumentException(op.kind());
  }
}
