package dev.mcutrain.cli;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.analysis.Macs;
import dev.mcutrain.data.RawDataset;
import dev.mcutrain.engine.Selftest;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
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

  @Option(names = "--per-op", description = "also count the instructions of every forward "
      + "operator of one inference, summed by kind")
  boolean perOp;

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
    sources.add(new HostBuild().sourceRoot().resolve(perOp ? "examples/profile/main.c"
        : "examples/bench/main.c"));
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
    if (perOp) {
      perOpTable(w, p.graph(), plan.pipelines(), out, infer);
    }
    return 0;
  }

  /**
   * Forward instructions by operator kind (1x1 convolutions apart), largest first. A row
   * pipeline reports once, after its last operator: it is counted as one kind per chain shape.
   */
  static void perOpTable(PrintWriter w, Graph g, dev.mcutrain.plan.RowPipelines pipelines,
      String out, long inferInstructions) {
    java.util.Map<String, long[]> byKind = new java.util.TreeMap<>();
    Matcher m = Pattern.compile("op (\\d+) cycles (\\d+)").matcher(out);
    long traced = 0;
    while (m.find()) {
      int i = Integer.parseInt(m.group(1));
      long instr = Math.round(Long.parseLong(m.group(2)) / TICKS_PER_INSTRUCTION);
      if (i >= g.ops().size()) {
        continue;
      }
      Op op = g.ops().get(i);
      String kind = kind(g, op);
      long macs = Macs.of(g, op);
      var group = pipelines.groupOf(i);
      if (group.isPresent() && group.get().last() != i) {
        continue; // inside a pipeline: reported with its last operator
      }
      if (group.isPresent()) {
        StringBuilder sb = new StringBuilder("pipeline");
        macs = 0;
        for (int j = group.get().first(); j <= group.get().last(); j++) {
          sb.append(j == group.get().first() ? " " : ">").append(
              kind(g, g.ops().get(j)).replace("DEPTHWISE_CONV_2D ", "dw").replace("CONV_2D ", ""));
          macs += Macs.of(g, g.ops().get(j));
        }
        kind = sb.toString();
      }
      long[] v = byKind.computeIfAbsent(kind, k -> new long[3]);
      v[0] += instr;
      v[1] += macs;
      v[2]++;
      traced += instr;
    }
    w.printf(Locale.ROOT, "forward by operator kind (one inference, %,d instructions):%n",
        inferInstructions);
    byKind.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
        .forEach(e -> w.printf(Locale.ROOT, "  %-26s %3d ops %,14d instructions (%4.1f%%)%s%n",
            e.getKey(), e.getValue()[2], e.getValue()[0],
            100.0 * e.getValue()[0] / Math.max(1, inferInstructions),
            e.getValue()[1] > 0 ? String.format(Locale.ROOT, ", %,d MACs, %.2f/MAC",
                e.getValue()[1], (double) e.getValue()[0] / e.getValue()[1]) : ""));
    w.printf(Locale.ROOT, "  %-26s         %,14d instructions%n", "(logits, head, calls)",
        inferInstructions - traced);
  }

  private static String kind(Graph g, Op op) {
    if (op instanceof Op.Conv2D c) {
      var f = g.tensor(c.filter()).shape();
      return "CONV_2D " + f.dim(1) + "x" + f.dim(2);
    }
    if (op instanceof Op.DepthwiseConv2D c) {
      var f = g.tensor(c.filter()).shape();
      return "DEPTHWISE_CONV_2D " + f.dim(1) + "x" + f.dim(2);
    }
    return op.kind();
  }

  private static long parse(String out, String what) {
    Matcher m = Pattern.compile(what + " cycles (\\d+)").matcher(out);
    if (!m.find()) {
      throw new McuTrainException("the benchmark firmware printed no '" + what + "' figure");
    }
    return Long.parseLong(m.group(1));
  }
}
