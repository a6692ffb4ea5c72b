package dev.mcutrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.testing.SharedAssets;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.spec.UpdateScheme;
import dev.mcutrain.train.update.Rounding;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The training step's memory plan: pruned, sliced, valid, and checked against the budget. */
class TrainingMemoryPlanTest {

  private static TrainingSpec spec(String scheme, Optional<Integer> classes, long budget) {
    TrainingSpec.Builder b = TrainingSpec.builder().scheme(UpdateScheme.parse(scheme))
        .budgetBytes(budget);
    classes.ifPresent(b::classes);
    return b.build();
  }

  @Test
  void biasOnlyPlanSavesNoActivationsAndHasNoWeightState() {
    Graph g = TrainingModels.residualCnn(11);
    TrainingProgram p = TrainingProgram.build(g, Optional.of(2),
        List.of(new TrainingProgram.LayerUpdate(2, true, 0)),
        new TrainingProgram.Options(0.01f, true, Rounding.NEAREST, 1));
    TrainingMemoryPlan plan = TrainingMemoryPlan.of(p);
    plan.arena().verify();
    assertTrue(plan.buffers().stream().noneMatch(b -> b.role().equals("saved slice")));
    assertTrue(plan.state().stream().noneMatch(s -> s.name().contains("weights")));
    // The 1x1 conv's input (op 1's output) is not kept past the forward pass.
    int x = g.ops().get(2).inputs().get(0);
    plan.buffers().stream().filter(b -> b.lifetime().id() == x)
        .forEach(b -> assertEquals(2, b.lifetime().lastUse(), "its only reader is op 2"));
    // No gradient is planned for tensors before the 1x1 conv.
    assertTrue(plan.buffers().stream().noneMatch(b -> b.lifetime().name().equals(
        "grad " + g.tensor(x).name())));
  }

  @Test
  void partialWeightUpdatesSaveASliceOfTheUpdatedChannels() {
    Graph g = TrainingModels.residualCnn(11);
    TrainingProgram p = TrainingProgram.build(g, Optional.of(2),
        List.of(new TrainingProgram.LayerUpdate(2, false, 2)),
        new TrainingProgram.Options(0.01f, true, Rounding.NEAREST, 1));
    TrainingMemoryPlan plan = TrainingMemoryPlan.of(p);
    List<TrainingMemoryPlan.Buffer> slices = plan.buffers().stream()
        .filter(b -> b.role().equals("saved slice")).toList();
    assertEquals(1, slices.size());
    assertEquals(8 * 8 * 2, slices.get(0).lifetime().size(), "8x8 positions x 2 of 6 channels");
    assertEquals(TrainingMemoryPlan.backwardTime(p, 2), slices.get(0).lifetime().lastUse());
  }

  @Test
  void personDetectWithTwoClassesAndASparseSchemeFitsIn256K() {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    TrainingMemoryPlan plan = TrainingBudget.planWithinBudget(g,
        spec("sparse:bias=10;w=20:1,22:1/2,24:1/4,26:1", Optional.of(2), 256 * 1024));
    plan.arena().verify();
    assertTrue(plan.peakBytes() <= 256 * 1024, "peak " + plan.peakBytes());
    assertTrue(plan.table().contains("saved slice"));
  }

  @Test
  void personDetectFullUpdateIsOverBudgetWithAUsefulError() {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    McuTrainException e = assertThrows(McuTrainException.class,
        () -> TrainingBudget.planWithinBudget(g, spec("full", Optional.of(2), 256 * 1024)));
    String m = e.getMessage();
    assertFalse(m.contains("\n"));
    assertTrue(m.contains("but the budget is 256K"), m);
    assertTrue(m.contains("the peak is at the backward step of operator"), m);
    assertTrue(m.contains("grad "), "names the buffers live at the peak: " + m);
    assertTrue(m.matches(".*--update last:\\d+ would fit.*"), m);
  }

  @Test
  void aBudgetBelowTheForwardPassSaysSo() {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    McuTrainException e = assertThrows(McuTrainException.class,
        () -> TrainingBudget.planWithinBudget(g, spec("bias:1", Optional.of(2), 30 * 1024)));
    // (with its convolution chains run as row pipelines, as the training step runs them)
    assertTrue(e.getMessage().contains("even the forward pass needs 39,552 bytes of arena"),
        e.getMessage());
  }
}
