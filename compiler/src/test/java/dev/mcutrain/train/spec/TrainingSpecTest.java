package dev.mcutrain.train.spec;

import static dev.mcutrain.train.spec.Errors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.train.spec.TrainingSpec.Head;
import dev.mcutrain.train.spec.TrainingSpec.Schedule;
import dev.mcutrain.train.update.Rounding;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Defaults, validation, the learning rate schedule and the JSON form of a spec. */
class TrainingSpecTest {

  private static TrainingSpec.Builder b() {
    return TrainingSpec.builder();
  }

  @Test
  void defaults() {
    TrainingSpec d = TrainingSpec.DEFAULT;
    assertEquals(Optional.empty(), d.classes());
    assertEquals(Head.FP32, d.head());
    assertEquals(0.05f, d.learningRate());
    assertEquals(Schedule.CONSTANT, d.schedule());
    assertEquals(0, d.scheduleSteps());
    assertEquals(1, d.accumulate());
    assertEquals("last:1", d.scheme().toString());
    assertTrue(d.qas());
    assertEquals(Rounding.STOCHASTIC, d.rounding());
    assertEquals(262144, d.budgetBytes());
    assertEquals(1, d.seed());
    assertEquals(d, b().build());
  }

  @Test
  void describeIsOneLine() {
    assertEquals("update last:1, model's own head, sgd lr 0.05 constant, accumulate 1, qas on, "
        + "rounding stochastic, budget 256K, seed 1", TrainingSpec.DEFAULT.describe());
    assertEquals("update full, new int8 10-way head, sgd lr 0.1 cosine over 100 steps, "
            + "accumulate 8, qas off, rounding nearest, budget 1000, seed -3",
        b().classes(10).head(Head.INT8).learningRate(0.1f).schedule(Schedule.COSINE)
            .scheduleSteps(100).accumulate(8).scheme(UpdateScheme.FULL).qas(false)
            .rounding(Rounding.NEAREST).budgetBytes(1000).seed(-3).build().describe());
  }

  @Test
  void rejectsFewerThanTwoClasses() {
    assertUserError(() -> b().classes(1).build(), "class count must be >= 2, got 1");
    assertUserError(() -> b().classes(0).build(), "got 0");
    assertUserError(() -> b().classes(-5).build(), "got -5");
    assertEquals(Optional.of(2), b().classes(2).build().classes());
  }

  @Test
  void rejectsBadLearningRates() {
    for (float lr : new float[] {0f, -0f, -0.1f, Float.NaN, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY}) {
      assertUserError(() -> b().learningRate(lr).build(), "learning rate must be finite and > 0");
    }
    assertEquals(Float.MIN_VALUE, b().learningRate(Float.MIN_VALUE).build().learningRate());
  }

  @Test
  void rejectsAccumulationBelowOne() {
    assertUserError(() -> b().accumulate(0).build(), "accumulation must be over >= 1 sample");
    assertUserError(() -> b().accumulate(-1).build(), "got -1");
  }

  @Test
  void rejectsZeroOrNegativeBudget() {
    assertUserError(() -> b().budgetBytes(0).build(), "budget must be more than 0 bytes");
    assertUserError(() -> b().budgetBytes(-1).build(), "budget");
  }

  @Test
  void cosineNeedsStepsAndConstantTakesNone() {
    assertUserError(() -> b().schedule(Schedule.COSINE).build(), "cosine schedule needs",
        "--schedule-steps");
    assertUserError(() -> b().schedule(Schedule.COSINE).scheduleSteps(-4).build(), "got -4");
    assertUserError(() -> b().scheduleSteps(100).build(),
        "schedule steps apply only to the cosine schedule");
  }

  @Test
  void headNeedsClasses() {
    assertUserError(() -> b().head(Head.INT8).build(), "needs a class count");
    assertUserError(() -> b().head(Head.FP32).build(), "needs a class count");
    assertUserError(() -> new TrainingSpec(Optional.empty(), Head.INT8, 0.05f, Schedule.CONSTANT,
        0, 1, UpdateScheme.FULL, true, Rounding.TRUNCATE, 1, 1), "int8 head needs a class count");
    assertEquals(Head.INT8, b().classes(3).head(Head.INT8).build().head());
  }

  @Test
  void constantRateIsTheBaseRateAtEveryStep() {
    TrainingSpec s = b().learningRate(0.125f).build();
    for (int step : new int[] {0, 1, 1000, Integer.MAX_VALUE}) {
      assertEquals(0.125f, s.learningRateAt(step));
    }
  }

