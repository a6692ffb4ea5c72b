package dev.mcutrain.codegen.c;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.plan.InferenceLayout;
import dev.mcutrain.testing.SharedAssets;
import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.toolchain.Llvm;
import dev.mcutrain.toolchain.ProcessRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated C is deterministic, readable, and builds warning-free for a Cortex-M7. */
class InferenceEmitterTest {

  private static Map<String, String> emit(Graph g) {
    return new InferenceEmitter(g, InferenceLayout.of(g)).emit();
  }

  @Test
  void outputIsByteForByteDeterministic() {
    Graph a = TfliteReader.read(SharedAssets.personDetect());
    Graph b = TfliteReader.read(SharedAssets.personDetect());
    assertEquals(emit(a), emit(b));
  }

  @Test
  void headerDeclaresSizesAndTheEntryPoint() {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    Map<String, String> files = emit(g);
    assertEquals(List.of("mt_person_detect.h", "mt_person_detect.c",
        "mt_person_detect_weights.c"), new ArrayList<>(files.keySet()));
    String h = files.get("mt_person_detect.h");
    assertTrue(h.contains("#define MT_PERSON_DETECT_ARENA_SIZE 55296"), h);
    assertTrue(h.contains("#define MT_PERSON_DETECT_INPUT_SIZE 9216"), h);
    assertTrue(h.contains("#define MT_PERSON_DETECT_OUTPUT_SIZE 2"), h);
    assertTrue(h.contains("int mt_person_detect_infer(const int8_t *in, int8_t *out);"), h);
    String c = files.get("mt_person_detect.c");
    assertTrue(c.contains("Arena plan: 55296 bytes"), "arena table comment");
    assertTrue(c.contains("s = mt_depthwise_conv2d_s8(&op00_params"), c);
    String w = files.get("mt_person_detect_weights.c");
    assertTrue(w.contains("const int8_t mt_person_detect_op00_filter[72] MT_ALIGNED4 = {"), "weights in flash");
    assertTrue(w.contains("const int32_t mt_person_detect_op00_multiplier[8] = {"));
    assertTrue(w.contains("1498896102"), "op0 channel 0 multiplier from the manifest");
    for (String text : files.values()) {
      assertFalse(text.contains("double"), "no double on device");
      assertFalse(text.contains("malloc"), "no malloc");
      assertFalse(text.contains("/work/") || text.contains("\\"), "no absolute paths");
    }
  }

  @Test
  void generatedCodeCompilesForCortexM7WithoutDoublePrecision(@TempDir Path dir)
      throws IOException {
    for (String model : List.of("person_detect.tflite", "hello_world_int8.tflite",
        "simple_add_model.tflite")) {
      Graph g = TfliteReader.read(SharedAssets.model(model));
      List<Path> sources = new ArrayList<>();
      for (Map.Entry<String, String> f : emit(g).entrySet()) {
        Path p = dir.resolve(f.getKey());
        Files.writeString(p, f.getValue());
        if (f.getKey().endsWith(".c")) {
          sources.add(p);
        }
      }
      List<Path> objects = new HostBuild().compileOnlyForCortexM7(sources, List.of(dir),
          dir.resolve("obj-" + g.name()));
      for (Path o : objects) {
        ProcessRunner.Result r = ProcessRunner.run(List.of(Llvm.get().llvmObjdump().toString(),
            "-d", "--mcpu=cortex-m7", o.toString()), new byte[0], Duration.ofMinutes(1));
        assertEquals(0, r.exitCode(), r.stderr());
        assertFalse(r.stdoutText().contains(".f64"), o + " uses double precision");
      }
    }
  }

  @Test
  void generatedEntryPointRejectsNullBuffersWithAnErrorCode(@TempDir Path dir)
      throws IOException {
    Graph g = TfliteReader.read(SharedAssets.model("hello_world_int8.tflite"));
    List<Path> sources = new ArrayList<>();
    for (Map.Entry<String, String> f : emit(g).entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.writeString(p, f.getValue());
      if (f.getKey().endsWith(".c")) {
        sources.add(p);
      }
    }
    Path main = dir.resolve("main.c");
    Files.writeString(main, String.join("\n",
        "#include \"board.h\"",
        "#include \"mt_kernels.h\"",
        "#include \"mt_hello_world_int8.h\"",
        "int main(int argc, char **argv) {",
        "  int8_t in[1] = {0};",
        "  int8_t out[1];",
        "  (void)argc; (void)argv;",
        "  if (mt_hello_world_int8_infer(0, out) != MT_ERR_ARG) return 10;",
        "  if (mt_hello_world_int8_infer(in, 0) != MT_ERR_ARG) return 11;",
        "  if (mt_hello_world_int8_infer(in, out) != MT_OK) return 12;",
        "  return 0;",
        "}", ""));
    sources.add(main);
    Path exe = new HostBuild().buildExecutable(sources, List.of(dir), dir, "null_args");
    ProcessRunner.Result r = ProcessRunner.run(List.of(exe.toString()), new byte[0],
        Duration.ofMinutes(1));
    assertEquals(0, r.exitCode(), "exit code names the failed check");
  }
}
