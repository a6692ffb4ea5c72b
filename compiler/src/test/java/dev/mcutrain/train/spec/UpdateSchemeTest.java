package dev.mcutrain.train.spec;

import static dev.mcutrain.train.spec.Errors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableSortedMap;
import dev.mcutrain.McuTrainException;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing, printing and rejecting update schemes, and the channel ratio. */
class UpdateSchemeTest {
  static final String PAPER = "sparse:bias=22;w=21:1,24:1,27:1,30:1,36:1/8,39:1/4";

  @Test
  void parsesEveryKind() {
    assertSame(UpdateScheme.FULL, UpdateScheme.parse("full"));
    assertEquals(new UpdateScheme.LastK(3), UpdateScheme.parse("last:3"));
    assertEquals(new UpdateScheme.BiasK(12), UpdateScheme.parse("bias:12"));
    assertEquals(new UpdateScheme.Sparse(22, ImmutableSortedMap.of(
            21, Ratio.ONE, 24, Ratio.ONE, 27, Ratio.ONE, 30, Ratio.ONE,
            36, new Ratio(1, 8), 39, new Ratio(1, 4))),
        UpdateScheme.parse(PAPER));
  }

  @Test
  void thePapersSchemeIsCanonical() {
    assertEquals(PAPER, UpdateScheme.parse(PAPER).toString());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "  last:2  | last:2",
      "sparse:w=3:1/8;bias=4 | sparse:bias=4;w=3:1/8",
      "sparse:bias=0;w=5:2/4,1:4/4 | sparse:w=1:1,5:1/2",
      "sparse:bias=7 | sparse:bias=7",
      "sparse:w=0:1 | sparse:w=0:1",
      "sparse:bias=2;w=9:3/3 | sparse:bias=2;w=9:1",
      "last:007 | last:7",
  })
  void acceptedFormsPrintCanonically(String in, String canonical) {
    UpdateScheme s = UpdateScheme.parse(in);
    assertEquals(canonical, s.toString());
    assertEquals(s, UpdateScheme.parse(canonical));
  }

  /** Every syntactic part of a scheme, broken; the fragment says what the message must name. */
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', value = {
      // unknown or missing kind
      "''                          | empty",
      "'   '                       | empty",
      "top:3                       | unknown kind 'top'",
      "LAST:3                      | unknown kind 'LAST'",
      ":3                          | unknown kind ''",
      "full:1                      | full takes no argument",
      "fullx                       | unknown kind 'fullx'",
      // missing / bad K
      "last                        | missing K",
      "bias                        | missing K",
      "last:                       | expected K at the end",
      "bias:x                      | expected K at 'x'",
      "last:0                      | K must be >= 1, got 0",
      "bias:0                      | K must be >= 1, got 0",
      "last:-2                     | K must be >= 1, got -2",
      "last:+2                     | expected K at '+2'",
      "last:9999999999             | too large",
      // trailing garbage
      "last:3x                     | unexpected 'x' after 'last:3'",
      "'last:3 4'                  | unexpected ' 4'",
      "bias:2:1                    | unexpected ':1'",
      "'full x'                    | unknown kind 'full x'",
      "sparse:bias=2;              | missing bias=N or w=I:R,... after ';'",
      "sparse:bias=2;w=1:1,        | expected a layer index at the end",
      "sparse:bias=2;w=1:1/2/3     | unexpected '/3'",
      "sparse:bias=2;w=1:1x        | unexpected 'x'",
      "sparse:bias=2x              | unexpected 'x'",
      "'sparse:bias=2; w=1:1'      | unknown part ' w=1:1'",
      // sparse structure
      "sparse                      | missing ':bias=N;w=I:R,...'",
      "sparse:                     | sparse needs bias=N and/or w=I:R",
      "sparse:b=2                  | unknown part 'b=2'",
      "sparse:bias=                | expected N in bias=N at the end",
      "sparse:bias=-1              | bias=N needs N >= 0, got -1",
      "sparse:bias=0               | updates nothing",
      "sparse:bias=1;bias=2        | bias= given twice",
      "sparse:w=1:1;w=2:1          | w= given twice",
      "sparse:w=                   | expected a layer index at the end",
      // weight entries
      "sparse:w=21                 | layer 21 needs a ratio",
      "sparse:w=21:                | expected a ratio for layer 21",
      "sparse:w=-1:1               | negative layer index -1",
      "sparse:w=a:1                | expected a layer index at 'a:1'",
      "sparse:w=3:1,3:1/2          | layer 3 is listed twice",
      "sparse:w=3:1,4:1,03:1       | layer 3 is listed twice",
      // ratios
      "sparse:w=3:3/2              | ratio 3/2 of layer 3 is outside (0,1]",
      "sparse:w=3:0/4              | ratio 0/4 of layer 3 is outside (0,1]",
      "sparse:w=3:0                | ratio 0 of layer 3 is outside (0,1]",
      "sparse:w=3:2                | ratio 2 of layer 3 is outside (0,1]",
      "sparse:w=3:-1/2             | ratio -1/2 of layer 3 is outside (0,1]",
      "sparse:w=3:1/-2             | ratio 1/-2 of layer 3 is outside (0,1]",
      "sparse:w=3:1/0              | ratio 1/0 of layer 3 divides by zero",
      "sparse:w=3:1/               | expected a denominator in the ratio of layer 3 at the end",
      "sparse:w=3:/2               | expected a ratio for layer 3 (1 or a/b) at '/2'",
      "sparse:w=3:0.5              | not a decimal",
      "sparse:w=3:1/x              | expected a denominator in the ratio of layer 3 at 'x'",
  })
  void malformedSchemesAreOneLineErrors(String scheme, String fragment) {
    String m = assertUserError(() -> UpdateScheme.parse(scheme), fragment);
    assertTrue(m.startsWith("bad update scheme '"), m);
  }

  @Test
  void nullIsAUserError() {
    assertUserError(() -> UpdateScheme.parse(null), "missing update scheme");
  }

  @Test
  void constructorsValidateToo() {
    assertUserError(() -> new UpdateScheme.LastK(0), "K must be >= 1");
    assertUserError(() -> new UpdateScheme.BiasK(-1), "K must be >= 1");
    assertUserError(() -> new UpdateScheme.Sparse(0, ImmutableSortedMap.of()), "updates nothing");
    assertUserError(() -> new UpdateScheme.Sparse(-1, ImmutableSortedMap.of(1, Ratio.ONE)),
        "N >= 0");
    assertUserError(() -> new UpdateScheme.Sparse(1, ImmutableSortedMap.of(-3, Ratio.ONE)),
        "negative layer index -3");
  }

  @Test
  void ratiosReduceAndPrint() {
    assertEquals(new Ratio(1, 2), new Ratio(4, 8));
    assertEquals(Ratio.ONE, new Ratio(7, 7));
    assertEquals("1", Ratio.ONE.toString());
    assertEquals("1/8", new Ratio(2, 16).toString());
    assertEquals("3/4", new Ratio(3, 4).toString());
    assertUserError(() -> new Ratio(3, 2), "ratio 3/2 is outside (0,1]");
    assertUserError(() -> new Ratio(0, 4), "outside (0,1]");
    assertUserError(() -> new Ratio(1, 0), "outside (0,1]");
  }

  @Test
  void ratioOfChannelsFloorsButKeepsOne() {
    assertEquals(8, new Ratio(1, 8).of(64));
    assertEquals(1, new Ratio(1, 8).of(7));
    assertEquals(2, new Ratio(1, 4).of(11));
    assertEquals(64, Ratio.ONE.of(64));
    assertEquals(1, Ratio.ONE.of(1));
    assertEquals(2, new Ratio(2, 3).of(4));
    assertEquals(1431655764, new Ratio(2, 3).of(Integer.MAX_VALUE)); // no int overflow
  }

  @Property(tries = 300)
  void ratioOfIsWithinOneAndChannels(@ForAll("ratios") Ratio r,
      @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 4096) int channels) {
    int n = r.of(channels);
    assertTrue(n >= 1 && n <= channels);
    assertTrue((long) n * r.den() <= (long) channels * r.num() || n == 1);
  }

  @Provide
  Arbitrary<Ratio> ratios() {
    return Arbitraries.integers().between(1, 64).flatMap(den ->
        Arbitraries.integers().between(1, den).map(num -> new Ratio(num, den)));
  }

  @Provide
  Arbitrary<UpdateScheme> schemes() {
    Arbitrary<Integer> k = Arbitraries.integers().between(1, 999_999_999);
    Arbitrary<Map<Integer, Ratio>> w =
        Arbitraries.maps(Arbitraries.integers().between(0, 500), ratios()).ofMaxSize(12);
    Arbitrary<UpdateScheme> sparse = Combinators.combine(
            Arbitraries.integers().between(0, 60), w)
        .filter((b, m) -> b > 0 || !m.isEmpty())
        .as((b, m) -> new UpdateScheme.Sparse(b, ImmutableSortedMap.copyOf(m)));
    return Arbitraries.oneOf(
        Arbitraries.just(UpdateScheme.FULL),
        k.map(UpdateScheme.LastK::new),
        k.map(UpdateScheme.BiasK::new),
        sparse);
  }

  @Property(tries = 1000)
  void toStringRoundTrips(@ForAll("schemes") UpdateScheme s) {
    String text = s.toString();
    UpdateScheme back = UpdateScheme.parse(text);
    assertEquals(s, back);
    assertEquals(text, back.toString());
  }

  @Provide
  Arbitrary<String> schemeLikeStrings() {
    // Strings over the scheme alphabet, so the parser's every branch gets exercised.
    return Arbitraries.strings().withChars("fulastbiprw:=;,/-0123456789 .x").ofMaxLength(24)
        .injectDuplicates(0.05)
        .edgeCases(c -> c.add(PAPER));
  }

  /** Any input either parses to a scheme that prints canonically or is a one-line user error. */
  @Property(tries = 3000)
  void anyInputParsesOrIsAOneLineUserError(@ForAll("schemeLikeStrings") String text) {
    UpdateScheme s;
    try {
      s = UpdateScheme.parse(text);
    } catch (McuTrainException e) {
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
      return;
    }
    assertEquals(s, UpdateScheme.parse(s.toString()));
  }
}
