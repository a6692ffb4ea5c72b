package dev.mcutrain.ir;

/** Fused activation functions of TFLite operators. */
public enum Activation {
  NONE,
  RELU,
  RELU6,
  RELU_N1_TO_1
}
