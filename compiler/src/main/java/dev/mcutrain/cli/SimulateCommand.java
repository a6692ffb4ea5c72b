package dev.mcutrain.cli;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.data.DataSpec;
import dev.mcutrain.data.TransferData;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.sim.Curves;
import dev.mcutrain.sim.Learner;
import dev.mcutrain.sim.Learners;
import dev.mcutrain.sim.Simulation;
import dev.mcutrain.train.TrainingBudget;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.spec.Budget;
import dev.mcutrain.train.spec.TrainingOptions;
import dev.mcutrain.train.spec.TrainingSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mcutrain simulate}: on-device transfer learning on a real dataset, on the host. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
    description = "Compile the on-device training program, run it (the generated C, built for "
        + "the host) over the training split, evaluate on the test split after each epoch, and "
        + "write curve.csv and curve.png. A new head with one output per class of the data "
        + "replaces the classifier unless --classes says otherwise.")
final class SimulateCommand implements Callable<Integer> {
  enum Engine {
    c,
    java,
    fp32
  }

  @Parameters(index = "0", paramLabel = "MODEL.tflite", description = "int8 TFLite model")
  Path model;

  @Mixin DataOptions data;

  @Mixin TrainingOptions training;

  @Option(names = "--epochs", defaultValue = "1", paramLabel = "E",
      description = "passes over the training split (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--engine", defaultValue = "c", paramLabel = "c|java|fp32",
      description = "c: the generated C (default); java: the Java reference (same bits, "
          + "slower); fp32: float32 fine-tuning of the same layers (the baseline)")
  Engine engine;

  @Option(names = "--out", paramLabel = "DIR", description = "where to write curve.csv, "
      + "curve.png and memory.txt (default: simulate-<model>)")
  Path out;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** The result of a simulation, for the demo and the experiments. */
  record Outcome(TrainingMemoryPlan plan, TrainingSpec spec, List<Simulation.Epoch> curve) {}

  @Override
  public Integer call() throws IOException {
    PrintWriter w = spec.commandLine().getOut();
    if (epochs < 1) {
      throw new McuTrainException("--epochs must be at least 1, not " + epochs);
    }
    Graph g = TfliteReader.read(model);
    Path dir = out != null ? out : Path.of("simulate-" + g.name());
    TransferData d = load(g, data, training.toSpec().seed());
    TrainingSpec ts = training.toSpec(d.classes());
    Outcome o = simulate(g, d, ts, epochs, engine, dir, w);
    Simulation.Epoch last = o.curve().get(o.curve().size() - 1);
    w.printf(Locale.ROOT, "test accuracy: %.2f%% before, %.2f%% after %d epoch%s%n",
        100 * o.curve().get(0).testAccuracy(), 100 * last.testAccuracy(), epochs,
        epochs == 1 ? "" : "s");
    return 0;
  }

  static TransferData load(Graph g, DataOptions data, int seed) {
    return data.spec().load(g, data.options(seed));
  }

  /** Plans, builds and runs one simulation, printing progress and writing the curve files. */
  static Outcome simulate(Graph g, TransferData d, TrainingSpec ts, int epochs,
      Engine engine, Path dir, PrintWriter w) throws IOException {
    TrainingMemoryPlan plan = TrainingBudget.planWithinBudget(g, ts);
    w.printf(Locale.ROOT, "data: %,d training and %,d test samples, %d classes (%s)%n",
        d.trainSamples().length, d.testSamples().length, d.classes(), String.join(", ", d.classNames()));
    w.printf(Locale.ROOT, "training program: %s%n", ts.describe());
    w.printf(Locale.ROOT, "memory: peak SRAM %,d bytes = arena %,d + trainable state %,d "
        + "(budget %s)%n", plan.peakBytes(), plan.arenaBytes(), plan.trainableBytes(),
        Budget.format(ts.budgetBytes()));
    int classes = plan.program().head().map(h -> h.units()).orElse((int) plan.program().graph()
        .tensor(plan.program().logitsTensor()).shape().elementCount());
    if (classes != d.classes()) {
      throw new McuTrainException("the classifier has " + classes + " outputs but the data has "
          + d.classes() + " classes: pass --classes " + d.classes() + " for a new head");
    }
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("memory.txt"), plan.table());
    if (engine == Engine.c) {
      w.println("building the generated C training program for the host...");
      w.flush();
    }
    Progress[] bar = new Progress[1];
    List<Simulation.Epoch> curve;
    try (Learner l = switch (engine) {
      case c -> Learners.c(plan);
      case java -> Learners.java(plan.program());
      case fp32 -> Learners.fp32(plan.program());
    }) {
      curve = Simulation.run(l, d.trainSamples(), d.trainLabels(), d.testSamples(), d.testLabels(), epochs, ts.seed(),
          new Simulation.Listener() {
            @Override
            public void epochStarted(int epoch, int steps) {
              bar[0] = Progress.start("epoch " + epoch + "/" + epochs, steps);
            }

            @Override
            public void step(int epoch, int done, float loss) {
              if (bar[0] != null) {
                bar[0].update(done, loss);
              }
            }

            @Override
            public void epochFinished(Simulation.Epoch e) {
              if (bar[0] != null) {
                bar[0].close();
                bar[0] = null;
              }
              if (e.epoch() == 0) {
                w.printf(Locale.ROOT, "before training: test loss %.4f, test accuracy %.2f%%%n",
                    e.testLoss(), 100 * e.testAccuracy());
              } else {
                w.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f, test loss %.4f, test "
                    + "accuracy %.2f%% (%.1f s)%n", e.epoch(), epochs, e.trainLoss(),
                    e.testLoss(), 100 * e.testAccuracy(), e.seconds());
              }
              w.flush();
            }
          });
    }
    Curves.writeCsv(curve, dir.resolve("curve.csv"));
    Curves.writePlot(g.name() + ": " + ts.scheme() + " (" + engine + ")",
        Map.of(engine.toString(), curve), dir.resolve("curve.png"));
    w.printf(Locale.ROOT, "wrote %s, %s and %s%n", dir.resolve("curve.csv"),
        dir.resolve("curve.png"), dir.resolve("memory.txt"));
    return new Outcome(plan, ts, curve);
  }
}
