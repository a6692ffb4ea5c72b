package dev.mcutrain.reference;

import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Tensor;
import java.util.HashMap;
import java.util.Map;

/**
 * The int8 filters and int32 biases a forward pass reads, by tensor id: initialised from the
 * graph's constants, and mutable so that a trainer can update them in place between steps.
 */
public final class Parameters {
  private final Map<Integer, byte[]> int8 = new HashMap<>();
  private final Map<Integer, int[]> int32 = new HashMap<>();

  /** Copies of every int8 and int32 constant of the graph. */
  public static Parameters of(Graph g) {
    Parameters p = new Parameters();
    for (Tensor t : g.tensors()) {
      if (t.isConstant() && t.dtype() == DType.INT8) {
        p.int8.put(t.id(), t.data().orElseThrow().toByteArray());
      } else if (t.isConstant() && t.dtype() == DType.INT32) {
        p.int32.put(t.id(), t.data().orElseThrow().toInt32Array());
      }
    }
    return p;
  }

  /** The live int8 array of a constant (updates write into it). */
  public byte[] int8(int tensorId) {
    byte[] b = int8.get(tensorId);
    if (b == null) {
      throw new IllegalArgumentException("tensor " + tensorId + " is not an int8 constant");
    }
    return b;
  }

  /** The live int32 array of a constant, or null for an absent optional operand (id < 0). */
  public int[] int32(int tensorId) {
    if (tensorId < 0) {
      return null;
    }
    int[] b = int32.get(tensorId);
    if (b == null) {
      throw new IllegalArgumentException("tensor " + tensorId + " is not an int32 constant");
    }
    return b;
  }

  /** A deep copy. */
  public Parameters copy() {
    Parameters p = new Parameters();
    int8.forEach((k, v) -> p.int8.put(k, v.clone()));
    int32.forEach((k, v) -> p.int32.put(k, v.clone()));
    return p;
  }
}
