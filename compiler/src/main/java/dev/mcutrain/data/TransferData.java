package dev.mcutrain.data;

import java.util.List;

/**
 * Training and test data ready for a model: int8 input tensors (the model's packed input layout)
 * with labels {@code 0..classes()-1}.
 *
 * @param trainSamples in training order (shuffled with the seed)
 * @param trainLabels one per train sample
 * @param testSamples in the order of the source
 * @param testLabels one per test sample
 * @param classNames the name of each class, by label
 */
public record TransferData(
    byte[][] trainSamples, int[] trainLabels, byte[][] testSamples, int[] testLabels,
    List<String> classNames) {

  /** @throws IllegalArgumentException if samples and labels disagree in number */
  public TransferData {
    if (trainSamples.length != trainLabels.length || testSamples.length != testLabels.length) {
      throw new IllegalArgumentException("samples and labels disagree in number");
    }
    classNames = List.copyOf(classNames);
  }

  /** The number of classes (the classifier's outputs). */
  public int classes() {
    return classNames.size();
  }

  public int trainSize() {
    return trainLabels.length;
  }

  public int testSize() {
    return testLabels.length;
  }
}
