package dev.mcutrain.cli;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.data.RawDataset;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.engine.CTrainer;
import dev.mcutrain.train.ReferenceTrainer;
import dev.mcutrain.train.TrainingBudget;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.TrainingProgram;
import dev.mcutrain.train.spec.TrainingOptions;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.update.Prng;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mcutrain train MODEL [training flags] --data DIR}: on-device training, simulated. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model on a raw dataset (DIR/samples.bin: N int8 input tensors back to "
        + "back; DIR/labels.bin: N label bytes) and print the loss per epoch. --engine c runs the "
        + "generated C training step (built for the host); both engines give the same bits.")
final class TrainCommand implements Callable<Integer> {
  enum Engine {
    java,
    c
  }

  @Parameters(index = "0", paramLabel = "MODEL.tflite", description = "int8 TFLite model")
  Path model;

  @Mixin TrainingOptions training;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "raw dataset")
  Path data;

  @Option(names = "--epochs", defaultValue = "1", paramLabel = "E",
      description = "passes over the data, each in a fresh seeded order (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--engine", defaultValue = "java", paramLabel = "java|c",
      description = "java: the reference trainer (default); c: the generated C training step")
  Engine engine;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    TrainingSpec ts = training.toSpec();
    if (epochs < 1) {
      throw new McuTrainException("--epochs must be at least 1, not " + epochs);
    }
    Graph g = TfliteReader.read(model);
    TrainingProgram program = TrainingBudget.planWithinBudget(g, ts).program();
    int classes = program.head().map(TrainingProgram.Head::units)
        .orElse((int) program.graph().tensor(program.logitsTensor()).shape().elementCount());
    RawDataset ds = RawDataset.read(data, (int) g.inputBytes(), classes);
    PrintWriter out = spec.commandLine().getOut();
    out.printf(Locale.ROOT, "training %s on %d samples: %s%n", g.name(), ds.size(),
        ts.describe());
    Prng shuffle = new Prng(ts.seed() ^ 0x5AFF1E);
    int[] order = new int[ds.size()];
    List<byte[]> samples = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    List<Integer> epochEnds = new ArrayList<>();
    for (int e = 1; e <= epochs; e++) {
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      shuffle.shuffle(order);
      for (int i : order) {
        samples.add(ds.sample(i));
        labels.add(ds.label(i));
      }
      epochEnds.add(samples.size());
    }
    float[] losses;
    if (engine == Engine.java) {
      ReferenceTrainer trainer = new ReferenceTrainer(program);
      losses = new float[samples.size()];
      for (int i = 0; i < losses.length; i++) {
        losses[i] = trainer.step(samples.get(i), labels.get(i));
      }
    } else {
      losses = new CTrainer(TrainingMemoryPlan.of(program))
          .run(samples, labels.stream().mapToInt(Integer::intValue).toArray()).losses();
    }
    int start = 0;
    for (int e = 0; e < epochs; e++) {
      double sum = 0;
      for (int i = start; i < epochEnds.get(e); i++) {
        sum += losses[i];
      }
      out.printf(Locale.ROOT, "epoch %d: mean loss %.6f (first step %.6f, last step %.6f)%n",
          e + 1, sum / (epochEnds.get(e) - start), losses[start], losses[epochEnds.get(e) - 1]);
      start = epochEnds.get(e);
    }
    return 0;
  }
}
