package dev.mcutrain.train;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.train.spec.Budget;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.spec.UpdatePlan;
import dev.mcutrain.train.spec.UpdateScheme;
import java.util.Locale;
import java.util.Optional;

/**
 * The memory budget is a hard limit: a training step whose peak SRAM exceeds it is an error that
 * names where the peak is, what is live there, and an update scheme that would fit.
 */
public final class TrainingBudget {
  private TrainingBudget() {}

  /** Plans the spec's training step and checks it against the spec's budget. */
  public static TrainingMemoryPlan planWithinBudget(Graph g, TrainingSpec spec) {
    return planWithinBudget(g, spec, 0);
  }

  /**
   * As {@link #planWithinBudget(Graph, TrainingSpec)}, with {@code reserveBytes} of the budget
   * kept for what a firmware image needs besides the step (its stack and other static RAM).
   */
  public static TrainingMemoryPlan planWithinBudget(Graph g, TrainingSpec spec,
      long reserveBytes) {
    TrainingMemoryPlan plan = TrainingMemoryPlan.of(TrainingProgram.fromSpec(g, spec));
    long available = spec.budgetBytes() - reserveBytes;
    if (plan.peakBytes() <= available) {
      return plan;
    }
    String reserve = reserveBytes == 0 ? "" : String.format(Locale.ROOT,
        " minus %,d bytes reserved for the stack and other static RAM", reserveBytes);
    String suggestion = suggest(g, spec, available)
        .map(s -> "; --update " + s.scheme() + " would fit (" + String.format(Locale.ROOT, "%,d",
            s.peak()) + " bytes)")
        .orElseGet(() -> forwardOnly(g));
    throw new McuTrainException(String.format(Locale.ROOT,
        "the training step needs %,d bytes of SRAM (arena %,d + trainable state %,d) but the "
            + "budget is %s (%,d bytes)%s; the peak is at %s%s", plan.peakBytes(),
        plan.arenaBytes(), plan.trainableBytes(), Budget.format(spec.budgetBytes()),
        spec.budgetBytes(), reserve, plan.describePeak(), suggestion));
  }

  /** The hint when no scheme fits: what the forward pass alone needs. */
  private static String forwardOnly(Graph g) {
    dev.mcutrain.plan.InferenceLayout inference = dev.mcutrain.plan.InferenceLayout.fused(
        dev.mcutrain.passes.FoldPad.apply(g));
    int peak = inference.arenaPlan().peakOp();
    return String.format(Locale.ROOT, "; no 'last:K' or 'bias:K' scheme fits either: even the "
        + "forward pass needs %,d bytes of arena (peak at operator %d, %s), so raise --budget",
        inference.arenaBytes(), peak, peak >= 0 ? g.ops().get(peak).kind() : "-");
  }

  /** A scheme that fits and its peak. */
  record Suggestion(UpdateScheme scheme, long peak) {}

  /** The largest {@code last:K}, else the largest {@code bias:K}, that fits the budget. */
  static Optional<Suggestion> suggest(Graph g, TrainingSpec spec, long available) {
    int layers = UpdatePlan.resolve(g, UpdateScheme.parse("last:1"),
        spec.classes().isPresent()).layers().size();
    for (String kind : new String[] {"last", "bias"}) {
      for (int k = layers; k >= 1; k--) {
        UpdateScheme s = UpdateScheme.parse(kind + ":" + k);
        if (s.equals(spec.scheme())) {
          continue;
        }
        TrainingSpec candidate = new TrainingSpec(spec.classes(), spec.head(),
            spec.learningRate(), spec.schedule(), spec.scheduleSteps(), spec.accumulate(), s,
            spec.qas(), spec.rounding(), spec.budgetBytes(), spec.seed());
        long peak = TrainingMemoryPlan.of(TrainingProgram.fromSpec(g, candidate)).peakBytes();
        if (peak <= available) {
          return Optional.of(new Suggestion(s, peak));
        }
      }
    }
    return Optional.empty();
  }
}
