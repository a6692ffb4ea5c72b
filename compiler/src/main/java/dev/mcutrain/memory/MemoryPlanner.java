package dev.mcutrain.memory;

import java.util.List;
import java.util.Locale;

/**
 * Assigns arena offsets to buffers with known lifetimes so that buffers live at the same time
 * never share bytes. Implementations are interchangeable (in the spirit of TVM's USMP
 * algorithms) and must be deterministic: the same input always gives the same plan.
 *
 * <p>Contract for {@link #plan}: every offset is a multiple of {@code alignment}, zero-size
 * buffers get offset 0, and the returned plan passes {@link ArenaPlan#verify()}.
 */
public interface MemoryPlanner {

  /**
   * Plans the arena.
   *
   * @param buffers buffers with unique ids; the list is not modified
   * @param alignment positive power of two; every offset is a multiple of it
   * @throws IllegalArgumentException if ids repeat or the alignment is not a positive power of
   *     two
   */
  ArenaPlan plan(List<Lifetime> buffers, int alignment);

  /** Short identifier, as accepted by {@link #byName}. */
  String name();

  /** The planner used when none is requested: {@link GreedyBySizePlanner}. */
  static MemoryPlanner defaultPlanner() {
    return new GreedyBySizePlanner();
  }

  /** Names accepted by {@link #byName}. */
  static List<String> names() {
    return List.of(GreedyBySizePlanner.NAME, LinearPlanner.NAME);
  }

  /**
   * The planner called {@code name} ({@code "greedy"} or {@code "linear"}, case-insensitive).
   *
   * @throws IllegalArgumentException for any other name
   */
  static MemoryPlanner byName(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    if (n.equals(GreedyBySizePlanner.NAME)) {
      return new GreedyBySizePlanner();
    }
    if (n.equals(LinearPlanner.NAME)) {
      return new LinearPlanner();
    }
    throw new IllegalArgumentException(
        "unknown memory planner '" + name + "'; expected one of " + names());
  }
}
