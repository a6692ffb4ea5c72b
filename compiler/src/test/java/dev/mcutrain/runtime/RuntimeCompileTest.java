package dev.mcutrain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.testing.NativeProbe.Disassembly;
import dev.mcutrain.testing.NativeProbe;
import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.toolchain.ProcessRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every runtime-c source compiles warning-free (-Werror) for the host and for Cortex-M7, and the
 * Cortex-M7 objects use neither double-precision instructions nor 64-bit division/shift helpers.
 */
class RuntimeCompileTest {
  /** Calls that would mean a double, a 64-bit division or a missing libgcc/compiler-rt helper. */
  private static final Pattern FORBIDDEN_CALL =
      Pattern.compile(
          "R_ARM_THM_(CALL|JUMP24)\\s+(__aeabi_l\\w*|__aeabi_d\\w*|__aeabi_f2[lu]\\w*"
              + "|__aeabi_[lu]\\w*2f|__\\w*di3|__\\w*df\\w*)");

  @Test
  void compilesForHostWithWerror(@TempDir Path tmp) {
    HostBuild build = new HostBuild(tmp.resolve("cache"));
    Path root = build.sourceRoot();
    List<Path> sources = HostBuild.runtimeSources(root);
    assertTrue(sources.size() >= 13, "runtime sources: " + sources);
    // buildExecutable would need a main; compile-only via the Cortex-M7 path is separate, so link
    // the runtime into a trivial program instead.
    Path main = tmp.resolve("empty_main.c");
    writeString(main, "int main(int argc, char **argv) { (void)argc; (void)argv; return 0; }\n");
    Path exe = build.buildExecutable(List.of(main), List.of(), tmp.resolve("out"), "empty");
    assertEquals(
        0, ProcessRunner.run(List.of(exe.toString()), null, Duration.ofSeconds(20)).exitCode());
  }

  @Test
  void compilesForCortexM7WithoutDoubleOr64BitDivision(@TempDir Path tmp) {
    HostBuild build = new HostBuild(tmp.resolve("cache"));
    Path root = build.sourceRoot();
    List<Path> sources = new ArrayList<>(HostBuild.runtimeSources(root));
    for (Disassembly d : NativeProbe.cortexM7(build, sources, tmp.resolve("m7"))) {
      d.assertNoDoubleOrForbiddenCall(FORBIDDEN_CALL);
    }
  }

  private static void writeString(Path p, String s) {
    try {
      java.nio.file.Files.writeString(p, s);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
