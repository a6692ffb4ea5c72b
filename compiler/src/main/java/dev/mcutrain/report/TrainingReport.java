package dev.mcutrain.report;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.mcutrain.analysis.Macs;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.TrainingProgram;
import dev.mcutrain.train.spec.TrainingSpec;

/** report.json of a compiled training step. */
public final class TrainingReport {
  private TrainingReport() {}

  /** Constant bytes in flash: every constant tensor (weights, biases, tables). */
  public static long flashBytes(Graph g) {
    return g.tensors().stream().filter(Tensor::isConstant).mapToLong(Tensor::byteSize).sum();
  }

  /**
   * Backward MACs: for each active conv/depthwise/fully connected operator, its forward MACs for
   * the input gradient (when needed) plus the updated fraction of them for the weight gradient;
   * the new head's gradient and update are 2 * units * depth (+ units * depth for the feature
   * gradient when needed).
   */
  public static long macsBackward(TrainingProgram p) {
    Graph g = p.graph();
    long macs = 0;
    for (int i = 0; i <= p.lastForwardOp(); i++) {
      if (!p.isActive(i)) {
        continue;
      }
      Op op = g.ops().get(i);
      long fwd = Macs.of(g, op);
      if (fwd == 0) {
        continue;
      }
      if (p.needsGrad(op.inputs().get(0))) {
        macs += fwd;
      }
      TrainingProgram.LayerUpdate u = p.updates().get(i);
      if (u != null && u.weightChannels() > 0) {
        macs += fwd * u.weightChannels() / TrainingProgram.weightChannelCount(g, op);
      }
    }
    if (p.head().isPresent()) {
      long hd = (long) p.head().get().units() * p.head().get().depth();
      macs += hd + (p.needsGrad(p.featuresTensor()) ? hd : 0);
    }
    return macs;
  }

  /** Forward MACs of a training step (the new head included). */
  public static long macsForward(TrainingProgram p) {
    long macs = 0;
    for (int i = 0; i <= p.lastForwardOp(); i++) {
      macs += Macs.of(p.graph(), p.graph().ops().get(i));
    }
    if (p.head().isPresent()) {
      macs += (long) p.head().get().units() * p.head().get().depth();
    }
    return macs;
  }

  public static String json(TrainingMemoryPlan plan, TrainingSpec spec) {
    TrainingProgram p = plan.program();
    JsonObject o = new JsonObject();
    o.addProperty("model", p.graph().name());
    o.addProperty("scheme", spec.scheme().toString());
    o.addProperty("peak_sram_bytes", plan.peakBytes());
    o.addProperty("arena_bytes", plan.arenaBytes());
    o.addProperty("trainable_bytes", plan.trainableBytes());
    o.addProperty("flash_bytes", flashBytes(p.graph()));
    o.addProperty("budget_bytes", spec.budgetBytes());
    o.addProperty("macs_forward", macsForward(p));
    o.addProperty("macs_backward", macsBackward(p));
    o.addProperty("peak_at", plan.describeTime(plan.arena().peakOp()));
    o.addProperty("qas", spec.qas());
    o.addProperty("rounding", spec.rounding().name().toLowerCase(java.util.Locale.ROOT));
    p.head().ifPresent(h -> o.addProperty("classes", h.units()));
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
  }
}
