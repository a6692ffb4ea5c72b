package dev.mcutrain.sim;

/**
 * Something that learns one labelled sample at a time and predicts logits: the generated C
 * training program, the Java reference trainer, or the fp32 fine-tuning baseline.
 */
public interface Learner extends AutoCloseable {
  /** Hears each finished training step. */
  interface StepListener {
    void step(int done, float loss);
  }

  /** One training step per sample, in order; returns the losses. */
  float[] train(byte[][] inputs, int[] labels, StepListener listener);

  /** The logits of each input with the current parameters. */
  float[][] infer(byte[][] inputs);

  @Override
  default void close() {}
}
