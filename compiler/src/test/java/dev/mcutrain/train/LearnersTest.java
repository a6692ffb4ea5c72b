package dev.mcutrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.fp32.FloatGraph;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.sim.FloatFineTuner;
import dev.mcutrain.sim.Learner;
import dev.mcutrain.sim.Learners;
import dev.mcutrain.sim.Simulation;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.spec.UpdateScheme;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The three learners of {@code simulate}: C = Java bit for bit, and the fp32 baseline. */
class LearnersTest {
  private static TrainingProgram program(String scheme, Integer classes) {
    Graph g = TrainingModels.residualCnn(4);
    TrainingSpec.Builder b = TrainingSpec.builder().scheme(UpdateScheme.parse(scheme))
        .learningRate(0.05f).seed(3);
    if (classes != null) {
      b.classes(classes);
    }
    return TrainingProgram.fromSpec(g, b.build());
  }

  private static byte[][] xs(Random r, int[] ys) {
    byte[][] x = new byte[ys.length][];
    for (int i = 0; i < ys.length; i++) {
      ys[i] = r.nextInt(2);
      x[i] = TrainingModels.sample(r, ys[i]);
    }
    return x;
  }

  @Test
  void theCSessionTrainsAndInfersBitForBitLikeTheJavaReference() {
    for (Integer classes : new Integer[] {null, 2}) {
      TrainingProgram p = program("sparse:bias=3;w=2:1,3:1/2", classes);
      Random r = new Random(9);
      int[] ys = new int[40];
      byte[][] x = xs(r, ys);
      try (Learner c = Learners.c(TrainingMemoryPlan.of(p));
          Learner j = Learners.java(p)) {
        for (int round = 0; round < 2; round++) {
          float[] lc = c.train(x, ys, null);
          float[] lj = j.train(x, ys, null);
          assertArrayEquals(lj, lc);
          float[][] ic = c.infer(x);
          float[][] ij = j.infer(x);
          for (int i = 0; i < x.length; i++) {
            assertArrayEquals(ij[i], ic[i], "sample " + i);
          }
        }
      }
    }
  }

  @Test
  void theFp32BaselineLearnsAndTouchesOnlyTheScheduledParameters() {
    TrainingProgram p = program("sparse:bias=1;w=2:1/2", 2);
    Random r = new Random(2);
    int[] ys = new int[300];
    byte[][] x = xs(r, ys);
    int[] testY = new int[200];
    byte[][] testX = xs(r, testY);
    FloatFineTuner t = new FloatFineTuner(p);
    Graph g = p.graph();
    FloatGraph before = FloatGraph.dequantized(g, p.lastForwardOp());
    try (Learner l = Learners.fp32(p)) {
      var curve = Simulation.run(l, x, ys, testX, testY, 2, 1, null);
      assertTrue(curve.get(2).testAccuracy() > 0.85, "accuracy " + curve);
      assertTrue(curve.get(2).testLoss() < curve.get(0).testLoss());
    }
    // Direct use: one step moves the trained slice of op 2 (layer 2, the 1x1 conv) and no other weight.
    float[] w2 = before.param(g.ops().get(2).inputs().get(1)).clone();
    t.step(x[0], ys[0]);
    FloatGraph after = FloatGraph.dequantized(g, p.lastForwardOp());
    assertEquals(before.paramIds().length, after.paramIds().length);
    int changed = 0;
    int wrong = 0;
    int channels = TrainingProgram.weightChannelCount(g, g.ops().get(2));
    float[] now = tunerParam(t, g.ops().get(2).inputs().get(1));
    for (int i = 0; i < w2.length; i++) {
      if (now[i] != w2[i]) {
        changed++;
        if (i % channels >= channels / 2) {
          wrong++;
        }
      }
    }
    assertTrue(changed > 0);
    assertEquals(0, wrong);
    float[] w0 = tunerParam(t, g.ops().get(0).inputs().get(1));
    assertArrayEquals(before.param(g.ops().get(0).inputs().get(1)), w0);
  }

  private static float[] tunerParam(FloatFineTuner t, int tensor) {
    return t.network().param(tensor);
  }
}
