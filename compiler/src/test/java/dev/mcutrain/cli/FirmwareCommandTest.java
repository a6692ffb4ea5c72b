package dev.mcutrain.cli;

import static dev.mcutrain.cli.CliTest.assertOneLineError;
import static dev.mcutrain.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.testing.SharedAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code mcutrain firmware} and {@code mcutrain bench-device}. */
class FirmwareCommandTest {
  private static final String SPARSE = "sparse:bias=6;w=22:1/2,24:1/4,26:1";

  private static Path dataset(Path dir) throws IOException {
    byte[] person = Files.readAllBytes(SharedAssets.golden("person_detect/person/input.bin"));
    byte[] none = Files.readAllBytes(SharedAssets.golden("person_detect/no_person/input.bin"));
    byte[] s = new byte[person.length * 2];
    System.arraycopy(person, 0, s, 0, person.length);
    System.arraycopy(none, 0, s, person.length, none.length);
    Files.write(dir.resolve("samples.bin"), s);
    Files.write(dir.resolve("labels.bin"), new byte[] {1, 0});
    return dir;
  }

  @Test
  void buildsTheSelftestForTheF746WithASizeReport(@TempDir Path dir) throws IOException {
    CliTest.Run r = run("firmware", SharedAssets.personDetect().toString(), "--board",
        "stm32f746g-disco", "--classes", "2", "--update", SPARSE, "--data",
        dataset(dir).toString(), "--out", dir.resolve("out").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("total RAM"), r.out());
    // The planner reserves FirmwareCommand.OTHER_STATIC_RAM for what the image adds to the
    // training step's arena and state: the measured rest must stay within it.
    java.util.regex.Matcher planned = java.util.regex.Pattern.compile(
        "planned peak ([\\d,]+) bytes").matcher(r.out());
    java.util.regex.Matcher staticRam = java.util.regex.Pattern.compile(
        "static RAM\\s+(\\d+)").matcher(r.out());
    assertTrue(planned.find() && staticRam.find(), r.out());
    long other = Long.parseLong(staticRam.group(1))
        - Long.parseLong(planned.group(1).replace(",", ""));
    assertTrue(other >= 0 && other <= FirmwareCommand.OTHER_STATIC_RAM, "other static " + other);
    assertTrue(Files.exists(dir.resolve("out/selftest_person_detect.hex")));
    assertTrue(Files.exists(dir.resolve("out/selftest_person_detect.bin")));
  }

  @Test
  void theSameSchemeDoesNotFitThe128KBoardAndTheErrorSaysWhatWould(@TempDir Path dir)
      throws IOException {
    CliTest.Run r = run("firmware", SharedAssets.personDetect().toString(), "--board",
        "nucleo-f411re", "--budget", "128K", "--classes", "2", "--update", SPARSE, "--data",
        dataset(dir).toString(), "--out", dir.resolve("out").toString());
    assertOneLineError(r, 1, "but the budget is 128K");
    assertTrue(r.err().matches("(?s).*--update (last|bias):\\d+ would fit.*"), r.err());
  }

  @Test
  void aSmallerSchemeFitsThe128KBoardAndTooMuchCodeIsAClearFlashError(@TempDir Path dir)
      throws IOException {
    String data = dataset(dir).toString();
    CliTest.Run fits = run("firmware", SharedAssets.personDetect().toString(), "--board",
        "nucleo-f411re", "--budget", "128K", "--example", "serial_finetune", "--classes", "2",
        "--update", "last:1", "--data", data, "--out", dir.resolve("a").toString());
    assertEquals(0, fits.code(), fits.err());
    assertTrue(fits.out().contains("of 131072 bytes budget"), fits.out());
    CliTest.Run tooBig = run("firmware", SharedAssets.personDetect().toString(), "--board",
        "nucleo-f411re", "--budget", "128K", "--example", "serial_finetune", "--classes", "2",
        "--update", "bias:6", "--data", data, "--out", dir.resolve("b").toString());
    assertOneLineError(tooBig, 1, "bytes of code flash by");
  }

  @Test
  void rejectsUnknownBoardsAndBudgetsAboveTheBoardsSram(@TempDir Path dir) throws IOException {
    assertOneLineError(run("firmware", SharedAssets.personDetect().toString(), "--board", "uno",
        "--data", dataset(dir).toString(), "--out", dir.toString()), 1, "unknown board 'uno'");
    assertOneLineError(run("firmware", SharedAssets.personDetect().toString(), "--board",
        "nucleo-f411re", "--budget", "256K", "--data", dir.toString(), "--out", dir.toString()),
        1, "larger than the nucleo-f411re's SRAM");
  }

  private static long instructions(String out) {
    Matcher m = Pattern.compile("training step: ([0-9,]+) instructions").matcher(out);
    assertTrue(m.find(), out);
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  @Test
  void benchDeviceCountsInstructionsDeterministically() {
    String[] args = {"bench-device", SharedAssets.personDetect().toString(), "--classes", "2",
        "--update", "bias:2"};
    CliTest.Run a = run(args);
    CliTest.Run b = run(args);
    assertEquals(0, a.code(), a.err());
    long n = instructions(a.out());
    assertEquals(n, instructions(b.out()), "the same count twice");
    assertTrue(n > 7_157_888L, "more instructions than forward MACs: " + a.out());
    assertTrue(a.out().contains("instructions/MAC"), a.out());
  }
}
