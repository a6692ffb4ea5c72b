package dev.mcutrain.cli;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.pretrain.PretrainJob;
import dev.mcutrain.pretrain.Pretrainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mcutrain pretrain}: an int8 .tflite model from your own labelled data. */
@Command(name = "pretrain", mixinStandardHelpOptions = true,
    description = "Train a small MobileNet-like CNN in fp32 on the host, quantize it to int8 "
        + "(per-channel weights, calibrated activations) and write a standard .tflite file. "
        + "Prints the fp32 and int8 test accuracy.")
final class PretrainCommand implements Callable<Integer> {
  @Mixin DataOptions data;

  @Option(names = "--out", required = true, paramLabel = "MODEL.tflite",
      description = "the model file to write")
  Path out;

  @Option(names = "--size", defaultValue = "28x28x1", paramLabel = "HxWxC",
      description = "model input size (images are resized; C is 1 or 3; default: "
          + "${DEFAULT-VALUE})")
  String size;

  @Option(names = "--width", defaultValue = "1.0", paramLabel = "M",
      description = "channel multiplier (1.0 = 16/24/40/80/64 channels; default: "
          + "${DEFAULT-VALUE})")
  double width;

  @Option(names = "--epochs", defaultValue = "2", paramLabel = "E",
      description = "training epochs (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--batch", defaultValue = "32", paramLabel = "B",
      description = "mini-batch size (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--lr", defaultValue = "0.002", paramLabel = "RATE",
      description = "Adam learning rate, decayed by a cosine (default: ${DEFAULT-VALUE})")
  float lr;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "N",
      description = "seed of initialization, shuffling and sampling (default: ${DEFAULT-VALUE})")
  int seed;

  @Option(names = "--threads", paramLabel = "N",
      description = "worker threads (default: the number of cores, at most 4)")
  Integer threads;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter w = spec.commandLine().getOut();
    PretrainJob.Settings s = settings(data, size, width, epochs, batch, lr, seed, threads);
    PretrainJob.Result r = run(s, out, w);
    w.printf(Locale.ROOT, "wrote %s%n", r.model());
    return 0;
  }

  static PretrainJob.Settings settings(DataOptions data, String size, double width, int epochs,
      int batch, float lr, int seed, Integer threads) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,4})x(\\d{1,4})x([13])")
        .matcher(size);
    if (!m.matches()) {
      throw new McuTrainException("--size '" + size + "': expected HxWxC such as 28x28x1 or "
          + "96x96x3");
    }
    int h = Integer.parseInt(m.group(1));
    int wd = Integer.parseInt(m.group(2));
    if (h < 8 || wd < 8 || h > 512 || wd > 512) {
      throw new McuTrainException("--size '" + size + "': height and width must be 8..512");
    }
    if (epochs < 1 || batch < 1 || !(lr > 0) || !(width > 0 && width <= 8)) {
      throw new McuTrainException("--epochs and --batch must be at least 1, --lr positive and "
          + "--width in (0, 8]");
    }
    int t = threads != null ? threads
        : Math.min(Pretrainer.CHUNKS, Runtime.getRuntime().availableProcessors());
    if (t < 1) {
      throw new McuTrainException("--threads must be at least 1");
    }
    return new PretrainJob.Settings(data.spec(), data.options(seed), h, wd,
        Integer.parseInt(m.group(3)), width, new Pretrainer.Config(epochs, batch, lr, seed, t),
        500);
  }

  /** Runs a pretraining job with a progress bar, printing the summary lines. */
  static PretrainJob.Result run(PretrainJob.Settings s, Path out, PrintWriter w) {
    Progress[] bar = new Progress[1];
    int[] lastEpoch = {0};
    PretrainJob.Result r;
    try {
      r = PretrainJob.run(s, out, (done, total, epoch, loss) -> {
        if (bar[0] == null || epoch != lastEpoch[0]) {
          if (bar[0] != null) {
            bar[0].close();
          }
          long perEpoch = total / s.training().epochs();
          bar[0] = Progress.start("pretrain epoch " + epoch + "/" + s.training().epochs(),
              perEpoch);
          lastEpoch[0] = epoch;
        }
        bar[0].update(done - (long) (epoch - 1) * (total / s.training().epochs()), loss);
      }, line -> {
        w.println(line);
        w.flush();
      });
    } finally {
      if (bar[0] != null) {
        bar[0].close();
      }
    }
    for (int e = 0; e < r.epochLosses().length; e++) {
      w.printf(Locale.ROOT, "epoch %d: mean training loss %.4f%n", e + 1, r.epochLosses()[e]);
    }
    w.println(r.summary());
    w.printf(Locale.ROOT, "the int8 file agrees with the pretrainer's simulated-quantization "
        + "forward on %.2f%% of test predictions (%.0f s)%n", 100 * r.agreement(), r.seconds());
    return r;
  }
}
