package dev.mcutrain.frontend.tflite;

import dev.mcutrain.McuTrainException;

/** The file is not a usable TFLite model: corrupt, truncated, float, or unsupported. */
public final class ModelFormatException extends McuTrainException {
  public ModelFormatException(String message) {
    super(message);
  }
}
