package dev.mcutrain.cli;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.analysis.Macs;
import dev.mcutrain.engine.CEngine;
import dev.mcutrain.engine.InferenceEngine;
import dev.mcutrain.engine.JavaEngine;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.plan.InferenceLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mcutrain golden}: the end-to-end check on TFLite Micro's person_detect model — read it,
 * plan the arena, generate C, build it with the bundled clang, and compare both engines with
 * TFLite Micro's per-operator outputs.
 */
@Command(name = "golden", mixinStandardHelpOptions = true,
    description = "Run person_detect (from ../shared/assets) through the Java reference and the "
        + "generated C, and compare every operator with TFLite Micro's outputs.")
final class GoldenCommand implements Callable<Integer> {
  @Option(names = "--assets", paramLabel = "DIR",
      description = "the shared assets folder (default: ../shared/assets beside the project)")
  Path assets;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Path root = assets != null ? assets : defaultAssets();
    Path model = root.resolve("tflite-micro/models/person_detect.tflite");
    if (!Files.isRegularFile(model)) {
      throw new McuTrainException("this check needs " + model + " (the project's ../shared/assets);"
          + " pass --assets DIR if it is elsewhere");
    }
    Graph g = TfliteReader.read(model);
    InferenceLayout layout = InferenceLayout.of(g);
    out.printf(Locale.ROOT, "model:   %s (%d operators, %,d MACs)%n", model, g.ops().size(),
        Macs.total(g));
    out.printf(Locale.ROOT, "arena:   %,d bytes (TFLite Micro needs 136 KB = 139,264 bytes for "
        + "this model)%n", layout.arenaBytes());
    out.println("build:   generating C and building it for the host with the bundled clang...");
    long t0 = System.nanoTime();
    CEngine c = new CEngine(g);
    out.printf(Locale.ROOT, "         %s (%.1f s)%n", c.executable(), (System.nanoTime() - t0)
        / 1e9);
    JavaEngine j = new JavaEngine(g);
    boolean allMatch = true;
    for (String image : List.of("person", "no_person")) {
      Path dir = root.resolve("golden/person_detect/" + image);
      byte[] input = Files.readAllBytes(dir.resolve("input.bin"));
      InferenceEngine.Result rj = j.run(input, true);
      InferenceEngine.Result rc = c.run(input, true);
      int same = 0;
      for (int i = 0; i < g.ops().size(); i++) {
        byte[] golden = Files.readAllBytes(golden(dir, i));
        if (Arrays.equals(golden, rj.ops().get(i).bytes())
            && Arrays.equals(golden, rc.ops().get(i).bytes())) {
          same++;
        }
      }
      allMatch &= same == g.ops().size();
      out.printf(Locale.ROOT, "%-9s java: %s   c: %s   operators equal to TFLite Micro: %d/%d%n",
          image + ":", InferCommand.format(g, rj.output()), InferCommand.format(g, rc.output()),
          same, g.ops().size());
    }
    out.println(allMatch ? "result:  bit-exact (Java reference = generated C = TFLite Micro)"
        : "result:  MISMATCH");
    return allMatch ? 0 : 1;
  }

  private static Path golden(Path dir, int op) throws IOException {
    String prefix = String.format(Locale.ROOT, "op%02d_", op);
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
          .orElseThrow(() -> new McuTrainException("missing golden " + prefix + "* in " + dir));
    }
  }

  static Path defaultAssets() {
    String home = System.getProperty("mcutrain.home");
    Path base = home != null ? Path.of(home) : Path.of("").toAbsolutePath();
    return base.toAbsolutePath().getParent().resolve("shared/assets");
  }
}
