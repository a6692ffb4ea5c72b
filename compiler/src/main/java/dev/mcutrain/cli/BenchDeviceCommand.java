package dev.mcutrain.cli;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.data.RawDataset;
import dev.mcutrain.engine.Selftest;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.report.TrainingReport;
import dev.mcutrain.toolchain.Board;
import dev.mcutrain.toolchain.FirmwareBuild;
import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.toolchain.Qemu;
import dev.mcutrain.train.TrainingBudget;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.TrainingProgram;
import dev.mcutrain.train.spec.TrainingOptions;
import dev.mcutrain.train.spec.TrainingSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mcutrain bench-device MODEL [training flags]}: deterministic instruction counts of one
 * training step and one inference on the emulated Cortex-M7 (QEMU mps2-an500 with -icount).
 */
@Command(name = "bench-device", mixinStandardHelpOptions = true,
    description = "Count the instructions of one training step and one inference on the "
        + "emulated Cortex-M7 (QEMU -icount) and print them with MACs and instructions per MAC.")
final class BenchDeviceCommand implements Callable<Integer> {
  /** SysTick ticks per instruction under -icount shift=7 (design.md §5). */
  static final double TICKS_PER_INSTRUCTION = 3.2;

  @Parameters(index = "0", paramLabel = "MODEL.tflite", description = "int8 TFLite model")
  Path model;

  @Option(names = "--data", paramLabel = "DIR",
      description = "raw dataset whose first sample is used (default: an all-zero input)")
  Path data;

  @Mixin TrainingOptions training;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    TrainingSpec ts = training.toSpec();
    Graph g = TfliteReader.read(model);
    Board board = Board.MPS2_AN500;
    TrainingMemoryPlan plan = TrainingBudget.planWithinBudget(g, ts,
        FirmwareCommand.OTHER_STATIC_RAM + board.stackBytes());
    TrainingProgram p = plan.program();
    byte[] sample = new byte[(int) g.inputBytes()];
    int label = 0;
    if (data != null) {
      int classes = p.head().map(TrainingProgram.Head::units)
          .orElse((int) p.graph().tensor(p.logitsTensor()).shape().elementCount());
      RawDataset ds = RawDataset.read(data, (int) g.inputBytes(), classes);
      sample = ds.sample(0);
      label = ds.label(0);
    }
    Path dir = Files.createTempDirectory("mcutrain-bench");
    Selftest program = new Selftest(plan, List.of(sample), new int[] {label}, 1);
    List<Path> sources = new ArrayList<>(program.writeTo(dir.resolve("src")));
    sources.add(new HostBuild().sourceRoot().resolve("examples/bench/main.c"));
    FirmwareBuild.Image image = FirmwareBuild.build(board, ts.budgetBytes(), sources,
        List.of(dir.resolve("src")), dir, "bench_" + g.name());
    Qemu.Result r = Qemu.run(image.elf(), new byte[0], Duration.ofMinutes(10), true);
    String out = new String(r.stdout(), StandardCharsets.US_ASCII);
    if (r.exitStatus() != 0) {
      throw new McuTrainException("the benchmark firmware failed in QEMU (exit status "
          + r.exitStatus() + ")");
    }
    long trainTicks = parse(out, "train_step");
    long inferTicks = parse(out, "infer");
    long train = Math.round(trainTicks / TICKS_PER_INSTRUCTION);
    long infer = Math.round(inferTicks / TICKS_PER_INSTRUCTION);
    long macsTrain = TrainingReport.macsForward(p) + TrainingReport.macsBackward(p);
    long macsInfer = TrainingReport.macsForward(p);
    PrintWriter w = spec.commandLine().getOut();
    w.printf(Locale.ROOT, "%s on %s (QEMU, -icount), %s%n", g.name(), board.boardName(),
        ts.scheme());
    w.printf(Locale.ROOT, "training step: %,d instructions, %,d MACs (forward %,d + backward %,d),"
        + " %.2f instructions/MAC%n", train, macsTrain, TrainingReport.macsForward(p),
        TrainingReport.macsBackward(p), (double) train / macsTrain);
    w.printf(Locale.ROOT, "inference:     %,d instructions, %,d MACs, %.2f instructions/MAC%n",
        infer, macsInfer, (double) infer / macsInfer);
    w.printf(Locale.ROOT, "peak SRAM %,d bytes (arena %,d + trainable state %,d); image RAM "
        + "%,d bytes, flash %,d bytes%n", plan.peakBytes(), plan.arenaBytes(),
        plan.trainableBytes(), image.size().totalRamBytes(), image.size().flashBytes());
    return 0;
  }

  private static long parse(String out, String what) {
    Matcher m = Pattern.compile(what + " cycles (\\d+)").matcher(out);
    if (!m.find()) {
      throw new McuTrainException("the benchmark firmware printed no '" + what + "' figure");
    }
    return Long.parseLong(m.group(1));
  }
}
