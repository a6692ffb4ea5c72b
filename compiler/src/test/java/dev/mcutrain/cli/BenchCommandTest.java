package dev.mcutrain.cli;

import static dev.mcutrain.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.mcutrain.testing.SharedAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mcutrain bench}: the table and JSON (memory figures; the QEMU part is the command's). */
class BenchCommandTest {
  @Test
  void writesEveryConfigurationOfAModelWithItsMemoryFigures(@TempDir Path tmp)
      throws IOException {
    Path models = SharedAssets.require().resolve("paper-models");
    CliTest.Run r = run("bench", "--models", models.toString(), "--only", "proxyless-w0.3",
        "--no-device", "--out", tmp.toString());
    assertEquals(0, r.code(), r.err());
    JsonArray rows = JsonParser.parseString(Files.readString(tmp.resolve("bench.json")))
        .getAsJsonArray();
    assertEquals(6, rows.size());
    String[] schemes = {"49kb", "74kb", "98kb", "120kb", "148kb", "full"};
    for (int i = 0; i < 6; i++) {
      JsonObject o = rows.get(i).getAsJsonObject();
      assertEquals("proxyless-w0.3", o.get("model").getAsString());
      assertEquals(schemes[i], o.get("scheme").getAsString());
      long peak = o.get("peak_sram_bytes").getAsLong();
      assertEquals(peak, o.get("arena_bytes").getAsLong() + o.get("trainable_bytes").getAsLong()
          + o.get("static_ram_bytes").getAsLong());
      assertTrue(o.get("macs_forward").getAsLong() > 10_000_000);
      assertTrue(o.get("macs_backward").getAsLong() > 0);
      assertTrue(o.get("instructions_per_step").isJsonNull());
    }
    JsonObject full = rows.get(5).getAsJsonObject();
    assertTrue(full.get("peak_sram_bytes").getAsLong() > 1_000_000, "full is reported");
    assertTrue(!full.get("fits_256kb").getAsBoolean());
    // PAD folding, row pipelines and sliced weight state fit every sparse scheme in 256 KB.
    for (int i = 0; i < 5; i++) {
      assertTrue(rows.get(i).getAsJsonObject().get("fits_256kb").getAsBoolean(), schemes[i]);
    }
    assertTrue(rows.get(0).getAsJsonObject().get("arena_bytes").getAsLong() < 100_000);
    String md = Files.readString(tmp.resolve("bench.md"));
    assertTrue(md.contains("| proxyless-w0.3 | 148kb |"), md);
    assertEquals(1, run("bench", "--models", tmp.toString(), "--no-device", "--out",
        tmp.toString()).code());
  }
}
