package dev.mcutrain.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.engine.CTrainer;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.testing.SharedAssets;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.spec.UpdateScheme;
import dev.mcutrain.train.update.Rounding;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The generated C training step (host build) and the Java reference trainer agree bit for bit:
 * the same loss at every step and the same exported trainable state after the last.
 */
class TrainingBitExactTest {

  private static void assertSame(TrainingProgram p, List<byte[]> inputs, int[] labels) {
    ReferenceTrainer java = new ReferenceTrainer(p);
    float[] expected = new float[inputs.size()];
    for (int i = 0; i < inputs.size(); i++) {
      expected[i] = java.step(inputs.get(i), labels[i]);
    }
    CTrainer.Result c = new CTrainer(TrainingMemoryPlan.of(p)).run(inputs, labels);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(c.losses()[i]),
          "loss at step " + i + ": java " + expected[i] + " c " + c.losses()[i]);
    }
    assertArrayEquals(java.exportState(), c.state(), "trainable state after "
        + inputs.size() + " steps");
    assertTrue(expected[expected.length - 1] != expected[0], "the loss changed");
  }

  private static TrainingProgram program(Graph g, String scheme, Optional<Integer> classes,
      Rounding rounding, float lr) {
    TrainingSpec.Builder b = TrainingSpec.builder().scheme(UpdateScheme.parse(scheme))
        .rounding(rounding).learningRate(lr);
    classes.ifPresent(b::classes);
    TrainingSpec spec = b.build();
    return TrainingProgram.fromSpec(g, spec);
  }

  private static void residual(String scheme, Optional<Integer> classes, Rounding rounding) {
    Graph g = TrainingModels.residualCnn(11);
    Random r = new Random(8);
    List<byte[]> inputs = new ArrayList<>();
    int[] labels = new int[30];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 2;
      inputs.add(TrainingModels.sample(r, labels[i]));
    }
    assertSame(program(g, scheme, classes, rounding, 0.05f), inputs, labels);
  }

  @Test
  void residualModelFullUpdateWithFp32Head() {
    residual("full", Optional.of(2), Rounding.STOCHASTIC);
  }

  @Test
  void residualModelOwnInt8HeadLastTwo() {
    residual("last:2", Optional.empty(), Rounding.NEAREST);
  }

  @Test
  void residualModelSparseWithSlicesAndBiases() {
    residual("sparse:bias=3;w=0:1/2,1:1/3,2:1/2", Optional.of(2), Rounding.STOCHASTIC);
  }

  @Test
  void slicedWeightStateOfConvDepthwiseAndFullyConnectedLayers() {
    // The model's own int8 head: the FC classifier (6 -> 3) trains 3 of its 6 inputs, the 1x1
    // conv 4 of 6, the depthwise 2 of 6: only those slices are SRAM state, and no whole filter is
    // assembled for their backward steps (split input gradients, slice updates).
    Graph g = TrainingModels.residualCnn(11);
    TrainingProgram p = TrainingProgram.fromSpec(g, TrainingSpec.builder()
        .scheme(UpdateScheme.parse("sparse:bias=3;w=1:1/3,2:2/3,3:1/2")).build());
    StateLayout layout = StateLayout.of(p);
    assertEquals(List.of(9 * 2, 6 * 4, 3 * 3), layout.items().stream()
        .filter(i -> i.kind() == StateLayout.Kind.WEIGHTS).map(StateLayout.Item::bytes).toList());
    TrainingMemoryPlan plan = TrainingMemoryPlan.of(p);
    for (TrainingProgram.LayerUpdate u : p.updates().values()) {
      if (u.weightChannels() > 0) {
        assertTrue(plan.assembledFilterOffset(u.op(), false) >= 0, "forward " + u.op());
        assertEquals(-1, plan.assembledFilterOffset(u.op(), true), "backward " + u.op());
      }
    }
    residual("sparse:bias=3;w=1:1/3,2:2/3,3:1/2", Optional.empty(), Rounding.STOCHASTIC);
  }

  @Test
  void residualModelTruncatingBiasOnly() {
    residual("bias:4", Optional.of(2), Rounding.TRUNCATE);
  }

  @Test
  void residualModelCosineScheduleRunsPastItsEnd() {
    Graph g = TrainingModels.residualCnn(11);
    TrainingSpec spec = TrainingSpec.builder().classes(2).scheme(UpdateScheme.parse("last:3"))
        .schedule(TrainingSpec.Schedule.COSINE).scheduleSteps(20).learningRate(0.1f).build();
    TrainingProgram p = TrainingProgram.fromSpec(g, spec);
    assertEquals(0f, p.options().lrAt(25));
    Random r = new Random(4);
    List<byte[]> inputs = new ArrayList<>();
    int[] labels = new int[30];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 2;
      inputs.add(TrainingModels.sample(r, labels[i]));
    }
    assertSame(p, inputs, labels);
  }

  @Test
  void newInt8HeadOnPersonDetect() throws IOException {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    TrainingSpec spec = TrainingSpec.builder().classes(3).head(TrainingSpec.Head.INT8)
        .scheme(UpdateScheme.parse("sparse:bias=4;w=26:1/2")).learningRate(0.02f).build();
    TrainingProgram p = TrainingProgram.fromSpec(g, spec);
    assertTrue(p.head().isEmpty(), "the int8 head is the model's own classifier now");
    assertEquals(3, p.graph().tensor(p.logitsTensor()).shape().elementCount());
    byte[] person = Files.readAllBytes(SharedAssets.golden("person_detect/person/input.bin"));
    byte[] none = Files.readAllBytes(SharedAssets.golden("person_detect/no_person/input.bin"));
    List<byte[]> inputs = new ArrayList<>();
    int[] labels = new int[20];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 3;
      inputs.add(i % 2 == 0 ? person : none);
    }
    assertSame(p, inputs, labels);
  }

  private static void accumulate(String scheme, int b) {
    Graph g = TrainingModels.residualCnn(11);
    TrainingSpec spec = TrainingSpec.builder().classes(2).scheme(UpdateScheme.parse(scheme))
        .accumulate(b).learningRate(0.1f).build();
    TrainingProgram p = TrainingProgram.fromSpec(g, spec);
    Random r = new Random(6);
    List<byte[]> inputs = new ArrayList<>();
    int[] labels = new int[3 * b + 1];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = i % 2;
      inputs.add(TrainingModels.sample(r, labels[i]));
    }
    assertSame(p, inputs, labels);
  }

  @Test
  void gradientAccumulationWithSlicedWeightsAssemblesWholeFilters() {
    accumulate("sparse:bias=3;w=1:1/3,2:1/2", 3);
  }

  @Test
  void gradientAccumulationOverFourSamples() {
    accumulate("sparse:bias=3;w=0:1/2,1:1/3,2:1", 4);
  }

  @Test
  void gradientAccumulationOverThreeSamplesFullUpdate() {
    accumulate("full", 3);
  }

  private static void personDetect(String scheme) throws IOException {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    byte[] person = Files.readAllBytes(SharedAssets.golden("person_detect/person/input.bin"));
    byte[] none = Files.readAllBytes(SharedAssets.golden("person_detect/no_person/input.bin"));
    List<byte[]> inputs = new ArrayList<>();
    int[] labels = new int[50];
    for (int i = 0; i < 50; i++) {
      labels[i] = i % 2 == 0 ? 1 : 0;
      inputs.add(labels[i] == 1 ? person : none);
    }
    assertSame(program(g, scheme, Optional.of(2), Rounding.STOCHASTIC, 0.01f), inputs, labels);
  }

  @Test
  void personDetectSparseFiftySteps() throws IOException {
    personDetect("sparse:bias=6;w=22:1/2,24:1/4,26:1");
  }

  @Test
  void personDetectLastTwoFiftySteps() throws IOException {
    personDetect("last:2");
  }
}
