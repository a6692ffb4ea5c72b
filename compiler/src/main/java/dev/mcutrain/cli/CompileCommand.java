package dev.mcutrain.cli;

import dev.mcutrain.codegen.c.InferenceEmitter;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.plan.InferenceLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mcutrain compile MODEL --out DIR}: writes the static C of an inference program. */
@Command(name = "compile", mixinStandardHelpOptions = true,
    description = "Generate static C for int8 inference: mt_<model>.h, mt_<model>.c and "
        + "mt_<model>_weights.c. Build them with runtime-c (runtime-c/include, runtime-c/src).")
final class CompileCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.tflite", description = "int8 TFLite model")
  Path model;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
  Path out;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Graph g = TfliteReader.read(model);
    InferenceLayout layout = InferenceLayout.of(g);
    Map<String, String> files = new InferenceEmitter(g, layout).emit();
    Files.createDirectories(out);
    PrintWriter w = spec.commandLine().getOut();
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = out.resolve(f.getKey());
      Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
      w.printf(Locale.ROOT, "wrote %s (%,d bytes)%n", p, Files.size(p));
    }
    w.printf(Locale.ROOT, "arena %,d bytes; input %,d bytes; output %,d bytes%n",
        layout.arenaBytes(), g.inputBytes(), g.outputBytes());
    return 0;
  }
}
