package dev.mcutrain.train.spec;

import static dev.mcutrain.train.spec.Errors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.mcutrain.train.spec.TrainingSpec.Head;
import dev.mcutrain.train.spec.TrainingSpec.Schedule;
import dev.mcutrain.train.update.Rounding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON spec file: every key, and every way a file can be wrong. */
class SpecFileTest {

  private static TrainingSpec parse(String json) {
    return SpecFile.apply(json, "s.json", TrainingSpec.builder()).build();
  }

  @Test
  void readsEveryKey() {
    TrainingSpec s = parse("""
        {"classes": 10, "head": "int8", "lr": 0.01, "schedule": "cosine",
         "scheduleSteps": 500, "accumulate": 4,
         "update": "sparse:bias=22;w=21:1,24:1,27:1,30:1,36:1/8,39:1/4",
         "qas": false, "rounding": "nearest", "budget": "1M", "seed": 42}
        """);
    assertEquals(new TrainingSpec(Optional.of(10), Head.INT8, 0.01f, Schedule.COSINE, 500, 4,
        UpdateScheme.parse(UpdateSchemeTest.PAPER), false, Rounding.NEAREST, 1 << 20, 42), s);
  }

  @Test
  void emptyObjectIsTheDefaults() {
    assertEquals(TrainingSpec.DEFAULT, parse("{}"));
    assertEquals(TrainingSpec.DEFAULT, parse(" \n{ }\n\n"));
  }

  @Test
  void enumsAreCaseInsensitiveAndBudgetMayBeANumber() {
    TrainingSpec s = parse("{\"rounding\": \"TRUNCATE\", \"schedule\": \"Constant\", "
        + "\"budget\": 300000, \"lr\": 1e-3, \"seed\": -7}");
    assertEquals(Rounding.TRUNCATE, s.rounding());
    assertEquals(300000, s.budgetBytes());
    assertEquals(1e-3f, s.learningRate());
    assertEquals(-7, s.seed());
  }

  @Test
  void valuesAreValidatedAfterReading() {
    assertUserError(() -> parse("{\"classes\": 1}"), "class count must be >= 2");
    assertUserError(() -> parse("{\"lr\": 0}"), "learning rate must be finite and > 0");
    assertUserError(() -> parse("{\"lr\": -0.5}"), "learning rate");
    assertUserError(() -> parse("{\"lr\": 1e60}"), "learning rate must be finite");
    assertUserError(() -> parse("{\"accumulate\": 0}"), "accumulation");
    assertUserError(() -> parse("{\"schedule\": \"cosine\"}"), "cosine schedule needs");
    assertUserError(() -> parse("{\"head\": \"int8\"}"), "needs a class count");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "{\"update\": \"last:0\"}                  | s.json: bad update scheme 'last:0'",
      "{\"update\": \"sparse:w=1:3/2\"}          | s.json: bad update scheme",
      "{\"budget\": \"0\"}                       | s.json: bad budget '0'",
      "{\"budget\": 0}                           | s.json: bad budget '0'",
      "{\"budget\": \"12X\"}                     | s.json: bad budget '12X'",
      "{\"budget\": 1.5}                         | s.json: \"budget\" must be a whole number",
      "{\"budget\": -1}                          | s.json: bad budget '-1'",
      "{\"head\": \"fp16\"}                      | s.json: bad head 'fp16': expected fp32 or int8",
      "{\"schedule\": \"linear\"}                | expected constant or cosine",
      "{\"rounding\": \"up\"}                    | expected truncate, nearest or stochastic",
  })
  void badValuesNameTheFile(String json, String fragment) {
    assertUserError(() -> parse(json), fragment);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      "{\"lr\": \"0.1\"}              | \"lr\" must be a number, not a string",
      "{\"classes\": \"10\"}          | \"classes\" must be an integer, not a string",
      "{\"classes\": 10.0}            | \"classes\" must be an integer, got 10.0",
      "{\"classes\": 1e1}             | \"classes\" must be an integer, got 1e1",
      "{\"seed\": 99999999999}        | \"seed\" is out of range: 99999999999",
      "{\"accumulate\": true}         | \"accumulate\" must be an integer, not a boolean",
      "{\"qas\": \"false\"}           | \"qas\" must be true or false, not a string",
      "{\"qas\": 0}                   | \"qas\" must be true or false, not a number",
      "{\"update\": 3}                | \"update\" must be a string, not a number",
      "{\"update\": [\"full\"]}       | \"update\" must be a string, not an array",
      "{\"head\": {}}                 | \"head\" must be a string, not an object",
      "{\"seed\": null}               | \"seed\" must be an integer, not null",
      "{\"budget\": true}             | \"budget\" must be a string such as \"256K\" or a number",
      "{\"rounding\": null}           | \"rounding\" must be a string, not null",
  })
  void wrongTypes(String json, String fragment) {
    assertUserError(() -> parse(json), "s.json: ", fragment);
  }

  @Test
  void unknownAndRepeatedKeys() {
    assertUserError(() -> parse("{\"learningRate\": 0.1}"),
        "s.json: unknown key \"learningRate\" (known: classes, head, lr, schedule, "
            + "scheduleSteps, accumulate, update, qas, rounding, budget, seed)");
    assertUserError(() -> parse("{\"schedule_steps\": 3}"), "unknown key \"schedule_steps\"");
    assertUserError(() -> parse("{\"LR\": 0.1}"), "unknown key \"LR\"");
    assertUserError(() -> parse("{\"lr\": 0.1, \"lr\": 0.2}"), "s.json: key \"lr\" given twice");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "   ", "{", "{\"lr\": 0.1,}", "{\"lr\" 0.1}", "{lr: 0.1}", "{'lr': 0.1}",
      "{\"lr\": 0.1} x", "{} {}", "{\"lr\": .5}", "{\"lr\": NaN}", "{\"lr\": 01}",
      "{\"lr\": 0.1 // comment\n}", "{\"update\": \"full}", "[1, 2]", "\"full\"", "null", "42",
      "{\"lr\": 0.1}]"})
  void malformedJsonIsOneLine(String json) {
    String m = assertUserError(() -> parse(json), "s.json: ");
    assertFalse(m.contains("Troubleshooting") || m.contains("setStrictness"), m);
  }

  @Test
  void malformedJsonSaysWhere() {
    assertUserError(() -> parse("{\n  \"lr\": 0.1,\n}"), "s.json: malformed JSON at line 3");
    assertUserError(() -> parse("[]"), "s.json: expected a JSON object {...}, found an array");
    assertUserError(() -> parse(""), "s.json: malformed JSON: the file ends too early");
    assertUserError(() -> parse("{} {}"), "s.json: ");
  }

  @Test
  void readsFilesAndReportsMissingOnes(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("train.json");
    Files.writeString(f, "{\"update\": \"bias:4\", \"seed\": 9}");
    TrainingSpec s = SpecFile.read(f, TrainingSpec.builder()).build();
    assertEquals(new UpdateScheme.BiasK(4), s.scheme());
    assertEquals(9, s.seed());
    Path missing = dir.resolve("nope.json");
    assertUserError(() -> SpecFile.read(missing, TrainingSpec.builder()),
        missing + ": no such file");
    Path binary = dir.resolve("bin.json");
    Files.write(binary, new byte[] {'{', (byte) 0xff, '}'});
    assertUserError(() -> SpecFile.read(binary, TrainingSpec.builder()), "not UTF-8");
    assertUserError(() -> SpecFile.read(dir, TrainingSpec.builder()), dir + ": cannot read");
  }
}
