package dev.mcutrain.ir;

/** Element types the engine understands. */
public enum DType {
  INT8(1),
  INT16(2),
  INT32(4),
  INT64(8),
  FLOAT32(4);

  private final int byteSize;

  DType(int byteSize) {
    this.byteSize = byteSize;
  }

  public int byteSize() {
    return byteSize;
  }

  /** C type name used by the code generator. */
  public String cType() {
    return switch (this) {
      case INT8 -> "int8_t";
      case INT16 -> "int16_t";
      case INT32 -> "int32_t";
      case INT64 -> "int64_t";
      case FLOAT32 -> "float";
    };
  }
}
