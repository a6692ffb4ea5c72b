package dev.mcutrain.train.spec;

import static dev.mcutrain.train.spec.Errors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Budget syntax: bytes, K and M. */
class BudgetTest {
  @ParameterizedTest
  @CsvSource({"256K, 262144", "256k, 262144", "1M, 1048576", "2m, 2097152", "1000, 1000",
      "1, 1", "0001K, 1024", "8796093022207M, 9223372036853727232"})
  void parses(String text, long bytes) {
    assertEquals(bytes, Budget.parse(text));
  }

  @Test
  void defaultIs256K() {
    assertEquals(262144, Budget.DEFAULT_BYTES);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "0       | must be more than 0 bytes",
      "0K      | must be more than 0 bytes",
      "-1K     | bad budget '-1K'",
      "+1K     | bad budget",
      "1.5M    | bad budget '1.5M'",
      "256KB   | bad budget",
      "256 K   | bad budget",
      "K       | bad budget",
      "1G      | bad budget",
      "x       | bad budget",
      "' 1K'   | bad budget",
      "99999999999999999999 | too large",
      "9999999999999999M | too large",
  })
  void rejects(String text, String fragment) {
    assertUserError(() -> Budget.parse(text), fragment);
  }

  @Test
  void rejectsEmptyAndNull() {
    assertUserError(() -> Budget.parse(""), "missing budget");
    assertUserError(() -> Budget.parse(null), "missing budget");
  }

  @Test
  void formatsShortest() {
    assertEquals("256K", Budget.format(262144));
    assertEquals("1M", Budget.format(1048576));
    assertEquals("1536K", Budget.format(1536 * 1024));
    assertEquals("1000", Budget.format(1000));
  }

  @Property(tries = 500)
  void formatRoundTrips(@ForAll @LongRange(min = 1, max = Long.MAX_VALUE) long bytes) {
    assertEquals(bytes, Budget.parse(Budget.format(bytes)));
  }
}
