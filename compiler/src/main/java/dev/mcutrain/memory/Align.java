package dev.mcutrain.memory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Argument checks and alignment arithmetic shared by the planners. */
final class Align {
  private Align() {}

  /** Throws unless {@code alignment} is a positive power of two. */
  static void checkAlignment(int alignment) {
    if (alignment <= 0 || Integer.bitCount(alignment) != 1) {
      throw new IllegalArgumentException(
          "alignment must be a positive power of two, got " + alignment);
    }
  }

  /** Throws unless every buffer id occurs once. */
  static void checkUniqueIds(List<Lifetime> buffers) {
    Set<Integer> seen = new HashSet<>();
    for (Lifetime b : buffers) {
      if (!seen.add(b.id())) {
        throw new IllegalArgumentException("duplicate buffer id " + b.id() + " (" + b.name() + ")");
      }
    }
  }

  /** Checks a planner's inputs: non-null buffers, unique ids, power-of-two alignment. */
  static void checkInputs(List<Lifetime> buffers, int alignment) {
    checkAlignment(alignment);
    for (Lifetime b : buffers) {
      if (b == null) {
        throw new IllegalArgumentException("null buffer in planning input");
      }
    }
    checkUniqueIds(buffers);
  }

  /** Rounds {@code value >= 0} up to a multiple of the power-of-two {@code alignment}. */
  static long up(long value, int alignment) {
    return Math.addExact(value, alignment - 1) & -(long) alignment;
  }
}
