package dev.mcutrain.cli;

import com.google.gson.GsonBuilder;
import dev.mcutrain.McuTrainException;
import dev.mcutrain.codegen.c.TrainingEmitter;
import dev.mcutrain.engine.Selftest;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.report.TrainingReport;
import dev.mcutrain.toolchain.Board;
import dev.mcutrain.toolchain.FirmwareBuild;
import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.toolchain.Qemu;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.TrainingProgram;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.spec.UpdateScheme;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mcutrain bench}: the paper's three models with the paper's update schemes and {@code
 * full}, each compiled with a new 10-class head: peak SRAM and its parts, flash, MACs, compile
 * time and — on the emulated Cortex-M7 — instructions per training step.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark the paper's models and update schemes (peak SRAM, flash, MACs, "
        + "compile time, instructions per training step on the emulated Cortex-M7); writes "
        + "OUT/bench.md and OUT/bench.json.")
final class BenchCommand implements Callable<Integer> {
  /**
   * The paper's schemes (n_bias / {conv index: ratio}); conv indices count CONV_2D and
   * DEPTHWISE_CONV_2D (and the classifier, last) in forward order from 0, as mcutrain's layer
   * indices do.
   */
  static final Map<String, Map<String, String>> PAPER_SCHEMES = new LinkedHashMap<>();

  static {
    Map<String, String> mcunet = new LinkedHashMap<>();
    mcunet.put("49kb", "sparse:bias=20;w=24:1/4,27:1/2,30:1/2");
    mcunet.put("74kb", "sparse:bias=21;w=21:1,24:1,27:1/2,30:1");
    mcunet.put("99kb", "sparse:bias=22;w=21:1,24:1,27:1,30:1,36:1/8,39:1/4");
    mcunet.put("124kb", "sparse:bias=24;w=21:1/4,24:1,27:1,30:1,33:1/2,39:1/2");
    mcunet.put("148kb", "sparse:bias=23;w=21:1,24:1,27:1,30:1,36:1,39:1/2");
    PAPER_SCHEMES.put("mcunet-5fps", mcunet);
    Map<String, String> mbv2 = new LinkedHashMap<>();
    mbv2.put("49kb", "sparse:bias=16;w=36:1,39:1,41:1/4,42:1/8,45:1/8,48:1/8,49:1/8");
    mbv2.put("73kb", "sparse:bias=20;w=32:1/8,33:1/2,36:1/2,39:1,41:1/4,42:1/8,45:1/8,48:1");
    mbv2.put("99kb", "sparse:bias=25;w=27:1,30:1,33:1,36:1,39:1,42:1/8,45:1/2,48:1");
    mbv2.put("123kb", "sparse:bias=31;w=27:1,30:1,33:1,36:1,39:1,42:1/2,45:1,48:1");
    mbv2.put("138kb", "sparse:bias=34;w=" + all(27, 48));
    PAPER_SCHEMES.put("mbv2-w0.35", mbv2);
    Map<String, String> proxyless = new LinkedHashMap<>();
    proxyless.put("49kb", "sparse:bias=21;w=39:1/4,42:1,45:1,51:1/8,54:1/4,57:1/4");
    proxyless.put("74kb", "sparse:bias=28;w=33:1/2,36:1/4,39:1,42:1,45:1,51:1/2,54:1/4,57:1/2");
    proxyless.put("98kb", "sparse:bias=25;w=36:1,39:1/2,42:1,45:1,48:1/4,51:1/2,54:1,57:1");
    proxyless.put("120kb", "sparse:bias=32;w=36:1,39:1,42:1,45:1,48:1/2,51:1,54:1,57:1");
    proxyless.put("148kb", "sparse:bias=45;w=" + all(36, 57));
    PAPER_SCHEMES.put("proxyless-w0.3", proxyless);
  }

  /** The paper's measured peak SRAM (KB) and ms per step on the STM32F746, largest scheme. */
  static final Map<String, double[]> PAPER_FIGURES = Map.of(
      "mcunet-5fps", new double[] {173, 546},
      "mbv2-w0.35", new double[] {141, 373},
      "proxyless-w0.3", new double[] {135, 443});

