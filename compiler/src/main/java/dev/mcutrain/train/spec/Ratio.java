package dev.mcutrain.train.spec;

import com.google.common.math.IntMath;
import dev.mcutrain.McuTrainException;

/**
 * The fraction of a layer's channels whose weights are updated, a reduced fraction in (0, 1].
 * Written {@code 1} or {@code num/den} (for example {@code 1/8}); {@code 2/4} is kept as
 * {@code 1/2}.
 *
 * @param num numerator, 1 ≤ num ≤ den after reduction
 * @param den denominator ≥ 1
 */
public record Ratio(int num, int den) {
  /** All channels. */
  public static final Ratio ONE = new Ratio(1, 1);

  /** Reduces the fraction; a ratio outside (0, 1] is a {@link McuTrainException}. */
  public Ratio {
    if (den <= 0 || num <= 0 || num > den) {
      throw new McuTrainException("ratio " + num + "/" + den + " is outside (0,1]");
    }
    int g = IntMath.gcd(num, den);
    num /= g;
    den /= g;
  }

  /**
   * The number of channels updated out of {@code channels}: {@code max(1, floor(channels * num /
   * den))}, so a layer named in a sparse scheme always updates at least one channel.
   */
  public int of(int channels) {
    if (channels < 1) {
      throw new IllegalArgumentException("channel count " + channels);
    }
    return (int) Math.max(1L, (long) channels * num / den);
  }

  /** {@code "1"} or {@code "num/den"}. */
  @Override
  public String toString() {
    return den == 1 ? Integer.toString(num) : num + "/" + den;
  }
}
