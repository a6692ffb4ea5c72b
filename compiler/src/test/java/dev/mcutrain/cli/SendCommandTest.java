package dev.mcutrain.cli;

import static dev.mcutrain.cli.CliTest.assertOneLineError;
import static dev.mcutrain.cli.CliTest.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mcutrain send}: bad ports and data are one-line errors. */
class SendCommandTest {

  private static Path data(Path dir) throws IOException {
    Files.write(dir.resolve("samples.bin"), new byte[8]);
    Files.write(dir.resolve("labels.bin"), new byte[] {0, 1});
    return dir;
  }

  @Test
  void rejectsAMalformedPort(@TempDir Path dir) throws IOException {
    assertOneLineError(run("send", "--port", "tcp:localhost", "--data", data(dir).toString(),
        "--input-size", "4"), 1, "expected tcp:HOST:PORT");
    assertOneLineError(run("send", "--port", "tcp:127.0.0.1:x", "--data", dir.toString(),
        "--input-size", "4"), 1, "bad port number");
    assertOneLineError(run("send", "--port", dir.resolve("ttyNONE").toString(), "--data",
        dir.toString(), "--input-size", "4"), 1, "no such device");
  }

  @Test
  void rejectsAClosedPort(@TempDir Path dir) throws IOException {
    assertOneLineError(run("send", "--port", "tcp:127.0.0.1:1", "--data", data(dir).toString(),
        "--input-size", "4", "--timeout", "2"), 1, "cannot open");
  }

  @Test
  void rejectsSamplesOfTheWrongSize(@TempDir Path dir) throws IOException {
    assertOneLineError(run("send", "--port", "tcp:127.0.0.1:1", "--data", data(dir).toString(),
        "--input-size", "3"), 1, "not 2 samples of 3 bytes");
    assertOneLineError(run("send", "--port", "tcp:127.0.0.1:1", "--data",
        dir.resolve("none").toString(), "--input-size", "3"), 1, "no such file");
  }
}
