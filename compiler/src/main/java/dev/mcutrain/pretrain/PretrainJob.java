package dev.mcutrain.pretrain;

import com.google.common.hash.Hashing;
import dev.mcutrain.data.DataSpec;
import dev.mcutrain.data.TransferData;
import dev.mcutrain.data.InputConverter;
import dev.mcutrain.engine.JavaEngine;
import dev.mcutrain.fp32.FloatGraph;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.frontend.tflite.TfliteWriter;
import dev.mcutrain.ir.Graph;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The whole of {@code mcutrain pretrain}: load the data, train the {@link TinyMobileNet} in fp32,
 * quantize it ({@link PostTrainingQuantizer}), write the .tflite file, read it back with the
 * frontend and measure the int8 file's accuracy with the Java reference engine.
 */
public final class PretrainJob {
  /** What to train. */
  public record Settings(DataSpec data, DataSpec.Options dataOptions, int height, int width,
      int channels, double widthMultiplier, Pretrainer.Config training, int calibration) {
    /** A key for caching: every setting plus the data source. */
    public String key() {
      String s = String.join("|", data.toString(), dataOptions.toString(),
          height + "x" + width + "x" + channels, Double.toString(widthMultiplier),
          training.toString(), Integer.toString(calibration), "v1");
      return Hashing.sha256().hashString(s, StandardCharsets.UTF_8).toString().substring(0, 16);
    }
  }

  /** Accuracies on the test split. */
  public record Result(Path model, int classes, int trainSamples, int testSamples,
      float[] epochLosses, double fp32Accuracy, double int8Accuracy, double agreement,
      double seconds) {
    public String summary() {
      return String.format(Locale.ROOT, "pretrained on %,d samples (%d classes): test accuracy "
          + "fp32 %.2f%%, int8 %.2f%% (%,d test samples)", trainSamples, classes,
          100 * fp32Accuracy, 100 * int8Accuracy, testSamples);
    }
  }

  private PretrainJob() {}

  /** Runs the job and writes the model to {@code out}. */
  public static Result run(Settings s, Path out, Pretrainer.Progress progress,
      Consumer<String> log) {
    long t0 = System.nanoTime();
    InputConverter conv = new InputConverter(s.height(), s.width(), s.channels(),
        TinyMobileNet.INPUT_QUANT.scale(), TinyMobileNet.INPUT_QUANT.zeroPoint());
    TransferData d = s.data().load(conv, s.dataOptions());
    log.accept(String.format(Locale.ROOT, "data: %,d training and %,d test samples, %d classes "
        + "(%s)", d.trainSamples().length, d.testSamples().length, d.classes(),
        String.join(", ", d.classNames())));
    Graph arch = TinyMobileNet.build(s.height(), s.width(), s.channels(), d.classes(),
        s.widthMultiplier(), s.training().seed());
    Pretrainer p = new Pretrainer(arch);
    float[] losses = p.train(d.trainSamples(), d.trainLabels(), s.training(), progress);
    double fp32 = p.accuracy(d.testSamples(), d.testLabels());
    List<float[]> cal = new ArrayList<>();
    for (int i = 0; i < Math.min(s.calibration(), d.trainSamples().length); i++) {
      cal.add(p.realInput(d.trainSamples()[i]));
    }
    Graph q = PostTrainingQuantizer.quantize(p.network(), cal);
    try {
      Files.createDirectories(out.toAbsolutePath().getParent());
      Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
      TfliteWriter.write(q, tmp);
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Graph back = TfliteReader.read(out);
    JavaEngine engine = new JavaEngine(back);
    int classifier = dev.mcutrain.train.TrainingProgram.classifierOf(back);
    FloatGraph sim = FloatGraph.dequantized(q, classifier);
    int logits = q.ops().get(classifier).output();
    int ok = 0;
    int agree = 0;
    for (int i = 0; i < d.testSamples().length; i++) {
      byte[] o = engine.run(d.testSamples()[i], false).output();
      int best = 0;
      for (int k = 1; k < o.length; k++) {
        if (o[k] > o[best]) {
          best = k;
        }
      }
      if (best == d.testLabels()[i]) {
        ok++;
      }
      if (Pretrainer.argmax(sim.forward(p.realInput(d.testSamples()[i]), true)[logits]) == best) {
        agree++;
      }
    }
    int n = Math.max(1, d.testSamples().length);
    return new Result(out, d.classes(), d.trainSamples().length, d.testSamples().length, losses, fp32,
        (double) ok / n, (double) agree / n, (System.nanoTime() - t0) / 1e9);
  }
}
