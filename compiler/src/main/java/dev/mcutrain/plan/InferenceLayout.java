package dev.mcutrain.plan;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.memory.ArenaPlan;
import dev.mcutrain.memory.GreedyBySizePlanner;
import dev.mcutrain.memory.Lifetime;
import dev.mcutrain.memory.MemoryPlanner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where every non-constant tensor of an inference lives. Graph inputs are read in place from the
 * caller's input buffer and graph outputs are written straight into the caller's output buffer,
 * so the static arena holds only intermediate tensors. RESHAPE outputs alias their input.
 */
public final class InferenceLayout {
  /** Alignment of every arena buffer, in bytes. */
  public static final int ALIGNMENT = 16;

  /** The buffer a tensor lives in. */
  public enum Region {
    INPUT,
    OUTPUT,
    ARENA
  }

  /** A tensor's location: a region and a byte offset in it. */
  public record Location(Region region, long offset) {}

  /** A graph output that must be copied at the end (it aliases an input or another output). */
  public record Copy(int tensor, long outputOffset, long bytes) {}

  private final Graph graph;
  private final ImmutableMap<Integer, Location> locations;
  private final ImmutableList<Copy> copies;
  private final ArenaPlan plan;
  private final ImmutableMap<Integer, Integer> bufferOfTensor;
  private final RowPipelines pipelines;

  private InferenceLayout(Graph graph, Map<Integer, Location> locations, List<Copy> copies,
      ArenaPlan plan, Map<Integer, Integer> bufferOfTensor, RowPipelines pipelines) {
    this.graph = graph;
    this.locations = ImmutableMap.copyOf(locations);
    this.copies = ImmutableList.copyOf(copies);
    this.plan = plan;
    this.bufferOfTensor = ImmutableMap.copyOf(bufferOfTensor);
    this.pipelines = pipelines;
  }

  /** Every operator runs whole (each operator's output exists, e.g. for per-operator traces). */
  public static InferenceLayout of(Graph g) {
    return of(g, new GreedyBySizePlanner());
  }

  public static InferenceLayout of(Graph g, MemoryPlanner planner) {
    return of(g, planner, RowPipelines.none());
  }

  /** The smallest layout: chains of convolutions run as row pipelines ({@link RowPipelines}). */
  public static InferenceLayout fused(Graph g) {
    return of(g, new GreedyBySizePlanner(),
        RowPipelines.plan(g, g.ops().size() - 1, i -> true));
  }

  /**
   * The layout with {@code pipelines}: their internal tensors get no storage, each pipeline's
   * input and output live across all its operators, and its line buffers take scratch space
   * (lifetime id {@code tensors + group index}) while it runs.
   */
  public static InferenceLayout of(Graph g, MemoryPlanner planner, RowPipelines pipelines) {
    int n = g.tensors().size();
    // 1. Alias classes: a RESHAPE output shares storage with its input.
    int[] root = new int[n];
    for (int i = 0; i < n; i++) {
      root[i] = i;
    }
    for (Op op : g.ops()) {
      if (op instanceof Op.Reshape r) {
        root[r.output()] = find(root, r.input());
      }
    }
    // 2. Input and output offsets in the packed caller buffers.
    Map<Integer, Long> inputOffset = new HashMap<>();
    long off = 0;
    for (int id : g.inputs()) {
      inputOffset.put(id, off);
      off += g.tensor(id).byteSize();
    }
    Map<Integer, Location> classLocation = new HashMap<>();
    for (int id : g.inputs()) {
      classLocation.put(find(root, id), new Location(Region.INPUT, inputOffset.get(id)));
    }
    List<Copy> copies = new ArrayList<>();
    off = 0;
    for (int id : g.outputs()) {
      int cls = find(root, id);
      if (classLocation.containsKey(cls)) {
        copies.add(new Copy(id, off, g.tensor(id).byteSize()));
      } else {
        classLocation.put(cls, new Location(Region.OUTPUT, off));
      }
      off += g.tensor(id).byteSize();
    }
    // 3. Lifetimes of the remaining classes: first write to last read.
    Map<Integer, int[]> span = new LinkedHashMap<>();
    for (int i = 0; i < g.ops().size(); i++) {
      Op op = g.ops().get(i);
      int first = pipelines.groupOf(i).map(RowPipelines.Group::first).orElse(i);
      int last = pipelines.groupOf(i).map(RowPipelines.Group::last).orElse(i);
      for (int in : op.inputs()) {
        if (!g.tensor(in).isConstant() && !(i > first && g.producer(in) == i - 1)) {
          extend(span, find(root, in), last);
          extend(span, find(root, in), i);
        }
      }
      if (!pipelines.isInternal(i)) {
        extend(span, find(root, op.output()), first);
        extend(span, find(root, op.output()), i);
      }
    }
    List<Lifetime> lifetimes = new ArrayList<>();
    for (Map.Entry<Integer, int[]> e : span.entrySet()) {
      int cls = e.getKey();
      if (classLocation.containsKey(cls)) {
        continue;
      }
      Tensor t = g.tensor(cls);
      lifetimes.add(new Lifetime(cls, t.byteSize(), e.getValue()[0], e.getValue()[1],
          t.name()));
    }
    for (int k = 0; k < pipelines.groups().size(); k++) {
      RowPipelines.Group gr = pipelines.groups().get(k);
      lifetimes.add(new Lifetime(n + k, gr.scratchBytes(), gr.first(), gr.last(),
          "row pipeline " + gr.first() + ".." + gr.last() + " line buffers"));
    }
    ArenaPlan plan = planner.plan(lifetimes, ALIGNMENT);
    Map<Integer, Location> locations = new HashMap<>();
    Map<Integer, Integer> bufferOfTensor = new HashMap<>();
    for (int i = 0; i < n; i++) {
      if (g.tensor(i).isConstant()) {
        continue;
      }
      int cls = find(root, i);
      Location loc = classLocation.get(cls);
      if (loc == null && span.containsKey(cls)) {
        loc = new Location(Region.ARENA, plan.offset(cls));
        bufferOfTensor.put(i, cls);
      }
      if (loc != null) {
        locations.put(i, loc);
      }
    }
    return new InferenceLayout(g, locations, copies, plan, bufferOfTensor, pipelines);
  }

  private static void extend(Map<Integer, int[]> span, int cls, int op) {
    int[] s = span.computeIfAbsent(cls, k -> new int[] {op, op});
    s[0] = Math.min(s[0], op);
    s[1] = Math.max(s[1], op);
  }

  private static int find(int[] root, int i) {
    while (root[i] != i) {
      i = root[i];
    }
    return i;
  }

  public Graph graph() {
    return graph;
  }

  /** The location of a non-constant tensor. */
  public Location location(int tensorId) {
    Location l = locations.get(tensorId);
    if (l == null) {
      throw new IllegalArgumentException("tensor " + tensorId + " has no location");
    }
    return l;
  }

  /** Outputs to copy from their aliased location into the output buffer after the last op. */
  public ImmutableList<Copy> copies() {
    return copies;
  }

  /** The arena plan (intermediate tensors only). */
  public ArenaPlan arenaPlan() {
    return plan;
  }

  /** The row pipelines this layout plans for (none for {@link #of(Graph)}). */
  public RowPipelines pipelines() {
    return pipelines;
  }

  /** Arena offset of the line buffers of pipeline group {@code k}. */
  public long scratchOffset(int k) {
    return plan.offset(graph.tensors().size() + k);
  }

  public long arenaBytes() {
    return plan.arenaSize();
  }
}
