package dev.mcutrain.memory;

import java.util.Objects;

/**
 * A buffer that must exist, untouched by any other live buffer, from operator index {@code
 * firstUse} through operator index {@code lastUse} inclusive.
 *
 * <p>Two lifetimes conflict when their operator ranges intersect and both have a non-zero size;
 * zero-size buffers never conflict with anything.
 *
 * @param id unique identifier of the buffer within one planning problem (for example a tensor id)
 * @param size size in bytes, {@code >= 0}
 * @param firstUse index of the first operator that writes or reads the buffer, {@code >= 0}
 * @param lastUse index of the last operator that reads the buffer, {@code >= firstUse}
 * @param name human-readable name used in diagnostics and in {@link ArenaPlan#describe()}
 */
public record Lifetime(int id, long size, int firstUse, int lastUse, String name) {

  /** Validates the fields. */
  public Lifetime {
    Objects.requireNonNull(name, "name");
    if (size < 0) {
      throw new IllegalArgumentException(
          "buffer " + id + " (" + name + "): negative size " + size);
    }
    if (firstUse < 0) {
      throw new IllegalArgumentException(
          "buffer " + id + " (" + name + "): negative first use " + firstUse);
    }
    if (firstUse > lastUse) {
      throw new IllegalArgumentException("buffer " + id + " (" + name + "): first use "
          + firstUse + " is after last use " + lastUse);
    }
  }

  /** A lifetime named {@code buf<id>}. */
  public Lifetime(int id, long size, int firstUse, int lastUse) {
    this(id, size, firstUse, lastUse, "buf" + id);
  }

  /** Whether the buffer is live while operator {@code op} runs. */
  public boolean isLiveAt(int op) {
    return firstUse <= op && op <= lastUse;
  }

  /** Whether the two operator ranges intersect (regardless of size). */
  public boolean overlapsInTime(Lifetime other) {
    return firstUse <= other.lastUse && other.firstUse <= lastUse;
  }

  /**
   * Whether the two buffers must not share memory: their operator ranges intersect and both have
   * a non-zero size.
   */
  public boolean conflictsWith(Lifetime other) {
    return size > 0 && other.size > 0 && overlapsInTime(other);
  }

  /** Number of operators the buffer is live for ({@code lastUse - firstUse + 1}). */
  public long span() {
    return (long) lastUse - firstUse + 1;
  }
}
