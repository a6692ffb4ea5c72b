package dev.mcutrain.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.testing.SharedAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Java reference reproduces TFLite Micro's per-operator outputs for person_detect. */
class PersonDetectGoldenTest {

  @ParameterizedTest
  @ValueSource(strings = {"person", "no_person"})
  void everyOperatorMatchesTfliteMicroByteForByte(String image) throws IOException {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    Path dir = SharedAssets.golden("person_detect/" + image);
    byte[] input = Files.readAllBytes(dir.resolve("input.bin"));
    List<byte[]> outputs = new ArrayList<>();
    byte[] result = new ReferenceInterpreter(g).run(input, (i, op, bytes) -> outputs.add(bytes));
    assertEquals(31, outputs.size());
    for (int i = 0; i < outputs.size(); i++) {
      Path golden = SharedAssets.goldenOp(dir, i);
      assertArrayEquals(Files.readAllBytes(golden), outputs.get(i), "op " + i + " " + golden);
    }
    byte[] expected = image.equals("person") ? new byte[] {-113, 113} : new byte[] {57, -57};
    assertArrayEquals(expected, result);
  }
}
