package dev.mcutrain.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostBuildTest {
  private static final String ECHO_PROGRAM =
      """
      #include "board.h"
      #include "mt_kernels.h"

      int main(int argc, char **argv) {
        char buf[64];
        int32_t n;
        (void)argv;
        while ((n = mt_board_read(buf, (int32_t)sizeof buf)) > 0) {
          mt_board_write(buf, n);
        }
        return argc == 3 ? 42 : 1;
      }
      """;

  @Test
  void buildsAndRunsAFreestandingExecutableThenReusesCachedObjects(@TempDir Path tmp)
      throws IOException {
    Path src = tmp.resolve("echo.c");
    Files.writeString(src, ECHO_PROGRAM);
    HostBuild build = new HostBuild(tmp.resolve("cache"));
    Path exe = build.buildExecutable(List.of(src), List.of(), tmp.resolve("out"), "echo");
    assertTrue(build.lastCompiledCount() > 10, "first build compiles the runtime");

    byte[] input = "hello, board\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
    ProcessRunner.Result r =
        ProcessRunner.run(List.of(exe.toString(), "a", "b"), input, Duration.ofSeconds(20));
    assertEquals(42, r.exitCode(), "argc must reach main: " + r.stderr());
    assertEquals(new String(input, StandardCharsets.UTF_8), r.stdoutText());

    Files.writeString(src, ECHO_PROGRAM.replace("42", "43"));
    Path exe2 = build.buildExecutable(List.of(src), List.of(), tmp.resolve("out"), "echo2");
    assertEquals(1, build.lastCompiledCount(), "only the changed source is recompiled");
    assertEquals(
        43,
        ProcessRunner.run(List.of(exe2.toString(), "a", "b"), null, Duration.ofSeconds(20))
            .exitCode());
  }

  @Test
  void syntaxErrorGivesOneLineMessageAndAFullLog(@TempDir Path tmp) throws IOException {
    Path src = tmp.resolve("broken.c");
    Files.writeString(src, "int main(int argc, char **argv) {\n  return argc +;\n}\n");
    HostBuild build = new HostBuild(tmp.resolve("cache"));
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> build.buildExecutable(List.of(src), List.of(), tmp.resolve("out"), "broken"));
    String msg = e.getMessage();
    assertFalse(msg.contains("\n"), msg);
    assertTrue(msg.contains("broken.c"), msg);
    assertTrue(msg.contains("error:"), msg);
    Matcher m = Pattern.compile("full log: (\\S+)\\)").matcher(msg);
    assertTrue(m.find(), msg);
    Path log = Path.of(m.group(1));
    assertTrue(Files.readString(log).contains("expected expression"), "log: " + log);
  }

  @Test
  void warningsAreErrors(@TempDir Path tmp) throws IOException {
    Path src = tmp.resolve("warn.c");
    Files.writeString(src, "int main(int argc, char **argv) { int unused; return 0; }\n");
    HostBuild build = new HostBuild(tmp.resolve("cache"));
    ToolchainException e =
        assertThrows(
            ToolchainException.class,
            () -> build.buildExecutable(List.of(src), List.of(), tmp.resolve("out"), "warn"));
    assertTrue(e.getMessage().contains("warn.c"), e.getMessage());
  }

  @Test
  void compilesForCortexM7(@TempDir Path tmp) throws IOException {
    Path src = tmp.resolve("m7.c");
    Files.writeString(src, "float scale(float x) { return x * 0.5f; }\n");
    HostBuild build = new HostBuild(tmp.resolve("cache"));
    List<Path> objs = build.compileOnlyForCortexM7(List.of(src), List.of(), tmp.resolve("out"));
    assertEquals(1, objs.size());
    ProcessRunner.Result r =
        ProcessRunner.run(
            List.of(Llvm.get().llvmObjdump().toString(), "-d", "--mcpu=cortex-m7",
                objs.get(0).toString()),
            null,
            Duration.ofSeconds(30));
    assertEquals(0, r.exitCode(), r.stderr());
    assertTrue(r.stdoutText().contains("vmul.f32"), r.stdoutText());
  }
}
