package dev.mcutrain.cli;

import dev.mcutrain.data.ClassRange;
import dev.mcutrain.data.DataSpec;
import dev.mcutrain.data.TransferData;
import dev.mcutrain.engine.Selftest;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.pretrain.PretrainJob;
import dev.mcutrain.pretrain.Pretrainer;
import dev.mcutrain.report.ArenaSvg;
import dev.mcutrain.report.TrainingReport;
import dev.mcutrain.sim.Simulation;
import dev.mcutrain.codegen.c.TrainingEmitter;
import dev.mcutrain.toolchain.Board;
import dev.mcutrain.toolchain.FirmwareBuild;
import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.train.TrainingBudget;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.spec.UpdateScheme;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mcutrain demo}: the whole story on real data in a few minutes. Pretrain a small CNN on
 * Fashion-MNIST classes 0-4 (cached), compile an on-device training program for the STM32F746G
 * Discovery under 256 KB, link its firmware, and simulate on-device transfer learning to classes
 * 5-9 with a new 5-way head, running the generated C on the host.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Pretrain on Fashion-MNIST 0-4 (cached), compile on-device training for the "
        + "stm32f746g-disco under 256 KB, and simulate transfer learning to classes 5-9; prints "
        + "the memory plan and the accuracy before and after.")
final class DemoCommand implements Callable<Integer> {
  /** The update scheme of the demo: biases of the last 8 layers, weights of 4 of them. */
  static final String SCHEME = "sparse:bias=8;w=5:1,6:1,7:1,8:1";

  @Option(names = "--out", defaultValue = "mcutrain-demo", paramLabel = "DIR",
      description = "where to write the model, C sources, memory plan, firmware and curves "
          + "(default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--data", defaultValue = "fashion-mnist", paramLabel = "SPEC",
      description = "Fashion-MNIST location (default: Debian's dataset-fashion-mnist)")
  String data;

