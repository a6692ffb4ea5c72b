package dev.mcutrain.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class LlvmTest {
  @Test
  void allToolsAreExtractedAndExecutable() {
    Llvm llvm = Llvm.get();
    assertSame(llvm, Llvm.get());
    for (Path tool :
        List.of(llvm.clang(), llvm.lld(), llvm.llvmSize(), llvm.llvmObjdump(), llvm.llvmObjcopy(),
            llvm.llvmMca())) {
      assertTrue(Files.isExecutable(tool), tool + " is not executable");
      ProcessRunner.Result r =
          ProcessRunner.run(List.of(tool.toString(), "--version"), null, Duration.ofSeconds(30));
      assertEquals(0, r.exitCode(), tool + " --version: " + r.stderr());
      assertTrue(
          (r.stdoutText() + r.stderr()).contains("17.0.6"), tool + " is not LLVM 17.0.6");
    }
  }
}
