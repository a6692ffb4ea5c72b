package dev.mcutrain.ir;

import java.util.Optional;

/**
 * A tensor of the graph: an activation (no data) or a constant (weights, biases, operands).
 *
 * @param id index of the tensor in its graph
 * @param quant empty for tensors without quantization (float activations, shape operands)
 * @param data present for constants
 */
public record Tensor(
    int id, String name, DType dtype, Shape shape, Optional<QuantParams> quant,
    Optional<ConstData> data) {

  public boolean isConstant() {
    return data.isPresent();
  }

  public long byteSize() {
    return shape.elementCount() * dtype.byteSize();
  }

  /** The quantization, which every int8 activation and weight has. */
  public QuantParams q() {
    return quant.orElseThrow(
        () -> new IllegalStateException("tensor '" + name + "' has no quantization"));
  }
}
