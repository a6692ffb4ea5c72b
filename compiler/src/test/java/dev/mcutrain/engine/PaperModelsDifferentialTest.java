package dev.mcutrain.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.testing.SharedAssets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The paper's three models (residual ADD, explicit PAD, per-channel 1x1 and depthwise convs at
 * 128x128x3): generated C and the Java reference agree on every operator's output.
 */
class PaperModelsDifferentialTest {

  @ParameterizedTest
  @ValueSource(strings = {"mcunet-5fps", "mbv2-w0.35", "proxyless-w0.3"})
  void generatedCMatchesTheReferenceOnEveryOperator(String name) {
    Graph g = TfliteReader.read(SharedAssets.require().resolve("paper-models/" + name
        + ".tflite"));
    CEngine c = new CEngine(g);
    JavaEngine j = new JavaEngine(g);
    byte[] in = new byte[(int) g.inputBytes()];
    new Random(name.hashCode()).nextBytes(in);
    InferenceEngine.Result expected = j.run(in, true);
    InferenceEngine.Result actual = c.run(in, true);
    assertEquals(expected.ops().size(), actual.ops().size());
    for (int i = 0; i < expected.ops().size(); i++) {
      assertArrayEquals(expected.ops().get(i).bytes(), actual.ops().get(i).bytes(),
          name + " op " + i + " " + g.ops().get(i).kind());
    }
    assertArrayEquals(expected.output(), actual.output());
  }
}
