package dev.mcutrain.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.memory.ArenaPlan;
import dev.mcutrain.memory.LinearPlanner;
import dev.mcutrain.testing.SharedAssets;
import org.junit.jupiter.api.Test;

/** Replays real models' tensor lifetimes through the planner. */
class InferenceLayoutTest {

  @Test
  void personDetectPlanIsValidAndReachesTheLowerBound() {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    InferenceLayout layout = InferenceLayout.of(g);
    ArenaPlan plan = layout.arenaPlan();
    plan.verify();
    assertEquals(plan.lowerBound(), layout.arenaBytes());
    assertEquals(55_296, layout.arenaBytes());
    assertTrue(layout.arenaBytes() < InferenceLayout.of(g, new LinearPlanner()).arenaBytes());
  }

  @Test
  void inputsAndOutputsLiveInTheCallersBuffersAndReshapeAliasesItsInput() {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    InferenceLayout layout = InferenceLayout.of(g);
    assertEquals(InferenceLayout.Region.INPUT, layout.location(g.inputs().get(0)).region());
    assertEquals(InferenceLayout.Region.OUTPUT, layout.location(g.outputs().get(0)).region());
    Op.Reshape reshape = (Op.Reshape) g.ops().get(29);
    assertEquals(layout.location(reshape.input()), layout.location(reshape.output()));
    assertTrue(layout.copies().isEmpty());
  }

  @Test
  void paperModelsPlanValidly() {
    for (String m : new String[] {"mcunet-5fps", "mbv2-w0.35", "proxyless-w0.3"}) {
      Graph g = TfliteReader.read(SharedAssets.require().resolve("paper-models/" + m
          + ".tflite"));
      InferenceLayout layout = InferenceLayout.of(g);
      layout.arenaPlan().verify();
      assertTrue(layout.arenaBytes() >= layout.arenaPlan().lowerBound());
    }
  }
}