  @Test
  void cosineHitsItsEndPointsExactly() {
    TrainingSpec s = b().learningRate(0.1f).schedule(Schedule.COSINE).scheduleSteps(100).build();
    assertEquals(0.1f, s.learningRateAt(0));
    assertEquals((float) (0.1f * 0.5 * (1 + StrictMath.cos(StrictMath.PI * 50 / 100))),
        s.learningRateAt(50));
    assertEquals(0.05f, s.learningRateAt(50), 1e-8f);
    assertEquals(0f, s.learningRateAt(100));
    assertEquals(0f, s.learningRateAt(1_000_000));
    TrainingSpec one = b().schedule(Schedule.COSINE).scheduleSteps(1).build();
    assertEquals(0.05f, one.learningRateAt(0));
    assertEquals(0f, one.learningRateAt(1));
  }

  @Test
  void cosineTableMatchesPointwiseValues() {
    TrainingSpec s = b().learningRate(0.3f).schedule(Schedule.COSINE).scheduleSteps(7).build();
    float[] t = s.learningRateTable(9);
    assertEquals(9, t.length);
    for (int i = 0; i < t.length; i++) {
      assertEquals(s.learningRateAt(i), t[i]);
    }
    // Bit patterns pinned so a change of formula (or of Math vs StrictMath) is noticed.
    assertEquals(0x3e99999a, Float.floatToRawIntBits(t[0]));
    assertEquals(0, Float.floatToRawIntBits(t[7]));
  }

  @Property(tries = 300)
  void cosineIsNonIncreasingAndBounded(@ForAll @IntRange(min = 1, max = 100_000) int steps,
      @ForAll @IntRange(min = 0, max = 200_000) int step) {
    TrainingSpec s = b().learningRate(0.05f).schedule(Schedule.COSINE).scheduleSteps(steps)
        .build();
    float a = s.learningRateAt(step);
    float next = s.learningRateAt(step + 1);
    assertTrue(a >= 0f && a <= 0.05f, () -> "lr " + a);
    assertTrue(next <= a, () -> step + ": " + next + " > " + a);
  }

  @Provide
  Arbitrary<TrainingSpec> specs() {
    Arbitrary<Optional<Integer>> classes = Arbitraries.integers().between(2, 1000)
        .optional(0.5);
    // Every positive finite float, subnormals included: the JSON form must keep all 32 bits.
    Arbitrary<Float> lr = Arbitraries.integers().between(1, 0x7f7fffff)
        .map(Float::intBitsToFloat);
    Arbitrary<Integer> cosineSteps = Arbitraries.integers().between(0, 100_000);
    Arbitrary<UpdateScheme> scheme = Arbitraries.of("full", "last:3", "bias:20",
        UpdateSchemeTest.PAPER, "sparse:w=0:1/3").map(UpdateScheme::parse);
    Arbitrary<Long> budget = Arbitraries.longs().between(1, 1L << 40);
    return Combinators.combine(classes, Arbitraries.of(Head.class), lr, cosineSteps,
            Arbitraries.integers().between(1, 4096), scheme, Arbitraries.of(true, false),
            Arbitraries.of(Rounding.class))
        .as((c, h, l, st, acc, sch, q, r) -> new Object[] {c, h, l, st, acc, sch, q, r})
        .flatMap(o -> Combinators.combine(budget, Arbitraries.integers()).as((bu, seed) -> {
          @SuppressWarnings("unchecked")
          Optional<Integer> c = (Optional<Integer>) o[0];
          int steps = (Integer) o[3];
          return new TrainingSpec(c, c.isPresent() ? (Head) o[1] : Head.FP32, (Float) o[2],
              steps == 0 ? Schedule.CONSTANT : Schedule.COSINE, steps, (Integer) o[4],
              (UpdateScheme) o[5], (Boolean) o[6], (Rounding) o[7], bu, seed);
        }));
  }

  @Property(tries = 300)
  void jsonRoundTrips(@ForAll("specs") TrainingSpec s) {
    String json = s.toJson();
    assertEquals(s, SpecFile.apply(json, "spec.json", TrainingSpec.builder()).build(), json);
  }

  @Test
  void jsonOfTheDefaults() {
    assertEquals("""
        {
          "lr": 0.05,
          "schedule": "constant",
          "accumulate": 1,
          "update": "last:1",
          "qas": true,
          "rounding": "stochastic",
          "budget": "256K",
          "seed": 1
        }
        """, TrainingSpec.DEFAULT.toJson());
  }
}
