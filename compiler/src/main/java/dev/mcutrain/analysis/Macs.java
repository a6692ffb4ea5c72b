package dev.mcutrain.analysis;

import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Shape;

/** Multiply-accumulate counts of the forward pass. */
public final class Macs {
  private Macs() {}

  /** MACs of one operator (0 for data movement and elementwise operators). */
  public static long of(Graph g, Op op) {
    if (op instanceof Op.Conv2D c) {
      Shape y = g.tensor(c.output()).shape();
      Shape f = g.tensor(c.filter()).shape();
      return y.elementCount() * f.dim(1) * f.dim(2) * f.dim(3);
    }
    if (op instanceof Op.DepthwiseConv2D c) {
      Shape y = g.tensor(c.output()).shape();
      Shape f = g.tensor(c.filter()).shape();
      return y.elementCount() * f.dim(1) * f.dim(2);
    }
    if (op instanceof Op.FullyConnected fc) {
      Shape y = g.tensor(fc.output()).shape();
      return y.elementCount() * g.tensor(fc.filter()).shape().dim(1);
    }
    return 0;
  }

  public static long total(Graph g) {
    return g.ops().stream().mapToLong(op -> of(g, op)).sum();
  }
}
