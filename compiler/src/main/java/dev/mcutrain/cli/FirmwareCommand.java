package dev.mcutrain.cli;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.data.RawDataset;
import dev.mcutrain.engine.Selftest;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.toolchain.Board;
import dev.mcutrain.toolchain.FirmwareBuild;
import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.train.TrainingBudget;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.TrainingProgram;
import dev.mcutrain.train.spec.TrainingOptions;
import dev.mcutrain.train.spec.TrainingSpec;
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

/**
 * {@code mcutrain firmware MODEL --board B --data DIR [training flags] --out DIR}: generates the
 * training step and the selftest example, builds them for a board with the bundled clang and
 * ld.lld, and writes .elf, .bin, .hex and a size report.
 */
@Command(name = "firmware", mixinStandardHelpOptions = true,
    description = "Build an example firmware (selftest or serial_finetune) around a compiled "
        + "training step for a board: writes .elf, .bin, .hex and a size report.")
final class FirmwareCommand implements Callable<Integer> {
  /**
   * Static RAM of the selftest and bench images besides the training step and the stack (board
   * support, counters): measured at 76-82 bytes; FirmwareBuildTest keeps it under this.
   */
  static final long OTHER_STATIC_RAM = 256;

  /**
   * Static RAM an example adds to the training step: {@link #OTHER_STATIC_RAM}, and for
   * serial-finetune its receive buffer (label + sample + 16), reply and logits.
   */
  static long otherStaticRam(Example example, long inputBytes, int classes) {
    if (example == Example.serial_finetune) {
      return OTHER_STATIC_RAM + (1 + inputBytes + 16) + (1 + 4L * classes + 16) + 4L * classes;
    }
    return OTHER_STATIC_RAM;
  }

  @Parameters(index = "0", paramLabel = "MODEL.tflite", description = "int8 TFLite model")
  Path model;

  @Option(names = "--board", required = true, paramLabel = "BOARD",
      description = "mps2-an500 (QEMU), stm32f746g-disco or nucleo-f411re")
  String board;

  @Option(names = "--data", required = true, paramLabel = "DIR",
      description = "raw dataset (samples.bin, labels.bin) embedded in flash")
  Path data;

  @Option(names = "--samples", defaultValue = "4", paramLabel = "N",
      description = "how many samples of the dataset to embed (default: ${DEFAULT-VALUE})")
  int samples;

  @Option(names = "--steps", defaultValue = "20", paramLabel = "N",
      description = "training steps the selftest runs (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder")
  Path out;

  /** The example firmware to build. */
  enum Example {
    selftest,
    serial_finetune
  }

  @Option(names = "--example", defaultValue = "selftest", paramLabel = "NAME",
      description = "selftest (trains on the embedded batch, prints losses and a state CRC) or "
          + "serial_finetune (trains on samples received over the serial link; see mcutrain "
          + "send); default: ${DEFAULT-VALUE}")
  Example example;

  @Mixin TrainingOptions training;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    Board b = Board.byName(board);
    TrainingSpec ts = training.toSpec();
    if (ts.budgetBytes() > b.sramBytes()) {
      throw new McuTrainException(String.format(Locale.ROOT, "--budget %,d bytes is larger than "
          + "the %s's SRAM (%,d bytes)", ts.budgetBytes(), b.boardName(), b.sramBytes()));
    }
    if (samples < 1 || steps < 1) {
      throw new McuTrainException("--samples and --steps must be at least 1");
    }
    Graph g = TfliteReader.read(model);
    int classesHint = ts.classes().orElse((int) g.tensor(g.outputs().get(0)).shape()
        .elementCount());
    TrainingMemoryPlan plan = TrainingBudget.planWithinBudget(g, ts,
        otherStaticRam(example, g.inputBytes(), classesHint) + b.stackBytes());
    TrainingProgram p = plan.program();
    int classes = p.head().map(TrainingProgram.Head::units)
        .orElse((int) p.graph().tensor(p.logitsTensor()).shape().elementCount());
    RawDataset ds = RawDataset.read(data, (int) g.inputBytes(), classes);
    int n = Math.min(samples, ds.size());
    List<byte[]> xs = new ArrayList<>();
    int[] ys = new int[n];
    for (int i = 0; i < n; i++) {
      xs.add(ds.sample(i));
      ys[i] = ds.label(i);
    }
    Selftest selftest = new Selftest(plan, xs, ys, steps);
    Path src = out.resolve("src");
    List<Path> sources = new ArrayList<>(selftest.writeTo(src));
    String dirName = example == Example.selftest ? "selftest" : "serial-finetune";
    sources.add(new HostBuild().sourceRoot().resolve("examples/" + dirName + "/main.c"));
    FirmwareBuild.Image image = FirmwareBuild.build(b, ts.budgetBytes(), sources, List.of(src),
        out, example.name() + "_" + g.name());
    PrintWriter w = spec.commandLine().getOut();
    w.printf(Locale.ROOT, "training step: %s; planned peak %,d bytes (arena %,d + state %,d)%n",
        ts.scheme(), plan.peakBytes(), plan.arenaBytes(), plan.trainableBytes());
    w.printf(Locale.ROOT, "wrote %s, %s, %s%n", image.elf(), image.bin(), image.hex());
    w.printf("%s", image.size().toText());
    return 0;
  }
}
