package dev.mcutrain.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LifetimeTest {

  @Test
  void rejectsNegativeSize() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Lifetime(3, -1, 0, 1, "conv_out"));
    assertTrue(e.getMessage().contains("conv_out"), e.getMessage());
  }

  @Test
  void rejectsLastUseBeforeFirstUse() {
    assertThrows(IllegalArgumentException.class, () -> new Lifetime(0, 10, 5, 4));
  }

  @Test
  void rejectsNegativeFirstUse() {
    assertThrows(IllegalArgumentException.class, () -> new Lifetime(0, 10, -1, 4));
  }

  @Test
  void singleOpLifetimeIsAllowed() {
    Lifetime l = new Lifetime(7, 0, 3, 3);
    assertEquals(1, l.span());
    assertEquals("buf7", l.name());
  }

  @Test
  void lifetimesSharingOneOpOverlapInTime() {
    Lifetime a = new Lifetime(0, 10, 0, 2);
    Lifetime b = new Lifetime(1, 10, 2, 4);
    Lifetime c = new Lifetime(2, 10, 3, 4);
    assertTrue(a.overlapsInTime(b));
    assertTrue(b.overlapsInTime(a));
    assertFalse(a.overlapsInTime(c));
    assertTrue(a.conflictsWith(b));
  }

  @Test
  void zeroSizeBuffersNeverConflict() {
    Lifetime a = new Lifetime(0, 0, 0, 9);
    Lifetime b = new Lifetime(1, 100, 0, 9);
    assertTrue(a.overlapsInTime(b));
    assertFalse(a.conflictsWith(b));
    assertFalse(b.conflictsWith(a));
  }
}
