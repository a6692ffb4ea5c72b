package dev.mcutrain.train.spec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.McuTrainException;
import org.junit.jupiter.api.function.Executable;

/** Asserts the project's rule for user errors: a McuTrainException with a one-line message. */
final class Errors {
  private Errors() {}

  static String assertUserError(Executable e, String... fragments) {
    McuTrainException ex = assertThrows(McuTrainException.class, e);
    String m = ex.getMessage();
    assertFalse(m == null || m.isBlank(), "empty message");
    assertFalse(m.contains("\n") || m.contains("\r"), "not one line: " + m);
    for (String f : fragments) {
      assertTrue(m.contains(f), "message lacks '" + f + "': " + m);
    }
    return m;
  }
}
