package dev.mcutrain.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.testing.SharedAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/** hello_world_int8 (three FULLY_CONNECTED layers) reproduces TFLite Micro for all 256 inputs. */
class HelloWorldGoldenTest {

  @Test
  void allInt8InputsMatchTheTfliteMicroTable() throws IOException {
    Graph g = TfliteReader.read(SharedAssets.model("hello_world_int8.tflite"));
    List<String> lines = Files.readAllLines(SharedAssets.golden("hello_world_int8_lut.csv"));
    ReferenceInterpreter interp = new ReferenceInterpreter(g);
    int checked = 0;
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split(",");
      byte in = (byte) Integer.parseInt(f[0].trim());
      int expected = Integer.parseInt(f[1].trim());
      assertEquals(expected, interp.run(new byte[] {in}, null)[0], "input " + in);
      checked++;
    }
    assertEquals(256, checked);
  }
}
