package dev.mcutrain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.toolchain.ProcessRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The two-slot flash store survives a power cut at every byte operation of a save
 * (tests/kernels/test_mt_store.c on a simulated NOR flash).
 */
class StateStoreTest {

  @Test
  void powerCutAtEveryWriteOffsetNeverLosesOrTearsTheState() throws Exception {
    HostBuild build = new HostBuild();
    Path out = Files.createTempDirectory("mt-store");
    Path exe = build.buildExecutable(
        List.of(dev.mcutrain.testing.SharedAssets.projectRoot().resolve("tests/kernels/test_mt_store.c")), List.of(), out,
        "test_mt_store");
    ProcessRunner.Result r = ProcessRunner.run(List.of(exe.toString()), new byte[0],
        Duration.ofMinutes(2));
    String text = r.stdoutText();
    assertEquals(0, r.exitCode(), text);
    assertTrue(text.contains(" passed, 0 failed"), text);
  }
}
