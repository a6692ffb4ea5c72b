package dev.mcutrain.toolchain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessRunnerTest {
  @Test
  void passesStdinAndCapturesStdoutAndExitCode() {
    byte[] data = new byte[300_000]; // larger than a pipe buffer, both ways
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) (i * 31);
    }
    ProcessRunner.Result r = ProcessRunner.run(List.of("cat"), data, Duration.ofSeconds(20));
    assertEquals(0, r.exitCode());
    assertArrayEquals(data, r.stdout());
  }

  @Test
  void capturesStderrAndNonzeroExit() {
    ProcessRunner.Result r =
        ProcessRunner.run(
            List.of("sh", "-c", "echo oops >&2; exit 7"), null, Duration.ofSeconds(20));
    assertEquals(7, r.exitCode());
    assertEquals("oops\n", r.stderr());
  }

  @Test
  void killsOnTimeout() {
    long start = System.nanoTime();
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> ProcessRunner.run(List.of("sleep", "30"), null, Duration.ofMillis(300)));
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(elapsedMs < 10_000, "took " + elapsedMs + " ms");
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void missingProgramIsAToolchainException() {
    assertThrows(
        ToolchainException.class,
        () -> ProcessRunner.run(List.of("/nonexistent/program"), null, Duration.ofSeconds(5)));
  }
}
