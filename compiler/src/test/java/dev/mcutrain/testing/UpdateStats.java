package dev.mcutrain.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the random int8 update cases of the native kernel tests exercised: weights and biases
 * changed, saturated weights, stochastic rounding and the channel mix (see {@link
 * KernelData#pickChannels} and {@link KernelData#countChanges}).
 */
public class UpdateStats {
  public int weightsChanged;
  public int weightsSaturated;
  public int biasesChanged;
  public int stochastic;
  public int partial;
  public int zeroChannels;
  public int fullChannels;

  /** The cases covered enough of each: changes, saturation, stochastic rounding, channel mix. */
  public void assertCoverage() {
    assertTrue(weightsChanged > 500, "weights changed: " + weightsChanged);
    assertTrue(weightsSaturated > 10, "weights saturated: " + weightsSaturated);
    assertTrue(biasesChanged > 100, "biases changed: " + biasesChanged);
    assertTrue(stochastic > 50, "stochastic cases: " + stochastic);
    assertTrue(partial > 20 && zeroChannels > 20 && fullChannels > 20,
        "channel mix: partial " + partial + ", zero " + zeroChannels + ", full " + fullChannels);
  }
}
