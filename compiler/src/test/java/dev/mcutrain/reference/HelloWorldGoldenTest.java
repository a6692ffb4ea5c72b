package dev.mcutrain.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.testing.SharedAssets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** hello_world_int8 (three FULLY_CONNECTED layers) reproduces TFLite Micro for all 256 inputs. */
class HelloWorldGoldenTest {

  @Test
  void allInt8InputsMatchTheTfliteMicroTable() {
    Graph g = TfliteReader.read(SharedAssets.model("hello_world_int8.tflite"));
    Map<Byte, Byte> table = SharedAssets.helloWorldTable();
    assertEquals(256, table.size());
    ReferenceInterpreter interp = new ReferenceInterpreter(g);
    table.forEach((in, out) ->
        assertEquals(out, interp.run(new byte[] {in}, null)[0], "input " + in));
  }
}
