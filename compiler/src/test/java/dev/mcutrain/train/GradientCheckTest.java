package dev.mcutrain.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.reference.BackwardKernels;
import dev.mcutrain.train.update.Rounding;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The training graph's fp32 gradients agree with central finite differences of the dequantized
 * float model ({@link FloatModel}).
 *
 * <p>Tolerance: per layer, the relative L2 error of the gradient vector is below 15% and the
 * cosine similarity above 0.99 (measured: 0.5%–7% with the fp32 head, up to 13% for the first
 * layer's weights with the int8 head, whose logits are themselves rounded to 8 bits). The two are not computed on the same activations: the training
 * graph back-propagates through the int8 forward pass (activations rounded to 8 bits, clamp masks
 * from the int8 outputs), while the float model keeps real activations. Each int8 activation
 * carries up to half an LSB of rounding error (about 0.4% of its range), compounded over five
 * layers; a kink crossing (an activation at a clamp bound) flips a mask entry. Both stay well
 * inside 10%, while any wrong index, transposition, missing term or scale factor gives errors of
 * order 100% (reading the input window transposed gives a cosine of 0.54 and an error of 86%).
 */
class GradientCheckTest {
  private static final double H = 1e-4;

  private static TrainingProgram program(Graph g, Optional<Integer> classes) {
    List<TrainingProgram.LayerUpdate> all = new ArrayList<>();
    for (int i = 0; i < g.ops().size(); i++) {
      Op op = g.ops().get(i);
      int ch = TrainingProgram.weightChannelCount(g, op);
      if (ch > 0) {
        all.add(new TrainingProgram.LayerUpdate(i, true, ch));
      }
    }
    return TrainingProgram.build(g, classes, all,
        new TrainingProgram.Options(0f, true, Rounding.NEAREST, 7));
  }

  /** Loss of the float model: softmax cross-entropy of the logits, in double. */
  private static double floatLoss(FloatModel m, TrainingProgram p, ReferenceTrainer t,
      double[] input, int label) {
    double[][] v = m.forward(input, p.lastForwardOp());
    double[] logits;
    if (p.head().isPresent()) {
      TrainingProgram.Head h = p.head().get();
      double[] f = v[p.featuresTensor()];
      logits = new double[h.units()];
      for (int u = 0; u < h.units(); u++) {
        double acc = t.headBias()[u];
        for (int d = 0; d < h.depth(); d++) {
          acc += t.headWeights()[u * h.depth() + d] * f[d];
        }
        logits[u] = acc;
      }
    } else {
      logits = v[p.logitsTensor()];
    }
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) {
      max = Math.max(max, l);
    }
    double sum = 0;
    for (double l : logits) {
      sum += Math.exp(l - max);
    }
    return Math.log(sum) - (logits[label] - max);
  }

  private void check(Optional<Integer> classes, double minCos, double maxRel) {
    List<String> failures = new ArrayList<>();
    Graph g = TrainingModels.residualCnn(11);
    TrainingProgram p = program(g, classes);
    ReferenceTrainer t = new ReferenceTrainer(p);
    Random r = new Random(3);
    byte[] in = TrainingModels.input(r);
    int label = 1;
    Map<String, Float> analytic = new HashMap<>();
    t.setGradientSink((op, bias, index, value) ->
        analytic.put(op + (bias ? "b" : "w") + index, value));
    t.step(in, label); // learning rate 0: records gradients, changes nothing

    FloatModel m = new FloatModel(g, t.parameters());
    Tensor xin = g.tensor(g.inputs().get(0));
    double[] x = new double[in.length];
    for (int i = 0; i < in.length; i++) {
      x[i] = BackwardKernels.dequantize(in[i], xin.q().scale(), xin.q().zeroPoint());
    }
    int checkedLayers = 0;
    for (int op : p.updates().keySet()) {
      Op o = g.ops().get(op);
      for (boolean bias : new boolean[] {false, true}) {
        int tensor = bias ? o.inputs().get(2) : o.inputs().get(1);
        double[] w = m.params.get(tensor);
        double dot = 0;
        double na = 0;
        double nf = 0;
        double err = 0;
        for (int i = 0; i < w.length; i++) {
          double keep = w[i];
          w[i] = keep + H;
          double lp = floatLoss(m, p, t, x, label);
          w[i] = keep - H;
          double lm = floatLoss(m, p, t, x, label);
          w[i] = keep;
          double fd = (lp - lm) / (2 * H);
          double a = analytic.get(op + (bias ? "b" : "w") + i);
          dot += a * fd;
          na += a * a;
          nf += fd * fd;
          err += (a - fd) * (a - fd);
        }
        double cos = dot / Math.sqrt(na * nf);
        double rel = Math.sqrt(err / nf);
        String what = "op " + op + " " + o.kind() + (bias ? " bias" : " weights") + ": cos "
            + cos + ", relative error " + rel;
        System.out.println("gradient check " + (classes.isPresent() ? "fp32 head" : "int8 head")
            + ", " + what);
        assertTrue(nf > 0, what + " (zero gradient: the check would be vacuous)");
        if (!(cos > minCos && rel < maxRel)) {
          failures.add(what);
        }
      }
      checkedLayers++;
    }
    assertTrue(checkedLayers >= 3);
    assertTrue(failures.isEmpty(), String.join("; ", failures));
  }

  @Test
  void fp32HeadGradientsMatchFiniteDifferences() {
    check(Optional.of(2), 0.99, 0.15);
  }

  @Test
  void int8HeadGradientsMatchFiniteDifferences() {
    check(Optional.empty(), 0.99, 0.15);
  }
}
