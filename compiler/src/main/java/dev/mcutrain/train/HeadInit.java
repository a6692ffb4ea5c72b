package dev.mcutrain.train;

import dev.mcutrain.train.update.Prng;

/**
 * Initial weights of a new fp32 head, computed at compile time (the generated C receives them as
 * initial values): Glorot-uniform in ±sqrt(6 / (depth + units)) from the project PRNG seeded with
 * {@code seed ^ 0x5EED}, row by row; biases start at 0.
 */
final class HeadInit {
  private HeadInit() {}

  static float[] weights(TrainingProgram.Head h, int seed) {
    Prng rng = new Prng(seed ^ 0x5EED);
    float limit = (float) Math.sqrt(6.0 / (h.depth() + h.units()));
    float[] w = new float[h.units() * h.depth()];
    for (int i = 0; i < w.length; i++) {
      w[i] = (2f * rng.nextFloat() - 1f) * limit;
    }
    return w;
  }
}
