package dev.mcutrain.runtime;

import dev.mcutrain.testing.NativeProbe;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The two-slot flash store survives a power cut at every byte operation of a save
 * (tests/kernels/test_mt_store.c on a simulated NOR flash).
 */
class StateStoreTest {

  @Test
  void powerCutAtEveryWriteOffsetNeverLosesOrTearsTheState() {
    NativeProbe.runHandChecks("test_mt_store", Duration.ofMinutes(2));
  }
}
