package dev.mcutrain.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Locates the third-party assets in {@code ../shared/assets} (beside the project root). Tests that
 * need them call {@link #require()} and are skipped with a clear message when they are absent.
 */
public final class SharedAssets {
  private SharedAssets() {}

  /** The project root: the nearest ancestor of the working directory holding {@code mcutrain}. */
  public static Path projectRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null) {
      if (Files.exists(p.resolve("mcutrain")) && Files.isDirectory(p.resolve("runtime-c"))) {
        return p;
      }
      p = p.getParent();
    }
    throw new IllegalStateException("cannot find the project root from " + Path.of("")
        .toAbsolutePath());
  }

  /** {@code ../shared/assets}, or empty when it is absent. */
  public static Path assetsOrNull() {
    String prop = System.getProperty("mcutrain.shared");
    Path shared = prop != null ? Path.of(prop) : projectRoot().getParent().resolve("shared");
    Path assets = shared.resolve("assets");
    return Files.isDirectory(assets) ? assets : null;
  }

  /** {@code ../shared/assets}; skips the calling test when it is absent. */
  public static Path require() {
    Path assets = assetsOrNull();
    assumeTrue(assets != null,
        "SKIPPED: ../shared/assets is absent beside the project root; this test needs the "
            + "third-party models and goldens from it");
    return assets;
  }

  public static Path model(String name) {
    return require().resolve("tflite-micro/models").resolve(name);
  }

  public static Path personDetect() {
    return model("person_detect.tflite");
  }

  public static Path golden(String rel) {
    return require().resolve("golden").resolve(rel);
  }

  /** The golden output file of operator {@code op} in a person_detect case folder. */
  public static Path goldenOp(Path caseDir, int op) {
    String prefix = String.format("op%02d_", op);
    try (Stream<Path> s = Files.list(caseDir)) {
      return s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
          .orElseThrow(() -> new IllegalStateException("no " + prefix + "* in " + caseDir));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** hello_world_int8's TFLite Micro table: int8 input → int8 output, for all 256 inputs. */
  public static Map<Byte, Byte> helloWorldTable() {
    try {
      List<String> lines = Files.readAllLines(golden("hello_world_int8_lut.csv"));
      Map<Byte, Byte> table = new LinkedHashMap<>();
      for (String line : lines.subList(1, lines.size())) {
        if (!line.isBlank()) {
          String[] f = line.split(",");
          table.put((byte) Integer.parseInt(f[0].trim()), (byte) Integer.parseInt(f[1].trim()));
        }
      }
      return table;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
