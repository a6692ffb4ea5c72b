package dev.mcutrain.train.spec;

import static dev.mcutrain.train.spec.Errors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.train.spec.TrainingSpec.Head;
import dev.mcutrain.train.spec.TrainingSpec.Schedule;
import dev.mcutrain.train.update.Rounding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The training flags as a picocli mixin, and how they merge with a spec file. */
class TrainingOptionsTest {
  @Command(name = "train")
  static final class Cmd {
    @Mixin TrainingOptions training;
  }

  private static TrainingSpec spec(String... args) {
    Cmd c = new Cmd();
    new CommandLine(c).parseArgs(args);
    return c.training.toSpec();
  }

  @Test
  void noFlagsGiveTheDefaults() {
    assertEquals(TrainingSpec.DEFAULT, spec());
  }

  @Test
  void everyFlag() {
    TrainingSpec s = spec("--classes", "5", "--head", "int8", "--lr", "0.2", "--schedule",
        "cosine", "--schedule-steps", "300", "--accumulate", "16", "--update",
        "sparse:bias=22;w=21:1,24:1,27:1,30:1,36:1/8,39:1/4", "--no-qas", "--rounding",
        "truncate", "--budget", "512K", "--seed", "7");
    assertEquals(new TrainingSpec(Optional.of(5), Head.INT8, 0.2f, Schedule.COSINE, 300, 16,
        UpdateScheme.parse(UpdateSchemeTest.PAPER), false, Rounding.TRUNCATE, 512 * 1024, 7), s);
  }

  @Test
  void enumFlagsAreCaseInsensitive() {
    TrainingSpec s = spec("--classes", "2", "--head", "FP32", "--rounding", "Nearest");
    assertEquals(Head.FP32, s.head());
    assertEquals(Rounding.NEAREST, s.rounding());
  }

  @Test
  void qasIsNegatable() {
    assertTrue(spec().qas());
    assertFalse(spec("--no-qas").qas());
    assertTrue(spec("--qas").qas());
  }

  @Test
  void badValuesAreOneLineUserErrors() {
    assertUserError(() -> spec("--classes", "1"), "class count must be >= 2, got 1");
    assertUserError(() -> spec("--lr", "0"), "learning rate must be finite and > 0");
    assertUserError(() -> spec("--lr", "-1e-3"), "learning rate");
    assertUserError(() -> spec("--lr", "NaN"), "learning rate");
    assertUserError(() -> spec("--lr", "Infinity"), "learning rate");
    assertUserError(() -> spec("--accumulate", "0"), "accumulation must be over >= 1");
    assertUserError(() -> spec("--update", "last:0"), "bad update scheme 'last:0'");
    assertUserError(() -> spec("--update", "sparse:bias=3;w=1:0/4"), "outside (0,1]");
    assertUserError(() -> spec("--budget", "0"), "bad budget '0'");
    assertUserError(() -> spec("--budget", "12Q"), "bad budget '12Q'");
    assertUserError(() -> spec("--head", "fp16", "--classes", "3"),
        "bad --head 'fp16': expected fp32 or int8");
    assertUserError(() -> spec("--schedule", "step"),
        "bad --schedule 'step': expected constant or cosine");
    assertUserError(() -> spec("--rounding", "floor"),
        "bad --rounding 'floor': expected truncate, nearest or stochastic");
    assertUserError(() -> spec("--head", "int8"), "needs a class count (--classes N");
    assertUserError(() -> spec("--schedule", "cosine"), "--schedule-steps");
    assertUserError(() -> spec("--schedule-steps", "10"), "only to the cosine schedule");
  }

  @Test
  void unparsableNumbersAreUsageErrors() {
    assertThrows(CommandLine.ParameterException.class,
        () -> new CommandLine(new Cmd()).parseArgs("--classes", "ten"));
    assertThrows(CommandLine.ParameterException.class,
        () -> new CommandLine(new Cmd()).parseArgs("--lr", "fast"));
  }

  @Test
  void flagsOverrideTheSpecFile(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("t.json");
    Files.writeString(f, """
        {"classes": 4, "lr": 0.5, "update": "full", "qas": false, "seed": 3,
         "schedule": "cosine", "scheduleSteps": 50}
        """);
    TrainingSpec fromFile = spec("--spec", f.toString());
    assertEquals(new TrainingSpec(Optional.of(4), Head.FP32, 0.5f, Schedule.COSINE, 50, 1,
        UpdateScheme.FULL, false, Rounding.STOCHASTIC, 262144, 3), fromFile);

    TrainingSpec merged = spec("--spec", f.toString(), "--lr", "0.25", "--update", "bias:2",
        "--qas", "--schedule-steps", "80", "--head", "int8");
    assertEquals(new TrainingSpec(Optional.of(4), Head.INT8, 0.25f, Schedule.COSINE, 80, 1,
        new UpdateScheme.BiasK(2), true, Rounding.STOCHASTIC, 262144, 3), merged);

    // An explicit --schedule constant drops the file's cosine step count.
    TrainingSpec constant = spec("--spec", f.toString(), "--schedule", "constant");
    assertEquals(Schedule.CONSTANT, constant.schedule());
    assertEquals(0, constant.scheduleSteps());
    assertEquals(0.5f, constant.learningRateAt(49));
  }

  @Test
  void specFileErrorsComeThrough(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("bad.json");
    Files.writeString(f, "{\"lr\": 0.1, \"momentum\": 0.9}");
    assertUserError(() -> spec("--spec", f.toString()), f + ": unknown key \"momentum\"");
    assertUserError(() -> spec("--spec", dir.resolve("none.json").toString()), "no such file");
    // The file is read even when every one of its keys is overridden.
    Path g = dir.resolve("g.json");
    Files.writeString(g, "{\"seed\": \"x\"}");
    assertUserError(() -> spec("--spec", g.toString(), "--seed", "3"),
        "\"seed\" must be an integer, not a string");
  }

  @Test
  void helpListsEveryFlag() {
    String usage = new CommandLine(new Cmd()).getUsageMessage();
    for (String flag : new String[] {"--classes", "--head", "--lr", "--schedule",
        "--schedule-steps", "--accumulate", "--update", "--[no-]qas", "--rounding", "--budget",
        "--seed", "--spec"}) {
      assertTrue(usage.contains(flag), flag + " missing from\n" + usage);
    }
  }
}
