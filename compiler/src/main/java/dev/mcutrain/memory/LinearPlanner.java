package dev.mcutrain.memory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trivially correct baseline (like TensorFlow Lite Micro's linear memory planner): every
 * non-empty buffer gets its own aligned slot, one after another in input order, so no two
 * buffers ever share memory. Zero-size buffers get offset 0. The arena size is the sum of the
 * buffers' sizes, each rounded up to the alignment.
 */
public final class LinearPlanner implements MemoryPlanner {
  /** The name returned by {@link #name()}. */
  public static final String NAME = "linear";

  @Override
  public ArenaPlan plan(List<Lifetime> buffers, int alignment) {
    Align.checkInputs(buffers, alignment);
    Map<Integer, Long> offsets = new LinkedHashMap<>();
    long next = 0;
    for (Lifetime b : buffers) {
      if (b.size() == 0) {
        offsets.put(b.id(), 0L);
      } else {
        offsets.put(b.id(), next);
        next = Align.up(Math.addExact(next, b.size()), alignment);
      }
    }
    ArenaPlan plan = ArenaPlan.of(NAME, buffers, offsets, alignment);
    plan.verify();
    return plan;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String toString() {
    return NAME;
  }
}
