package dev.mcutrain.train.spec;

import dev.mcutrain.train.update.Rounding;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The training flags, for a command to include with {@code @Mixin TrainingOptions training;} and
 * turn into a spec with {@link #toSpec()}.
 *
 * <pre>
 * --classes N               replace the classifier (the last FULLY_CONNECTED or 1x1 CONV_2D,
 *                           before the softmax/reshape) by a fresh N-way head (N &gt;= 2);
 *                           without it the model's own head is trained
 * --head fp32|int8          the new head's weights (default fp32; needs --classes)
 * --lr RATE                 SGD learning rate, finite and &gt; 0 (default 0.05)
 * --schedule constant|cosine  learning rate schedule (default constant)
 * --schedule-steps N        cosine: decay to 0 over N update steps (N &gt;= 1; cosine only)
 * --accumulate B            sum gradients over B samples per update (default 1)
 * --update SCHEME           full | last:K | bias:K | sparse:bias=N;w=I:R,... (default last:1;
 *                           syntax in {@link UpdateScheme})
 * --[no-]qas                quantization-aware scaling of int8 gradients (default on)
 * --rounding truncate|nearest|stochastic  int8 weight update rounding (default stochastic)
 * --budget BYTES            training memory budget: bytes, or with K/M (default 256K)
 * --seed N                  seed for shuffling and stochastic rounding (default 1)
 * --spec FILE               read the settings from a JSON file (format in {@link SpecFile});
 *                           flags given explicitly override it
 * </pre>
 *
 * <p>The loss is softmax cross-entropy over float32 logits; the optimizer is SGD without momentum.
 * Enum values are case-insensitive. Type errors in numbers are usage errors from picocli; invalid
 * values (a malformed scheme or budget, a class count &lt; 2, ...) are a one-line
 * {@link dev.mcutrain.McuTrainException} from {@link #toSpec()}.
 */
public final class TrainingOptions {
  @Option(names = "--classes", paramLabel = "N",
      description = "replace the classifier by a fresh N-way head (N >= 2); without it the "
          + "model's own head is trained")
  Integer classes;

  @Option(names = "--head", paramLabel = "fp32|int8",
      description = "weight format of the new head (default: fp32; needs --classes)")
  String head;

  @Option(names = "--lr", paramLabel = "RATE",
      description = "SGD learning rate, > 0 (default: 0.05)")
  Float learningRate;

  @Option(names = "--schedule", paramLabel = "constant|cosine",
      description = "learning rate schedule (default: constant)")
  String schedule;

  @Option(names = "--schedule-steps", paramLabel = "N",
      description = "cosine schedule: decay the learning rate to 0 over N update steps")
  Integer scheduleSteps;

  @Option(names = "--accumulate", paramLabel = "B",
      description = "accumulate gradients over B samples per update (default: 1)")
  Integer accumulate;

  @Option(names = "--update", paramLabel = "SCHEME",
      description = "what is trained: full, last:K, bias:K or sparse:bias=N;w=I:R,... "
          + "e.g. sparse:bias=22;w=21:1,36:1/8 (default: last:1)")
  String update;

  @Option(names = "--qas", negatable = true,
      description = "quantization-aware scaling of int8 gradients (default: on)")
  Boolean qas;

  @Option(names = "--rounding", paramLabel = "truncate|nearest|stochastic",
      description = "rounding of int8 weight updates (default: stochastic)")
  String rounding;

  @Option(names = "--budget", paramLabel = "BYTES",
      description = "training memory budget in bytes, or with K/M such as 256K (default: 256K)")
  String budget;

  @Option(names = "--seed", paramLabel = "N",
      description = "seed for shuffling and stochastic rounding (default: 1)")
  Integer seed;

  @Option(names = "--spec", paramLabel = "FILE",
      description = "JSON file with these settings (keys: classes, head, lr, schedule, "
          + "scheduleSteps, accumulate, update, qas, rounding, budget, seed); flags override it")
  Path specFile;

  /** True when any training flag (or a spec file) was given on the command line. */
  public boolean anyGiven() {
    return classes != null || head != null || learningRate != null || schedule != null
        || scheduleSteps != null || accumulate != null || update != null || qas != null
        || rounding != null || budget != null || seed != null || specFile != null;
  }

  /**
   * The defaults, overridden by the spec file if given, overridden by the flags given on the
   * command line. One exception keeps a file's cosine settings from breaking an explicit
   * {@code --schedule constant}: that flag without {@code --schedule-steps} drops the file's step
   * count. Invalid results are a McuTrainException.
   */
  public TrainingSpec toSpec() {
    return toSpec(null);
  }

  /**
   * Like {@link #toSpec()}, with {@code defaultClasses} (when not null) as the number of classes
   * of a new head unless the spec file or {@code --classes} says otherwise: simulations on a
   * labelled dataset default to a new head with one output per class of the data.
   */
  public TrainingSpec toSpec(Integer defaultClasses) {
    TrainingSpec.Builder b = TrainingSpec.builder();
    if (defaultClasses != null) {
      b.classes(defaultClasses);
    }
    if (specFile != null) {
      SpecFile.read(specFile, b);
    }
    if (classes != null) {
      b.classes(classes);
    }
    if (head != null) {
      b.head(TrainingSpec.parseEnum("--head", head, TrainingSpec.Head.class));
    }
    if (learningRate != null) {
      b.learningRate(learningRate);
    }
    if (schedule != null) {
      b.schedule(TrainingSpec.parseEnum("--schedule", schedule, TrainingSpec.Schedule.class));
      if (scheduleSteps == null && b.schedule() == TrainingSpec.Schedule.CONSTANT) {
        b.scheduleSteps(0);
      }
    }
    if (scheduleSteps != null) {
      b.scheduleSteps(scheduleSteps);
    }
    if (accumulate != null) {
      b.accumulate(accumulate);
    }
    if (update != null) {
      b.scheme(UpdateScheme.parse(update));
    }
    if (qas != null) {
      b.qas(qas);
    }
    if (rounding != null) {
      b.rounding(TrainingSpec.parseEnum("--rounding", rounding, Rounding.class));
    }
    if (budget != null) {
      b.budgetBytes(Budget.parse(budget));
    }
    if (seed != null) {
      b.seed(seed);
    }
    return b.build();
  }
}
