package dev.mcutrain.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.testing.SharedAssets;
import dev.mcutrain.toolchain.Board;
import dev.mcutrain.toolchain.FirmwareBuild;
import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.toolchain.Llvm;
import dev.mcutrain.toolchain.Qemu;
import dev.mcutrain.toolchain.ProcessRunner;
import dev.mcutrain.train.TrainingBudget;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.spec.UpdateScheme;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/selftest prints exactly what the Java reference trainer computes. */
class SelftestTest {

  static Selftest personDetectSelftest(int steps) throws IOException {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    TrainingMemoryPlan plan = TrainingBudget.planWithinBudget(g, TrainingSpec.builder()
        .classes(2).scheme(UpdateScheme.parse("sparse:bias=6;w=22:1/2,24:1/4,26:1")).build());
    byte[] person = Files.readAllBytes(SharedAssets.golden("person_detect/person/input.bin"));
    byte[] none = Files.readAllBytes(SharedAssets.golden("person_detect/no_person/input.bin"));
    return new Selftest(plan, List.of(person, none), new int[] {1, 0}, steps);
  }

  @Test
  void hostRunOfTheSelftestExampleMatchesTheJavaReference(@TempDir Path dir) throws IOException {
    Selftest s = personDetectSelftest(12);
    HostBuild build = new HostBuild();
    List<Path> sources = new ArrayList<>(s.writeTo(dir));
    sources.add(build.sourceRoot().resolve("examples/selftest/main.c"));
    Path exe = build.buildExecutable(sources, List.of(dir), dir, "selftest");
    ProcessRunner.Result r = ProcessRunner.run(List.of(exe.toString()), new byte[0],
        Duration.ofMinutes(2));
    assertEquals(0, r.exitCode(), r.stdoutText());
    assertEquals(s.expectedOutput(), new String(r.stdout(), StandardCharsets.US_ASCII));
  }

  private static List<Path> sources(Selftest s, Path dir) {
    List<Path> sources = new ArrayList<>(s.writeTo(dir));
    sources.add(new HostBuild().sourceRoot().resolve("examples/selftest/main.c"));
    return sources;
  }

  @Test
  void selftestOnTheEmulatedCortexM7MatchesTheJavaReference(@TempDir Path dir)
      throws IOException {
    Selftest s = personDetectSelftest(12);
    FirmwareBuild.Image image = FirmwareBuild.build(Board.MPS2_AN500, 256 * 1024,
        sources(s, dir), List.of(dir), dir.resolve("mps2"), "selftest");
    Qemu.Result r = Qemu.run(image.elf(), new byte[0], Duration.ofMinutes(5), false);
    assertEquals(0, r.exitStatus(), new String(r.stdout(), StandardCharsets.US_ASCII));
    assertEquals(s.expectedOutput(), new String(r.stdout(), StandardCharsets.US_ASCII));
  }

  @Test
  void theSameImageForTheF746FitsItsMemoryAndHasNoDoublePrecision(@TempDir Path dir)
      throws IOException {
    Selftest s = personDetectSelftest(12);
    FirmwareBuild.Image image = FirmwareBuild.build(Board.STM32F746G_DISCO, 256 * 1024,
        sources(s, dir), List.of(dir), dir.resolve("f746"), "selftest");
    assertTrue(image.size().totalRamBytes() <= 256 * 1024, image.size().toText());
    assertTrue(image.size().flashBytes() <= 1024 * 1024, image.size().toText());
    ProcessRunner.Result d = ProcessRunner.run(List.of(Llvm.get().llvmObjdump().toString(), "-d",
        "--mcpu=cortex-m7", image.elf().toString()), new byte[0], Duration.ofMinutes(2));
    assertEquals(0, d.exitCode());
    assertFalse(d.stdoutText().contains(".f64"), "no double-precision instruction");
  }

  @Test
  void learnedStateSurvivesARebootInTheEmulatorAndCorruptionFallsBack(@TempDir Path dir)
      throws IOException {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    TrainingMemoryPlan plan = TrainingBudget.planWithinBudget(g, TrainingSpec.builder()
        .classes(2).scheme(UpdateScheme.parse("bias:4")).build());
    byte[] person = Files.readAllBytes(SharedAssets.golden("person_detect/person/input.bin"));
    Selftest s = new Selftest(plan, List.of(person), new int[] {1}, 1);
    List<Path> sources = new ArrayList<>(s.writeTo(dir));
    sources.add(dev.mcutrain.testing.SharedAssets.projectRoot()
        .resolve("tests/firmware/state_roundtrip.c"));
    FirmwareBuild.Image image = FirmwareBuild.build(Board.MPS2_AN500, 256 * 1024, sources,
        List.of(dir), dir.resolve("mps2"), "state_roundtrip");
    Qemu.Result r = Qemu.run(image.elf(), new byte[0], Duration.ofMinutes(5), false);
    assertEquals(0, r.exitStatus(), "the exit status names the failed check");
    assertEquals("roundtrip ok\n", new String(r.stdout(), StandardCharsets.US_ASCII));
  }
}