  /** Cycles per instruction assumed for the Cortex-M7 at 216 MHz (dual issue, flash cache). */
  static final double CPI = 1.0;

  private static String all(int from, int to) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i <= to; i += 3) {
      sb.append(sb.length() > 0 ? "," : "").append(i).append(":1");
    }
    return sb.toString();
  }

  @Option(names = "--models", paramLabel = "DIR",
      description = "folder with the paper's models (default: ../shared/assets/paper-models)")
  Path models;

  @Option(names = "--out", defaultValue = "bench", paramLabel = "DIR",
      description = "where bench.md and bench.json go (default: ${DEFAULT-VALUE})")
  Path out;

  @Option(names = "--no-device", description = "skip the emulated instruction counts")
  boolean noDevice;

  @Option(names = "--only", paramLabel = "MODEL", description = "benchmark one model only")
  String only;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** One row of bench.json. */
  record Row(String model, String scheme, String update, long peak_sram_bytes,
      long arena_bytes, long trainable_bytes, long static_ram_bytes, long stack_bytes,
      Long flash_bytes, long macs_forward, long macs_backward, double compile_seconds,
      Long instructions_per_step, Double instructions_per_mac, Double estimated_ms_216mhz,
      Long instructions_forward_only, boolean fits_256kb, String peak_at) {}

  @Override
  public Integer call() throws IOException {
    PrintWriter w = spec.commandLine().getOut();
    Path dir = models != null ? models : GoldenCommand.defaultAssets().resolve("paper-models");
    Files.createDirectories(out);
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> m : PAPER_SCHEMES.entrySet()) {
      if (only != null && !only.equals(m.getKey())) {
        continue;
      }
      Path file = dir.resolve(m.getKey() + ".tflite");
      if (!Files.isRegularFile(file)) {
        throw new McuTrainException("bench needs " + file + " (the paper's models; pass --models "
            + "DIR)");
      }
      Graph g = TfliteReader.read(file);
      Map<String, String> schemes = new LinkedHashMap<>(m.getValue());
      schemes.put("full", "full");
      for (Map.Entry<String, String> s : schemes.entrySet()) {
        Row r = bench(g, m.getKey(), s.getKey(), s.getValue());
        rows.add(r);
        w.printf(Locale.ROOT, "%-15s %-6s peak %,10d B (arena %,d + state %,d)%s  %s%n",
            r.model(), r.scheme(), r.peak_sram_bytes(), r.arena_bytes(), r.trainable_bytes(),
            r.fits_256kb() ? "" : " OVER 256 KB",
            r.instructions_per_step() == null ? "" : String.format(Locale.ROOT,
                "%,d instructions/step (%.1f/MAC)", r.instructions_per_step(),
                r.instructions_per_mac()));
        w.flush();
      }
    }
    Files.writeString(out.resolve("bench.json"),
        new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(rows) + "\n");
    Files.writeString(out.resolve("bench.md"), markdown(rows));
    w.println("wrote " + out.resolve("bench.md") + " and " + out.resolve("bench.json"));
    return 0;
  }

  private Row bench(Graph g, String model, String name, String scheme) throws IOException {
    long t0 = System.nanoTime();
    TrainingSpec ts = TrainingSpec.builder().classes(10).scheme(UpdateScheme.parse(scheme))
        .budgetBytes(Board.MPS2_AN500.sramBytes()).seed(1).build();
    TrainingProgram p = TrainingProgram.fromSpec(g, ts);
    TrainingMemoryPlan plan = TrainingMemoryPlan.of(p);
    new TrainingEmitter(plan).emit();
    double compile = (System.nanoTime() - t0) / 1e9;
    long stack = Board.STM32F746G_DISCO.stackBytes();
    long other = FirmwareCommand.OTHER_STATIC_RAM;
    Long flash = null;
    Long instructions = null;
    Long forward = null;
    long fw = plan.peakBytes() + other + stack;
    if (!noDevice && fw <= Board.MPS2_AN500.sramBytes()) {
      Path d = Files.createTempDirectory("mcutrain-bench");
      Selftest selftest = new Selftest(plan, List.of(new byte[(int) g.inputBytes()]),
          new int[] {0}, 1);
      List<Path> sources = new ArrayList<>(selftest.writeTo(d.resolve("src")));
      sources.add(new HostBuild().sourceRoot().resolve("examples/bench/main.c"));
      FirmwareBuild.Image image = FirmwareBuild.build(Board.MPS2_AN500,
          Board.MPS2_AN500.sramBytes(), sources, List.of(d.resolve("src")), d,
          "bench_" + g.name());
      flash = image.size().flashBytes();
      other = image.size().staticRamBytes() - plan.peakBytes();
      Qemu.Result r = Qemu.run(image.elf(), new byte[0], Duration.ofMinutes(20), true);
      String text = new String(r.stdout(), StandardCharsets.US_ASCII);
      Matcher mt = Pattern.compile("train_step cycles (\\d+)").matcher(text);
      if (r.exitStatus() != 0 || !mt.find()) {
        throw new McuTrainException("the benchmark firmware failed in QEMU for " + model + " "
            + name);
      }
      instructions = Math.round(Long.parseLong(mt.group(1))
          / BenchDeviceCommand.TICKS_PER_INSTRUCTION);
      Matcher mi = Pattern.compile("infer cycles (\\d+)").matcher(text);
      if (mi.find()) {
        forward = Math.round(Long.parseLong(mi.group(1))
            / BenchDeviceCommand.TICKS_PER_INSTRUCTION);
      }
    }
    long macsF = TrainingReport.macsForward(p);
    long macsB = TrainingReport.macsBackward(p);
    long peak = plan.peakBytes() + other;
    return new Row(model, name, scheme, peak, plan.arenaBytes(), plan.trainableBytes(), other,
        stack, flash, macsF, macsB, compile, instructions,
        instructions == null ? null : (double) instructions / (macsF + macsB),
        instructions == null ? null : instructions * CPI / 216e3, forward,
        peak + stack <= 256 << 10, plan.describePeak());
  }

  private static String markdown(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("| model | scheme | peak SRAM (B) | arena | trainable | static | fits 256 KB | "
        + "flash (B) | MACs fwd | MACs bwd | compile (s) | instructions/step | of which "
        + "inference | instr/MAC | est. ms @216 MHz |\n|---|---|---:|---:|---:|---:|---|---:|---:|"
        + "---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %,d | %,d | %s | %s | %,d | "
          + "%,d | %.1f | %s | %s | %s | %s |%n", r.model(), r.scheme(), r.peak_sram_bytes(),
          r.arena_bytes(), r.trainable_bytes(), r.static_ram_bytes(),
          r.fits_256kb() ? "yes" : "**no**",
          r.flash_bytes() == null ? "–" : String.format(Locale.ROOT, "%,d", r.flash_bytes()),
          r.macs_forward(), r.macs_backward(), r.compile_seconds(),
          r.instructions_per_step() == null ? "–"
              : String.format(Locale.ROOT, "%,d", r.instructions_per_step()),
          r.instructions_forward_only() == null ? "–"
              : String.format(Locale.ROOT, "%,d", r.instructions_forward_only()),
          r.instructions_per_mac() == null ? "–"
              : String.format(Locale.ROOT, "%.2f", r.instructions_per_mac()),
          r.estimated_ms_216mhz() == null ? "–"
              : String.format(Locale.ROOT, "%.0f", r.estimated_ms_216mhz())));
    }
    sb.append("\nPeak SRAM = activation arena (which also holds the 128x128x3 input sample) + "
        + "trainable state + other static RAM (board, runtime); the stack reserve (8 KB) comes on "
        + "top and is included in \"fits 256 KB\". "
        + "Instructions are counted on QEMU's mps2-an500 Cortex-M7 with -icount (\"of which "
        + "inference\": one inference with the same program, i.e. the forward pass); the ms "
        + "estimate assumes " + CPI + " cycle per instruction at 216 MHz. Paper (largest "
        + "scheme, STM32F746): mcunet-5fps 173 KB / 546 ms, mbv2-w0.35 141 KB / 373 ms, "
        + "proxyless-w0.3 135 KB / 443 ms.\n");
    return sb.toString();
  }
}
