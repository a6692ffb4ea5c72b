package dev.mcutrain.train.update;

/**
 * How an update step {@code delta} (in integer units) becomes an integer increment R(delta); C:
 * {@code mt_rounding}, with these ordinals as its values.
 */
public enum Rounding {
  /** Toward zero (the reference engine's cast): updates smaller than one LSB are lost. */
  TRUNCATE,
  /** To nearest, halves away from zero. */
  NEAREST,
  /**
   * {@code floor(delta + u)} with {@code u = Prng.nextFloat()} (float addition): unbiased,
   * {@code E[R(delta)] = delta}. Draws exactly one PRNG value per update.
   */
  STOCHASTIC;

  /** The C enum value ({@code MT_ROUND_*}). */
  public int cValue() {
    return ordinal();
  }
}
