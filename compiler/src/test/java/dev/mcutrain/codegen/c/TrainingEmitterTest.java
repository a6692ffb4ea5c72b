package dev.mcutrain.codegen.c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.testing.SharedAssets;
import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.toolchain.Llvm;
import dev.mcutrain.toolchain.ProcessRunner;
import dev.mcutrain.train.TrainingBudget;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.spec.UpdateScheme;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated training step: deterministic, Cortex-M7 clean, and its state API is robust. */
class TrainingEmitterTest {

  private static TrainingMemoryPlan personDetectPlan() {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    return TrainingBudget.planWithinBudget(g, TrainingSpec.builder().classes(2)
        .scheme(UpdateScheme.parse("sparse:bias=6;w=22:1/2,24:1/4,26:1")).build());
  }

  private static List<Path> write(Path dir, Map<String, String> files) throws IOException {
    List<Path> sources = new ArrayList<>();
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.writeString(p, f.getValue());
      if (f.getKey().endsWith(".c")) {
        sources.add(p);
      }
    }
    return sources;
  }

  @Test
  void outputIsDeterministicAndHasTheTrainingApi() {
    Map<String, String> a = new TrainingEmitter(personDetectPlan()).emit();
    Map<String, String> b = new TrainingEmitter(personDetectPlan()).emit();
    assertEquals(a, b);
    String h = a.get("mt_person_detect.h");
    assertTrue(h.contains("void mt_person_detect_init(void);"), h);
    assertTrue(h.contains("float mt_person_detect_train_step(const int8_t *in, int32_t label);"));
    assertTrue(h.contains("int mt_person_detect_infer(const int8_t *in, float *logits);"));
    assertTrue(h.contains("size_t mt_person_detect_state_size(void);"));
    assertTrue(h.contains("int mt_person_detect_state_import(const void *src, size_t n);"));
    String c = a.get("mt_person_detect.c");
    assertTrue(c.contains("Training step memory: arena"), "memory table comment");
    assertTrue(c.contains("mt_conv2d_update_s8("), "fused weight updates");
    assertTrue(c.contains("copy_channels("), "saved slices for partial updates");
    for (String text : a.values()) {
      assertFalse(text.contains("double"));
      assertFalse(text.contains("malloc"));
    }
  }

  @Test
  void compilesForCortexM7WithoutDoublePrecision(@TempDir Path dir) throws IOException {
    List<Path> sources = write(dir, new TrainingEmitter(personDetectPlan()).emit());
    for (Path o : new HostBuild().compileOnlyForCortexM7(sources, List.of(dir),
        dir.resolve("obj"))) {
      ProcessRunner.Result r = ProcessRunner.run(List.of(Llvm.get().llvmObjdump().toString(),
          "-dr", "--mcpu=cortex-m7", o.toString()), new byte[0], Duration.ofMinutes(1));
      assertEquals(0, r.exitCode(), r.stderr());
      assertFalse(r.stdoutText().contains(".f64"), o + " uses double precision");
      assertFalse(r.stdoutText().contains("__aeabi_d"), o + " calls double helpers");
    }
  }

  @Test
  void stateImportRejectsWrongSizesCorruptionAndNull(@TempDir Path dir) throws IOException {
    List<Path> sources = write(dir, new TrainingEmitter(personDetectPlan()).emit());
    Path main = dir.resolve("main.c");
    Files.writeString(main, String.join("\n",
        "#include \"board.h\"",
        "#include \"mt_kernels.h\"",
        "#include \"mt_person_detect.h\"",
        "static int8_t in[MT_PERSON_DETECT_INPUT_SIZE];",
        "static uint8_t a[MT_PERSON_DETECT_STATE_SIZE];",
        "static uint8_t b[MT_PERSON_DETECT_STATE_SIZE];",
        "int main(int argc, char **argv) {",
        "  int32_t i;",
        "  (void)argc; (void)argv;",
        "  mt_person_detect_init();",
        "  if (mt_person_detect_train_step(in, 1) < 0.0f) return 10;",
        "  if (mt_person_detect_train_step(0, 1) >= 0.0f) return 11;",
        "  if (mt_person_detect_train_step(in, 2) >= 0.0f) return 12;",
        "  mt_person_detect_state_export(a);",
        "  if (mt_person_detect_state_import(a, sizeof(a)) != MT_OK) return 13;",
        "  if (mt_person_detect_state_import(0, sizeof(a)) != MT_ERR_ARG) return 14;",
        "  if (mt_person_detect_state_import(a, sizeof(a) - 1) != MT_ERR_SIZE) return 15;",
        "  for (i = 0; i < (int32_t)sizeof(a); i += 97) {",
        "    a[i] ^= 0x10;",
        "    if (mt_person_detect_state_import(a, sizeof(a)) != MT_ERR_CORRUPT) return 16;",
        "    a[i] ^= 0x10;",
        "  }",
        "  a[8] ^= 1; /* another model id */",
        "  if (mt_person_detect_state_import(a, sizeof(a)) != MT_ERR_CORRUPT) return 17;",
        "  a[8] ^= 1;",
        "  if (mt_person_detect_train_step(in, 0) < 0.0f) return 18;",
        "  if (mt_person_detect_state_import(a, sizeof(a)) != MT_OK) return 19;",
        "  mt_person_detect_state_export(b);",
        "  for (i = 0; i < (int32_t)sizeof(a); i++) if (a[i] != b[i]) return 20;",
        "  return 0;",
        "}", ""));
    sources.add(main);
    Path exe = new HostBuild().buildExecutable(sources, List.of(dir), dir, "state_api");
    ProcessRunner.Result r = ProcessRunner.run(List.of(exe.toString()), new byte[0],
        Duration.ofMinutes(1));
    assertEquals(0, r.exitCode(), "the exit code names the failed check");
  }
}
