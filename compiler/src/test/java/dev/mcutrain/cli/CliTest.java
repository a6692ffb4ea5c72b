package dev.mcutrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.testing.SharedAssets;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: happy paths print what the issue promises; bad input is one line + exit 1. */
class CliTest {
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  static void assertOneLineError(Run r, int code, String fragment) {
    assertEquals(code, r.code(), r.err());
    assertEquals("", r.out());
    String[] lines = r.err().strip().split("\n");
    assertTrue(lines[0].startsWith("mcutrain: error: "), r.err());
    assertTrue(lines[0].contains(fragment), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }

  private static String personInput() {
    return SharedAssets.golden("person_detect/person/input.bin").toString();
  }

  @Test
  void inferPrintsTheOutputValuesOnOneLine() {
    Run r = run("infer", SharedAssets.personDetect().toString(), "--input", personInput());
    assertEquals(0, r.code(), r.err());
    assertEquals("-113 113\n", r.out());
  }

  @Test
  void inferWithTheCEngineAndDumpDirWritesEveryOperator(@TempDir Path dir) throws IOException {
    Run r = run("infer", SharedAssets.personDetect().toString(), "--input",
        SharedAssets.golden("person_detect/no_person/input.bin").toString(), "--engine", "c",
        "--dump-dir", dir.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals("57 -57\n", r.out());
    String[] files = dir.toFile().list();
    Arrays.sort(files);
    assertEquals(31, files.length);
    assertEquals("op00_DEPTHWISE_CONV_2D.bin", files[0]);
    assertEquals("op30_SOFTMAX.bin", files[30]);
    assertEquals(2, Files.size(dir.resolve("op30_SOFTMAX.bin")));
  }

  @Test
  void inspectReportsAnArenaNoLargerThanTfliteMicros136Kb() {
    Run r = run("inspect", SharedAssets.personDetect().toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("DEPTHWISE_CONV_2D"));
    assertTrue(r.out().contains("per-channel axis 3"), "filter quantization is shown");
    assertTrue(r.out().contains("MACs:            7,157,888"), r.out());
    Matcher m = Pattern.compile("inference arena: ([0-9,]+) bytes").matcher(r.out());
    assertTrue(m.find(), r.out());
    long arena = Long.parseLong(m.group(1).replace(",", ""));
    assertTrue(arena <= 136 * 1024, "arena " + arena);
  }

  @Test
  void missingModelFile() {
    assertOneLineError(run("inspect", "/nonexistent/model.tflite"), 1, "no such file");
  }

  @Test
  void modelThatIsNotAFlatbuffer(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("x.tflite");
    Files.writeString(f, "{\"not\": \"a model\"}\n");
    assertOneLineError(run("inspect", f.toString()), 1, "not a TFLite model");
  }

  @Test
  void inputFileOfTheWrongSize(@TempDir Path dir) throws IOException {
    Path in = dir.resolve("in.bin");
    Files.write(in, new byte[100]);
    assertOneLineError(run("infer", SharedAssets.personDetect().toString(), "--input",
        in.toString()), 1, "has 100 bytes but the model's input needs 9216 (int8 [1, 96, 96, 1])");
  }

  @Test
  void inputFileOfTheWrongSizeWithTheCEngine(@TempDir Path dir) throws IOException {
    Path in = dir.resolve("in.bin");
    Files.write(in, new byte[9217]);
    assertOneLineError(run("infer", SharedAssets.personDetect().toString(), "--input",
        in.toString(), "--engine", "c"), 1, "has 9217 bytes");
  }

  @Test
  void missingInputFile() {
    assertOneLineError(run("infer", SharedAssets.personDetect().toString(), "--input",
        "/nonexistent/in.bin"), 1, "no such file");
  }

  @Test
  void unknownEngineIsAUsageError() {
    Run r = run("infer", SharedAssets.personDetect().toString(), "--input", personInput(),
        "--engine", "python");
    assertOneLineError(r, 2, "python");
  }

  @Test
  void missingArgumentsAreUsageErrors() {
    assertOneLineError(run("infer"), 2, "Missing required");
    assertOneLineError(run(), 2, "missing command");
    assertOneLineError(run("frobnicate"), 2, "frobnicate");
  }

  @Test
  void helpListsTheCommands() {
    Run r = run("--help");
    assertEquals(0, r.code());
    assertTrue(r.out().contains("inspect") && r.out().contains("infer"), r.out());
  }
}
