package dev.mcutrain.ir;

import com.google.common.collect.ImmutableList;

/**
 * An immutable dataflow graph: tensors indexed by id, operators in execution (topological) order,
 * and the graph's input and output tensor ids.
 */
public record Graph(
    String name,
    ImmutableList<Tensor> tensors,
    ImmutableList<Op> ops,
    ImmutableList<Integer> inputs,
    ImmutableList<Integer> outputs) {

  public Graph {
    for (int i = 0; i < tensors.size(); i++) {
      if (tensors.get(i).id() != i) {
        throw new IllegalArgumentException("tensor " + i + " has id " + tensors.get(i).id());
      }
    }
  }

  public Tensor tensor(int id) {
    return tensors.get(id);
  }

  /** Index of the operator that writes {@code tensorId}, or -1 for inputs and constants. */
  public int producer(int tensorId) {
    for (int i = 0; i < ops.size(); i++) {
      if (ops.get(i).output() == tensorId) {
        return i;
      }
    }
    return -1;
  }

  public boolean isGraphInput(int tensorId) {
    return inputs.contains(tensorId);
  }

  public boolean isGraphOutput(int tensorId) {
    return outputs.contains(tensorId);
  }

  /** Total bytes of all graph inputs, packed in order. */
  public long inputBytes() {
    return inputs.stream().mapToLong(i -> tensor(i).byteSize()).sum();
  }

  /** Total bytes of all graph outputs, packed in order. */
  public long outputBytes() {
    return outputs.stream().mapToLong(i -> tensor(i).byteSize()).sum();
  }
}
