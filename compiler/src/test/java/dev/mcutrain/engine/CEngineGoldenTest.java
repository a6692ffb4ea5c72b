package dev.mcutrain.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.testing.SharedAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Generated C, built for the host with the bundled clang, reproduces TFLite Micro's goldens and
 * agrees with the Java reference byte for byte.
 */
class CEngineGoldenTest {

  @ParameterizedTest
  @ValueSource(strings = {"person", "no_person"})
  void personDetectEveryOperatorMatchesTfliteMicroInBothEngines(String image)
      throws IOException {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    Path dir = SharedAssets.golden("person_detect/" + image);
    byte[] input = Files.readAllBytes(dir.resolve("input.bin"));
    for (InferenceEngine engine : List.of(new JavaEngine(g), new CEngine(g))) {
      InferenceEngine.Result r = engine.run(input, true);
      assertEquals(31, r.ops().size());
      for (InferenceEngine.OpOutput o : r.ops()) {
        Path golden = SharedAssets.goldenOp(dir, o.op());
        assertArrayEquals(Files.readAllBytes(golden), o.bytes(),
            engine.getClass().getSimpleName() + " op " + o.op());
      }
      byte[] expected = image.equals("person") ? new byte[] {-113, 113} : new byte[] {57, -57};
      assertArrayEquals(expected, r.output(), engine.getClass().getSimpleName());
    }
  }

  @Test
  void helloWorldReproducesTheTfliteMicroTableInC() {
    Graph g = TfliteReader.read(SharedAssets.model("hello_world_int8.tflite"));
    Map<Byte, Byte> table = SharedAssets.helloWorldTable();
    assertEquals(256, table.size());
    CEngine c = new CEngine(g);
    table.forEach((in, out) ->
        assertEquals(out, c.run(new byte[] {in}, false).output()[0], "input " + in));
  }

  @Test
  void simpleAddAgreesInBothEnginesOnRandomInputs() {
    Graph g = TfliteReader.read(SharedAssets.model("simple_add_model.tflite"));
    assertEquals(2, g.inputs().size());
    CEngine c = new CEngine(g);
    JavaEngine j = new JavaEngine(g);
    Random rnd = new Random(7);
    for (int trial = 0; trial < 3; trial++) {
      byte[] in = new byte[(int) g.inputBytes()];
      rnd.nextBytes(in);
      byte[] expected = j.run(in, false).output();
      assertArrayEquals(expected, c.run(in, false).output());
      // The sum is informative: not everything saturates.
      long distinct = java.util.stream.IntStream.range(0, expected.length)
          .map(i -> expected[i]).distinct().count();
      org.junit.jupiter.api.Assertions.assertTrue(distinct > 50);
    }
  }
}
