package dev.mcutrain.cli;

import static dev.mcutrain.cli.CliTest.assertOneLineError;
import static dev.mcutrain.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.testing.SharedAssets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mcutrain train}: trains on a raw dataset; bad data and flags are one-line errors. */
class TrainCommandTest {

  /** person and no_person, alternated, labels 1 and 0 (index 1 = person). */
  private static Path dataset(Path dir, int pairs) throws IOException {
    byte[] person = Files.readAllBytes(SharedAssets.golden("person_detect/person/input.bin"));
    byte[] none = Files.readAllBytes(SharedAssets.golden("person_detect/no_person/input.bin"));
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    ByteArrayOutputStream l = new ByteArrayOutputStream();
    for (int i = 0; i < pairs; i++) {
      s.write(person);
      l.write(1);
      s.write(none);
      l.write(0);
    }
    Files.write(dir.resolve("samples.bin"), s.toByteArray());
    Files.write(dir.resolve("labels.bin"), l.toByteArray());
    return dir;
  }

  @Test
  void trainsPersonDetectWithANewHeadAndPrintsThePerEpochLoss(@TempDir Path dir)
      throws IOException {
    CliTest.Run r = run("train", SharedAssets.personDetect().toString(), "--classes", "2",
        "--update", "last:2", "--data", dataset(dir, 4).toString(), "--epochs", "3");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("training person_detect on 8 samples"), r.out());
    assertTrue(r.out().contains("epoch 3: mean loss"), r.out());
  }

  @Test
  void javaAndCEnginesPrintTheSameLosses(@TempDir Path dir) throws IOException {
    String data = dataset(dir, 3).toString();
    CliTest.Run java = run("train", SharedAssets.personDetect().toString(), "--classes", "2",
        "--update", "sparse:bias=4;w=26:1/2", "--data", data, "--epochs", "2", "--engine",
        "java");
    CliTest.Run c = run("train", SharedAssets.personDetect().toString(), "--classes", "2",
        "--update", "sparse:bias=4;w=26:1/2", "--data", data, "--epochs", "2", "--engine", "c");
    assertEquals(0, java.code(), java.err());
    assertEquals(0, c.code(), c.err());
    assertEquals(java.out(), c.out());
  }

  @Test
  void rejectsATrainingStepOverTheBudget(@TempDir Path dir) throws IOException {
    assertOneLineError(run("train", SharedAssets.personDetect().toString(), "--classes", "2",
        "--update", "full", "--data", dataset(dir, 1).toString()), 1, "but the budget is 256K");
  }

  @Test
  void rejectsSamplesOfTheWrongSize(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("samples.bin"), new byte[100]);
    Files.write(dir.resolve("labels.bin"), new byte[] {0});
    assertOneLineError(run("train", SharedAssets.personDetect().toString(), "--classes", "2",
        "--data", dir.toString()), 1, "samples of 9216 bytes");
  }

  @Test
  void rejectsLabelsOutsideTheClasses(@TempDir Path dir) throws IOException {
    dataset(dir, 1);
    Files.write(dir.resolve("labels.bin"), new byte[] {0, 2});
    assertOneLineError(run("train", SharedAssets.personDetect().toString(), "--classes", "2",
        "--data", dir.toString()), 1, "label 2 at index 1 is not below the number of classes (2)");
  }

  @Test
  void rejectsMissingDataAndBadSchemes(@TempDir Path dir) throws IOException {
    assertOneLineError(run("train", SharedAssets.personDetect().toString(), "--data",
        dir.resolve("none").toString()), 1, "no such file");
    dataset(dir, 1);
    assertOneLineError(run("train", SharedAssets.personDetect().toString(), "--update",
        "sparse:bias=2;w=99:1/2", "--data", dir.toString()), 1, "out of range");
    assertOneLineError(run("train", SharedAssets.personDetect().toString(), "--update",
        "last:two", "--data", dir.toString()), 1, "last:two");
    assertOneLineError(run("train", SharedAssets.personDetect().toString(), "--classes", "1",
        "--data", dir.toString()), 1, "class count must be >= 2");
  }
}
