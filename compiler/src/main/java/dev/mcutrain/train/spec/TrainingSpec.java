package dev.mcutrain.train.spec;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.train.update.Rounding;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything that says how a model is trained on the device: the loss is always softmax
 * cross-entropy over float32 logits, the optimizer plain SGD without momentum.
 *
 * <p>Defaults ({@link #DEFAULT}): no new head (the model's own head is trained), head {@code fp32}
 * (used only with {@code classes}), learning rate 0.05, constant schedule, accumulation over 1
 * sample, update scheme {@code last:1} (the classifier only: with {@code classes} this trains just
 * the fresh head, which is the safe starting point; widen it with {@code --update}), QAS on,
 * stochastic rounding, budget 256K, seed 1. Invalid combinations are a {@link McuTrainException}
 * from the constructor.
 *
 * @param classes the class count of a fresh N-way classifier replacing the model's (≥ 2); empty
 *     to train the model's own head
 * @param head the new classifier's weight format; {@link Head#INT8} needs {@code classes}
 * @param learningRate the base SGD learning rate, finite and &gt; 0
 * @param schedule constant, or cosine decay over {@code scheduleSteps}
 * @param scheduleSteps ≥ 1 for {@link Schedule#COSINE}; 0 for {@link Schedule#CONSTANT}
 * @param accumulate gradients are summed over this many samples per update (≥ 1)
 * @param scheme which weights and biases are updated
 * @param qas quantization-aware scaling of the int8 weight gradients
 * @param rounding how int8 weight updates are rounded
 * @param budgetBytes the memory budget for training, &gt; 0
 * @param seed seeds shuffling and stochastic rounding
 */
public record TrainingSpec(
    Optional<Integer> classes,
    Head head,
    float learningRate,
    Schedule schedule,
    int scheduleSteps,
    int accumulate,
    UpdateScheme scheme,
    boolean qas,
    Rounding rounding,
    long budgetBytes,
    int seed) {

  /** The weight format of a new classifier head. */
  public enum Head {
    FP32,
    INT8
  }

  /** The learning rate schedule. */
  public enum Schedule {
    /** The base learning rate at every step. */
    CONSTANT,
    /** {@code lr * (1 + cos(pi * step / steps)) / 2}, then 0 from {@code step = steps} on. */
    COSINE
  }

  public static final float DEFAULT_LEARNING_RATE = 0.05f;
  public static final UpdateScheme DEFAULT_SCHEME = new UpdateScheme.LastK(1);

  /** All defaults (see the class comment). */
  public static final TrainingSpec DEFAULT = new TrainingSpec(Optional.empty(), Head.FP32,
      DEFAULT_LEARNING_RATE, Schedule.CONSTANT, 0, 1, DEFAULT_SCHEME, true, Rounding.STOCHASTIC,
      Budget.DEFAULT_BYTES, 1);

  public TrainingSpec {
    Objects.requireNonNull(classes, "classes");
    Objects.requireNonNull(head, "head");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(scheme, "scheme");
    Objects.requireNonNull(rounding, "rounding");
    if (classes.isPresent() && classes.get() < 2) {
      throw new McuTrainException("the class count must be >= 2, got " + classes.get());
    }
    if (head == Head.INT8 && classes.isEmpty()) {
      throw new McuTrainException("an int8 head needs a class count (--classes N): without it "
          + "the model's own head is trained");
    }
    if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
      throw new McuTrainException("the learning rate must be finite and > 0, got "
          + learningRate);
    }
    if (schedule == Schedule.COSINE && scheduleSteps < 1) {
      throw new McuTrainException("the cosine schedule needs its number of steps "
          + "(--schedule-steps N, N >= 1), got " + scheduleSteps);
    }
    if (schedule == Schedule.CONSTANT && scheduleSteps != 0) {
      throw new McuTrainException("schedule steps apply only to the cosine schedule "
          + "(--schedule cosine), got " + scheduleSteps + " steps with the constant schedule");
    }
    if (accumulate < 1) {
      throw new McuTrainException("gradient accumulation must be over >= 1 sample, got "
          + accumulate);
    }
    if (budgetBytes < 1) {
      throw new McuTrainException("the budget must be more than 0 bytes, got " + budgetBytes);
    }
  }

  /**
   * The learning rate of update step {@code step} (0-based). Constant: the base rate. Cosine:
   * {@code (float) (lr * 0.5 * (1 + cos(pi * min(step, steps) / steps)))} evaluated on the host in
   * double with {@link StrictMath} (fdlibm, so the same bits on every JVM) from the float base
   * rate, rounded once to float. Step 0 gives exactly {@code lr}, step {@code steps} and later
   * exactly 0. The device never evaluates the cosine: it receives these float values (a table or
   * per-step constants), so host and device agree bit for bit. A pure function.
   */
  public float learningRateAt(int step) {
    if (step < 0) {
      throw new IllegalArgumentException("step " + step);
    }
    if (schedule == Schedule.CONSTANT) {
      return learningRate;
    }
    int s = Math.min(step, scheduleSteps);
    double cos = StrictMath.cos(StrictMath.PI * s / scheduleSteps);
    return (float) ((double) learningRate * 0.5 * (1.0 + cos));
  }

  /** {@link #learningRateAt} for steps 0 .. n-1. */
  public float[] learningRateTable(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("table size " + n);
    }
    float[] t = new float[n];
    for (int i = 0; i < n; i++) {
      t[i] = learningRateAt(i);
    }
    return t;
  }

  /** One line for logs, e.g. {@code update last:1, sgd lr 0.05 constant, accumulate 1, ...}. */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append("update ").append(scheme);
    b.append(", ").append(classes.isPresent()
        ? "new " + lower(head) + " " + classes.get() + "-way head" : "model's own head");
    b.append(", sgd lr ").append(learningRate).append(' ').append(lower(schedule));
    if (schedule == Schedule.COSINE) {
      b.append(" over ").append(scheduleSteps).append(" steps");
    }
    b.append(", accumulate ").append(accumulate);
    b.append(", qas ").append(qas ? "on" : "off");
    b.append(", rounding ").append(lower(rounding));
    b.append(", budget ").append(Budget.format(budgetBytes));
    b.append(", seed ").append(seed);
    return b.toString();
  }

  /** The spec as a spec file ({@link SpecFile}) that reads back as an equal spec. */
  public String toJson() {
    return SpecFile.write(this);
  }

  /** A builder starting from {@link #DEFAULT}. */
  public static Builder builder() {
    return new Builder();
  }

  static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Case-insensitive enum value by name; anything else is a McuTrainException listing the names
   * in lower case.
   */
  static <E extends Enum<E>> E parseEnum(String what, String value, Class<E> type) {
    StringBuilder names = new StringBuilder();
    E[] all = type.getEnumConstants();
    for (int i = 0; i < all.length; i++) {
      if (all[i].name().equalsIgnoreCase(value)) {
        return all[i];
      }
      names.append(i == 0 ? "" : i == all.length - 1 ? " or " : ", ").append(lower(all[i]));
    }
    throw new McuTrainException("bad " + what + " '" + value + "': expected " + names);
  }

  /**
   * Collects settings from several sources (a spec file, then command-line flags); later calls
   * override earlier ones and {@link #build()} validates the result.
   */
  public static final class Builder {
    private Optional<Integer> classes = Optional.empty();
    private Head head = DEFAULT.head;
    private boolean headGiven;
    private float learningRate = DEFAULT.learningRate;
    private Schedule schedule = DEFAULT.schedule;
    private int scheduleSteps = DEFAULT.scheduleSteps;
    private int accumulate = DEFAULT.accumulate;
    private UpdateScheme scheme = DEFAULT.scheme;
    private boolean qas = DEFAULT.qas;
    private Rounding rounding = DEFAULT.rounding;
    private long budgetBytes = DEFAULT.budgetBytes;
    private int seed = DEFAULT.seed;

    private Builder() {}

    public Builder classes(int n) {
      classes = Optional.of(n);
      return this;
    }

    /** Giving a head at all requires a class count at {@link #build()} time. */
    public Builder head(Head h) {
      head = Objects.requireNonNull(h);
      headGiven = true;
      return this;
    }

    public Builder learningRate(float lr) {
      learningRate = lr;
      return this;
    }

    public Builder schedule(Schedule s) {
      schedule = Objects.requireNonNull(s);
      return this;
    }

    public Builder scheduleSteps(int steps) {
      scheduleSteps = steps;
      return this;
    }

    public Builder accumulate(int samples) {
      accumulate = samples;
      return this;
    }

    public Builder scheme(UpdateScheme s) {
      scheme = Objects.requireNonNull(s);
      return this;
    }

    public Builder qas(boolean on) {
      qas = on;
      return this;
    }

    public Builder rounding(Rounding r) {
      rounding = Objects.requireNonNull(r);
      return this;
    }

    public Builder budgetBytes(long bytes) {
      budgetBytes = bytes;
      return this;
    }

    public Builder seed(int s) {
      seed = s;
      return this;
    }

    Schedule schedule() {
      return schedule;
    }

    /** The validated spec; a McuTrainException for anything invalid. */
    public TrainingSpec build() {
      if (headGiven && classes.isEmpty()) {
        throw new McuTrainException("a head format (--head / \"head\") applies only to a new "
            + "head and needs a class count (--classes N / \"classes\")");
      }
      return new TrainingSpec(classes, head, learningRate, schedule, scheduleSteps, accumulate,
          scheme, qas, rounding, budgetBytes, seed);
    }
  }
}
