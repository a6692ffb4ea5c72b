package dev.mcutrain.cli;

import dev.mcutrain.codegen.c.InferenceEmitter;
import dev.mcutrain.codegen.c.TrainingEmitter;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.plan.InferenceLayout;
import dev.mcutrain.report.ArenaSvg;
import dev.mcutrain.report.TrainingReport;
import dev.mcutrain.train.TrainingBudget;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.spec.Budget;
import dev.mcutrain.train.spec.TrainingOptions;
import dev.mcutrain.train.spec.TrainingSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mcutrain compile MODEL --out DIR [--train | training flags]}: writes the static C of
 * an inference program, or of a training step with its memory plan (memory.txt, report.json,
 * arena.svg) checked against the budget.
 */
@Command(name = "compile", mixinStandardHelpOptions = true,
    description = "Generate static C (mt_<model>.h, mt_<model>.c, mt_<model>_weights.c): an "
        + "int8 inference program, or with --train or any training flag a training step planned "
        + "under --budget, with memory.txt, report.json and arena.svg.")
final class CompileCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "MODEL.tflite", description = "int8 TFLite model")
  Path model;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
  Path out;

  @Option(names = "--train", description = "plan a training step (implied by training flags)")
  boolean train;

  @Mixin TrainingOptions training;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Graph g = TfliteReader.read(model);
    TrainingSpec ts = train || training.anyGiven() ? training.toSpec() : null;
    TrainingMemoryPlan plan = ts == null ? null : TrainingBudget.planWithinBudget(g, ts);
    Files.createDirectories(out);
    PrintWriter w = spec.commandLine().getOut();
    if (plan == null) {
      g = dev.mcutrain.passes.FoldPad.apply(g); // PAD + VALID conv -> conv with explicit padding
      InferenceLayout layout = InferenceLayout.fused(g); // conv chains run row by row
      for (Map.Entry<String, String> f : new InferenceEmitter(g, layout).emit().entrySet()) {
        write(w, f.getKey(), f.getValue());
      }
      w.printf(Locale.ROOT, "inference: arena %,d bytes; input %,d bytes; output %,d bytes; "
          + "%d row pipelines%n", layout.arenaBytes(), g.inputBytes(), g.outputBytes(),
          layout.pipelines().groups().size());
    } else {
      for (Map.Entry<String, String> f : new TrainingEmitter(plan).emit().entrySet()) {
        write(w, f.getKey(), f.getValue());
      }
      write(w, "memory.txt", plan.table());
      write(w, "report.json", TrainingReport.json(plan, ts));
      write(w, "arena.svg", ArenaSvg.render(plan, g.name() + ": training step, "
          + ts.scheme() + (ts.classes().isPresent() ? ", " + ts.classes().get() + " classes"
          : "")));
      w.printf(Locale.ROOT, "training (%s): peak SRAM %,d bytes = arena %,d + trainable state "
          + "%,d; budget %s; peak at %s%n", ts.scheme(), plan.peakBytes(), plan.arenaBytes(),
          plan.trainableBytes(), Budget.format(ts.budgetBytes()),
          plan.describeTime(plan.arena().peakOp()));
    }
    return 0;
  }

  private void write(PrintWriter w, String name, String content) throws IOException {
    Path p = out.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    w.printf(Locale.ROOT, "wrote %s (%,d bytes)%n", p, Files.size(p));
  }
}