  @Option(names = "--epochs", defaultValue = "2", paramLabel = "E",
      description = "on-device training epochs over classes 5-9 (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--quick", description = "a small run (2,000 training samples) for a smoke "
      + "test")
  boolean quick;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /**
   * The demo's pretrained model (Fashion-MNIST 0-4, 28x28, width 1.0, 2 epochs): from the cache
   * under the host build cache, or trained now and cached.
   */
  static Path pretrained(DataSpec ds, boolean quick, PrintWriter w) throws IOException {
    int limit = quick ? 2000 : 0;
    int testLimit = quick ? 1000 : 0;
    PretrainJob.Settings ps = new PretrainJob.Settings(ds,
        new DataSpec.Options(new ClassRange(0, 4), 1, limit, testLimit, 0.2), 28, 28, 1, 1.0,
        new Pretrainer.Config(quick ? 1 : 2, 32, 0.002f, 1,
            Math.min(Pretrainer.CHUNKS, Runtime.getRuntime().availableProcessors())), 500);
    Path cached = new HostBuild().cacheDir().resolve("pretrained")
        .resolve("tiny_mobilenet-" + ps.key() + ".tflite");
    Path summary = cached.resolveSibling(cached.getFileName() + ".txt");
    if (Files.isRegularFile(cached) && Files.isRegularFile(summary)) {
      w.println("cached: " + cached);
      w.println(Files.readString(summary).strip());
    } else {
      PretrainJob.Result r = PretrainCommand.run(ps, cached, w);
      Files.writeString(summary, r.summary() + "\n");
    }
    return cached;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter w = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    DataSpec ds = DataSpec.parse(data);
    int limit = quick ? 2000 : 0;
    int testLimit = quick ? 1000 : 0;
    Files.createDirectories(out);

    // 1. Pretrain in the "cloud" (cached).
    w.println("== 1. pretrain: a small MobileNet-like CNN on Fashion-MNIST classes 0-4 "
        + "(fp32 on the host, then int8 post-training quantization)");
    Path cached = pretrained(ds, quick, w);
    Path model = out.resolve("fashion_0_4.tflite");
    Files.copy(cached, model, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    w.println("model: " + model);

    // 2. Compile the training program for the board.
    Board board = Board.byName("stm32f746g-disco");
    Graph g = TfliteReader.read(model);
    TrainingSpec ts = TrainingSpec.builder().classes(5).scheme(UpdateScheme.parse(SCHEME))
        .budgetBytes(256L << 10).seed(1).build();
    w.println();
    w.printf(Locale.ROOT, "== 2. compile: on-device training for the %s, budget 256 KB "
        + "(%s, new 5-way fp32 head)%n", board.boardName(), SCHEME);
    TrainingMemoryPlan plan = TrainingBudget.planWithinBudget(g, ts,
        FirmwareCommand.OTHER_STATIC_RAM + board.stackBytes());
    Path src = out.resolve("training-c");
    Files.createDirectories(src);
    for (Map.Entry<String, String> f : new TrainingEmitter(plan).emit().entrySet()) {
      Files.writeString(src.resolve(f.getKey()), f.getValue());
    }
    Files.writeString(src.resolve("memory.txt"), plan.table());
    Files.writeString(src.resolve("report.json"), TrainingReport.json(plan, ts));
    Files.writeString(src.resolve("arena.svg"), ArenaSvg.render(plan, g.name()
        + ": training step, " + SCHEME + ", 5 classes"));
    w.printf(Locale.ROOT, "peak SRAM of a training step: %,d bytes = activation arena %,d + "
        + "trainable state %,d (peak at %s)%n", plan.peakBytes(), plan.arenaBytes(),
        plan.trainableBytes(), plan.describeTime(plan.arena().peakOp()));
    w.println("wrote " + src + " (C sources, memory.txt, report.json, arena.svg)");

    // 3. Link the firmware (the linker script checks the same budget).
    TransferData d = ds.load(g, new DataSpec.Options(new ClassRange(5, 9), 1, limit, testLimit, 0.2));
    List<byte[]> xs = new ArrayList<>();
    int[] ys = new int[8];
    for (int i = 0; i < ys.length; i++) {
      xs.add(d.trainSamples()[i]);
      ys[i] = d.trainLabels()[i];
    }
    Selftest selftest = new Selftest(plan, xs, ys, 8);
    Path fw = out.resolve("firmware");
    List<Path> sources = new ArrayList<>(selftest.writeTo(fw.resolve("src")));
    sources.add(new HostBuild().sourceRoot().resolve("examples/selftest/main.c"));
    FirmwareBuild.Image image = FirmwareBuild.build(board, ts.budgetBytes(), sources,
        List.of(fw.resolve("src")), fw, "selftest_" + g.name());
    w.printf(Locale.ROOT, "firmware: %s linked for the %s under the 256 KB RAM budget%n",
        image.elf(), board.boardName());
    w.print(image.size().toText());

    // 4. Simulate on-device transfer learning with the generated C.
    w.println();
    w.printf(Locale.ROOT, "== 3. simulate: on-device transfer to classes 5-9 (%s), the "
        + "generated C running on the host, %d epoch%s%n",
        String.join(", ", d.classNames()), epochs, epochs == 1 ? "" : "s");
    SimulateCommand.Outcome o = SimulateCommand.simulate(g, d, ts, epochs,
        SimulateCommand.Engine.c, out.resolve("simulation"), w);
    Simulation.Epoch before = o.curve().get(0);
    Simulation.Epoch after = o.curve().get(o.curve().size() - 1);
    w.println();
    w.println("== result");
    w.printf(Locale.ROOT, "peak SRAM %,d bytes (%.1f KB of 256 KB); test accuracy on classes "
        + "5-9: %.2f%% before, %.2f%% after on-device training (%.0f s in all)%n",
        plan.peakBytes(), plan.peakBytes() / 1024.0, 100 * before.testAccuracy(),
        100 * after.testAccuracy(), (System.nanoTime() - t0) / 1e9);
    return 0;
  }
}
