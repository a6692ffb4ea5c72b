package dev.mcutrain.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeSourcesTest {
  @Test
  void manifestsMatchTheFilesOnDisk() throws IOException {
    Path checkout = RuntimeSources.sourceCheckout();
    assertNotNull(checkout, "no project checkout found from " + Path.of("").toAbsolutePath());
    for (String tree : RuntimeSources.TREES) {
      Path dir = checkout.resolve(tree);
      String expected = RuntimeSources.manifestText(dir);
      Path manifest = dir.resolve(RuntimeSources.MANIFEST);
      String actual = Files.isRegularFile(manifest) ? Files.readString(manifest) : "";
      assertEquals(
          expected,
          actual,
          tree + "/MANIFEST is out of date; it must list exactly these files:\n" + expected);
    }
  }

  @Test
  void extractsOnceByContentHash(@TempDir Path tmp) throws IOException {
    Path root = RuntimeSources.extractTo(tmp);
    assertTrue(Files.isRegularFile(root.resolve("runtime-c/include/mt_kernels.h")));
    assertTrue(Files.isRegularFile(root.resolve("runtime-c/src/softmax/mt_softmax_s8.c")));
    assertTrue(Files.isRegularFile(root.resolve("boards/board.h")));
    assertTrue(Files.isRegularFile(root.resolve("boards/host/mt_board_host.c")));
    long stamp = Files.getLastModifiedTime(root.resolve("boards/board.h")).toMillis();
    Path again = RuntimeSources.extractTo(tmp);
    assertEquals(root, again);
    assertEquals(stamp, Files.getLastModifiedTime(again.resolve("boards/board.h")).toMillis());
    try (var list = Files.list(tmp)) {
      assertEquals(1, list.count(), "a second extraction must reuse the first");
    }
  }
}
