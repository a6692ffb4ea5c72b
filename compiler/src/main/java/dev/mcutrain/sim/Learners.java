package dev.mcutrain.sim;

import dev.mcutrain.engine.CTrainer;
import dev.mcutrain.train.ReferenceTrainer;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.TrainingProgram;

/** The {@link Learner}s of the project. */
public final class Learners {
  private Learners() {}

  /** The generated C training program, built for the host and run as one process. */
  public static Learner c(TrainingMemoryPlan plan) {
    CTrainer.Session s = new CTrainer(plan).open();
    return new Learner() {
      @Override
      public float[] train(byte[][] inputs, int[] labels, StepListener l) {
        return s.train(inputs, labels, l == null ? null : l::step);
      }

      @Override
      public float[][] infer(byte[][] inputs) {
        return s.infer(inputs);
      }

      @Override
      public void close() {
        s.close();
      }
    };
  }

  /** The Java reference trainer (the same bits as {@link #c}, slower). */
  public static Learner java(TrainingProgram program) {
    ReferenceTrainer t = new ReferenceTrainer(program);
    return stepwise(t::step, t::logits);
  }

  /** fp32 fine-tuning of the same layers with the same schedule ({@link FloatFineTuner}). */
  public static Learner fp32(TrainingProgram program) {
    FloatFineTuner t = new FloatFineTuner(program);
    return stepwise(t::step, t::logits);
  }

  /** One training step on one labelled sample, returning the loss. */
  private interface Step {
    float step(byte[] input, int label);
  }

  /** A learner that trains and infers one sample at a time in this process. */
  private static Learner stepwise(Step step, java.util.function.Function<byte[], float[]> logits) {
    return new Learner() {
      @Override
      public float[] train(byte[][] inputs, int[] labels, StepListener l) {
        float[] losses = new float[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
          losses[i] = step.step(inputs[i], labels[i]);
          if (l != null) {
            l.step(i + 1, losses[i]);
          }
        }
        return losses;
      }

      @Override
      public float[][] infer(byte[][] inputs) {
        float[][] out = new float[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
          out[i] = logits.apply(inputs[i]);
        }
        return out;
      }
    };
  }
}
