package dev.mcutrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.train.update.Rounding;
import dev.mcutrain.train.update.Update;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Java reference trainer: it learns, it is deterministic, and QAS scales as designed. */
class ReferenceTrainerTest {

  private static List<TrainingProgram.LayerUpdate> allLayers(Graph g) {
    List<TrainingProgram.LayerUpdate> all = new ArrayList<>();
    for (int i = 0; i < g.ops().size(); i++) {
      int ch = TrainingProgram.weightChannelCount(g, g.ops().get(i));
      if (ch > 0) {
        all.add(new TrainingProgram.LayerUpdate(i, true, ch));
      }
    }
    return all;
  }

  /** Trains {@code steps} samples of the two-class task; returns {first-50 loss, last-50 loss,
   * test accuracy}. */
  static double[] learn(Rounding rounding, boolean qas, int steps) {
    Graph g = TrainingModels.residualCnn(11);
    TrainingProgram p = TrainingProgram.build(g, Optional.of(2), allLayers(g),
        new TrainingProgram.Options(0.02f, qas, rounding, 5));
    ReferenceTrainer t = new ReferenceTrainer(p);
    Random r = new Random(99);
    double first = 0;
    double last = 0;
    for (int s = 0; s < steps; s++) {
      int label = s % 2;
      float loss = t.step(TrainingModels.sample(r, label), label);
      if (s < 50) {
        first += loss / 50;
      }
      if (s >= steps - 50) {
        last += loss / 50;
      }
    }
    Random test = new Random(1234);
    int correct = 0;
    for (int s = 0; s < 200; s++) {
      int label = s % 2;
      if (t.predict(TrainingModels.sample(test, label)) == label) {
        correct++;
      }
    }
    return new double[] {first, last, correct / 200.0};
  }

  @Test
  void learnsATwoClassTaskWithQas() {
    double[] r = learn(Rounding.STOCHASTIC, true, 200);
    System.out.printf("stochastic+QAS: loss %.4f -> %.4f, accuracy %.3f%n", r[0], r[1], r[2]);
    assertTrue(r[1] < 0.75 * r[0], "loss " + r[0] + " -> " + r[1]);
    assertTrue(r[2] > 0.75, "accuracy " + r[2]);
  }

  @Test
  void stepsAreDeterministic() {
    Graph g = TrainingModels.residualCnn(11);
    TrainingProgram p = TrainingProgram.build(g, Optional.of(2), allLayers(g),
        new TrainingProgram.Options(0.05f, true, Rounding.STOCHASTIC, 5));
    ReferenceTrainer a = new ReferenceTrainer(p);
    ReferenceTrainer b = new ReferenceTrainer(p);
    Random ra = new Random(1);
    Random rb = new Random(1);
    for (int s = 0; s < 20; s++) {
      assertEquals(Float.floatToRawIntBits(a.step(TrainingModels.sample(ra, s % 2), s % 2)),
          Float.floatToRawIntBits(b.step(TrainingModels.sample(rb, s % 2), s % 2)));
    }
    assertArrayEquals(a.headWeights(), b.headWeights());
    assertArrayEquals(a.parameters().int8(g.ops().get(0).inputs().get(1)),
        b.parameters().int8(g.ops().get(0).inputs().get(1)));
  }

  @Test
  void qasUpdateEqualsTheFp32UpdateMappedToIntegersAndNaiveIsOffBySwSquared() {
    Graph g = TrainingModels.residualCnn(11);
    int conv = 2; // the 1x1 CONV_2D
    Tensor filter = g.tensor(g.ops().get(conv).inputs().get(1));
    float lr = 20f;
    TrainingProgram p = TrainingProgram.build(g, Optional.empty(),
        List.of(new TrainingProgram.LayerUpdate(conv, false, 6)),
        new TrainingProgram.Options(lr, true, Rounding.NEAREST, 5));
    ReferenceTrainer t = new ReferenceTrainer(p);
    byte[] before = t.parameters().int8(filter.id()).clone();
    float[] grads = new float[before.length];
    t.setGradientSink((op, bias, index, value) -> grads[index] = value);
    t.step(TrainingModels.input(new Random(5)), 1);
    byte[] after = t.parameters().int8(filter.id());
    int checked = 0;
    for (int i = 0; i < before.length; i++) {
      float sw = filter.q().scale(i / 6);
      float realStep = -lr * grads[i]; // the fp32 update of W_real
      float qas = Update.qasDelta(grads[i], 1f / sw, lr);
      float naive = Update.qasDelta(grads[i], sw, lr);
      if (Math.abs(qas) < 2 || Math.abs(before[i] + Math.round(qas)) > 120) {
        continue;
      }
      // QAS: the integer step is the real step divided by s_w, then rounded.
      assertEquals(realStep / sw, qas, Math.abs(qas) * 1e-5);
      assertEquals(Math.round(qas), after[i] - before[i]);
      // Naive integer-domain SGD: smaller by exactly s_w^2 (and rounds to nothing here).
      assertEquals(sw * sw, naive / qas, sw * sw * 1e-4);
      assertEquals(0, Math.round(naive));
      checked++;
    }
    assertTrue(checked > 5, "checked " + checked);
  }

  @Test
  void truncatingUpdatesLearnLessThanStochasticRounding() {
    double[] trunc = learn(Rounding.TRUNCATE, true, 200);
    double[] stoch = learn(Rounding.STOCHASTIC, true, 200);
    System.out.printf("truncate: loss %.4f -> %.4f acc %.3f | stochastic: loss %.4f -> %.4f acc "
        + "%.3f%n", trunc[0], trunc[1], trunc[2], stoch[0], stoch[1], stoch[2]);
    assertTrue(stoch[1] < trunc[1], "final loss stochastic " + stoch[1] + " vs truncate "
        + trunc[1]);
  }

  @Test
  void prunedProgramRunsBackwardOnlyWhereNeeded() {
    Graph g = TrainingModels.residualCnn(11);
    // Only the 1x1 conv's bias: ops 0 and 1 run no backward step.
    TrainingProgram p = TrainingProgram.build(g, Optional.of(2),
        List.of(new TrainingProgram.LayerUpdate(2, true, 0)),
        new TrainingProgram.Options(0.01f, true, Rounding.NEAREST, 1));
    assertEquals(false, p.isActive(0));
    assertEquals(false, p.isActive(1));
    assertEquals(true, p.isActive(2));
    assertEquals(false, p.needsGrad(g.ops().get(2).inputs().get(0)));
    assertTrue(g.ops().get(3) instanceof Op.Add);
    assertEquals(true, p.isActive(3));
  }

  @Test
  void accumulationUpdatesOnlyEveryBthSample() {
    Graph g = TrainingModels.residualCnn(11);
    TrainingProgram p = TrainingProgram.build(g, Optional.of(2), allLayers(g),
        new TrainingProgram.Options(0.1f, true, Rounding.NEAREST, 5, null, 3));
    ReferenceTrainer t = new ReferenceTrainer(p);
    int filter = g.ops().get(0).inputs().get(1);
    byte[] initial = t.parameters().int8(filter).clone();
    float[] head = t.headWeights().clone();
    Random r = new Random(2);
    t.step(TrainingModels.sample(r, 0), 0);
    t.step(TrainingModels.sample(r, 1), 1);
    assertArrayEquals(initial, t.parameters().int8(filter), "no update before the 3rd sample");
    assertArrayEquals(head, t.headWeights());
    t.step(TrainingModels.sample(r, 0), 0);
    assertTrue(!java.util.Arrays.equals(initial, t.parameters().int8(filter)),
        "the 3rd sample applies the mean gradient");
  }
}
