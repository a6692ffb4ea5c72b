package dev.mcutrain.train;

import com.google.common.collect.ImmutableList;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.memory.ArenaPlan;
import dev.mcutrain.memory.GreedyBySizePlanner;
import dev.mcutrain.memory.Lifetime;
import dev.mcutrain.plan.InferenceLayout;
import dev.mcutrain.plan.RowPipelines;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The static memory of one training step: an arena planned over the step's timeline, plus the
 * trainable state that lives in SRAM for the device's lifetime.
 *
 * <p>Timeline: forward operator {@code i} runs at time {@code i} (0..L), the loss (and the new
 * head) at L+1, and the backward step of operator {@code i} at {@code L + 2 + (L - i)}.
 *
 * <p>Arena buffers:
 *
 * <ol>
 *   <li>int8 activations, from their producer to their last forward reader; the graph input (the
 *       sample, copied in when the step starts unless the caller wrote it there) from time 0;
 *   <li>saved inputs of layers whose weights are updated: the whole input when every channel is
 *       updated (its lifetime is extended to the layer's backward step), otherwise a slice of the
 *       updated channels copied right after the forward operator;
 *   <li>1-bit clamp masks of active operators' outputs, from the forward to the backward step;
 *   <li>fp32 gradients of tensors whose gradient is needed, from their first contribution to the
 *       backward step of their producer; the logits, their gradient and (new head) the fp32
 *       features.
 * </ol>
 *
 * <p>Trainable state: SRAM copies of updated filters (only the updated channel slice when a layer
 * updates part of its channels; the whole filter is then assembled in the arena for the layer's
 * forward and backward steps), updated int32 bias arrays, the fp32 head, and the PRNG state.
 */
public final class TrainingMemoryPlan {
  /** One arena buffer with a human-readable role. */
  public record Buffer(Lifetime lifetime, String role) {}

  /** One trainable-state item. */
  public record StateItem(String name, long bytes) {}

  private final TrainingProgram program;
  private final ImmutableList<Buffer> buffers;
  private final ArenaPlan arena;
  private final ImmutableList<StateItem> state;
  private final Ids ids;

  /** Lifetime ids of the buffers, by what they hold. */
  private record Ids(int[] root, Map<Integer, Integer> slice, Map<Integer, Integer> mask,
      Map<Integer, Integer> grad, int loss, int features, List<Integer> scratch,
      Map<Integer, Integer> filterForward, Map<Integer, Integer> filterBackward) {}

  private final RowPipelines pipelines;

  private TrainingMemoryPlan(TrainingProgram program, List<Buffer> buffers, ArenaPlan arena,
      List<StateItem> state, Ids ids, RowPipelines pipelines) {
    this.program = program;
    this.pipelines = pipelines;
    this.buffers = ImmutableList.copyOf(buffers);
    this.arena = arena;
    this.state = ImmutableList.copyOf(state);
    this.ids = ids;
  }

  /** Arena offset of an int8 activation (RESHAPE outputs share their input's buffer). */
  public long activationOffset(int tensor) {
    return arena.offset(ids.root()[tensor]);
  }


  /** Arena offset of the saved input slice of operator {@code op}, or -1 if it keeps x. */
  public long sliceOffset(int op) {
    Integer id = ids.slice().get(op);
    return id == null ? -1 : arena.offset(id);
  }

  /** Arena offset of the 1-bit mask of operator {@code op}'s output, or -1. */
  public long maskOffset(int op) {
    Integer id = ids.mask().get(op);
    return id == null ? -1 : arena.offset(id);
  }

  /** Arena offset of the fp32 gradient of {@code tensor}, or -1 if not planned. */
  public long gradOffset(int tensor) {
    Integer id = ids.grad().get(tensor);
    return id == null ? -1 : arena.offset(id);
  }

  /** Arena offset of the fp32 logits; their gradient follows right after. */
  public long lossOffset() {
    return arena.offset(ids.loss());
  }

  /** Arena offset of the new head's fp32 features, or -1. */
  public long featuresOffset() {
    return ids.features() < 0 ? -1 : arena.offset(ids.features());
  }

  /** The frozen chains of convolutions the forward pass runs as row pipelines. */
  public RowPipelines pipelines() {
    return pipelines;
  }

  /** Arena offset of the line buffers of pipeline group {@code k}. */
  public long scratchOffset(int k) {
    return arena.offset(ids.scratch().get(k));
  }

  /**
   * Arena offset of the whole filter of a layer with sliced weights, assembled for its forward
   * ({@code backward} false) or backward step; -1 when its whole filter is state.
   */
  public long assembledFilterOffset(int op, boolean backward) {
    Integer id = (backward ? ids.filterBackward() : ids.filterForward()).get(op);
    return id == null ? -1 : arena.offset(id);
  }

  /** Size of the PRNG state (two uint64). */
  public static final int PRNG_BYTES = 16;

  public static TrainingMemoryPlan of(TrainingProgram p) {
    Graph g = p.graph();
    int last = p.lastForwardOp();
    int lossTime = last + 1;
    List<Buffer> buffers = new ArrayList<>();
    Map<Integer, int[]> act = new LinkedHashMap<>(); // tensor -> {first, last}
    // 1. Forward activations (RESHAPE outputs alias their input: same buffer).
    int[] root = new int[g.tensors().size()];
    for (int i = 0; i < root.length; i++) {
      root[i] = i;
    }
    for (Op op : g.ops()) {
      if (op instanceof Op.Reshape r) {
        root[r.output()] = root[r.input()];
      }
    }
    // Frozen chains of convolutions run as row pipelines: their inner tensors never exist.
    RowPipelines pipes = RowPipelines.plan(g, last, i -> !p.isActive(i));
    for (int i = 0; i <= last; i++) {
      Op op = g.ops().get(i);
      int first = pipes.groupOf(i).map(RowPipelines.Group::first).orElse(i);
      int end = pipes.groupOf(i).map(RowPipelines.Group::last).orElse(i);
      for (int in : op.inputs()) {
        if (!g.tensor(in).isConstant() && !(i > first && g.producer(in) == i - 1)) {
          extend(act, root[in], i);
          extend(act, root[in], end);
        }
      }
      if (!pipes.isInternal(i)) {
        extend(act, root[op.output()], i);
        extend(act, root[op.output()], first);
      }
    }
    for (int in : g.inputs()) {
      extend(act, root[in], 0); // the sample is copied into the arena when the step starts
    }
    int logitsSource = p.head().isPresent() ? p.featuresTensor() : p.logitsTensor();
    extend(act, root[logitsSource], lossTime);
    // 2. Saved inputs of weight-updated layers.
    int id = g.tensors().size();
    Map<Integer, Integer> sliceIds = new LinkedHashMap<>();
    Map<Integer, Integer> maskIds = new LinkedHashMap<>();
    Map<Integer, Integer> gradIds = new LinkedHashMap<>();
    for (TrainingProgram.LayerUpdate u : p.updates().values()) {
      if (u.weightChannels() == 0) {
        continue;
      }
      Op op = g.ops().get(u.op());
      int x = op.inputs().get(0);
      int back = backwardTime(p, u.op());
      int channels = g.tensor(x).shape().fromEnd(1);
      int saved = savedChannels(g, u);
      if (saved >= channels) {
        extend(act, root[x], back);
      } else {
        Tensor t = g.tensor(x);
        long slice = t.byteSize() / channels * saved;
        sliceIds.put(u.op(), id);
        buffers.add(new Buffer(new Lifetime(id++, slice, u.op(), back,
            "saved " + t.name() + " [" + saved + " ch]"), "saved slice"));
      }
    }
    for (Map.Entry<Integer, int[]> e : act.entrySet()) {
      int t = e.getKey();
      if (g.tensor(t).isConstant()) {
        continue;
      }
      Tensor tt = g.tensor(t);
      buffers.add(new Buffer(new Lifetime(t, tt.byteSize(), e.getValue()[0], e.getValue()[1],
          tt.name()), "activation"));
    }
    // 3. Masks of active operators with a clamp.
    for (int i = 0; i <= last; i++) {
      Op op = g.ops().get(i);
      if (!p.isActive(i) || op instanceof Op.Reshape || op instanceof Op.Pad) {
        continue;
      }
      long n = g.tensor(op.output()).shape().elementCount();
      maskIds.put(i, id);
      buffers.add(new Buffer(new Lifetime(id++, (n + 7) / 8, i, backwardTime(p, i),
          "mask " + g.tensor(op.output()).name()), "mask"));
    }
    // 4. Gradients.
    Map<Integer, int[]> grads = new LinkedHashMap<>();
    for (int i = last; i >= 0; i--) {
      if (!p.isActive(i)) {
        continue;
      }
      for (int in : g.ops().get(i).inputs()) {
        if (p.needsGrad(in)) {
          int prod = g.producer(in);
          int[] s = grads.computeIfAbsent(in, k -> new int[] {backwardTime(p, prod), 0});
          s[0] = Math.min(s[0], backwardTime(p, i));
          s[1] = Math.max(s[1], backwardTime(p, prod));
        }
      }
    }
    if (p.head().isEmpty() || p.needsGrad(p.featuresTensor())) {
      int t = p.head().isPresent() ? p.featuresTensor() : p.logitsTensor();
      int prod = g.producer(t);
      int[] s = grads.computeIfAbsent(t, k -> new int[] {lossTime, backwardTime(p, prod)});
      s[0] = lossTime;
    }
    for (Map.Entry<Integer, int[]> e : grads.entrySet()) {
      Tensor t = g.tensor(e.getKey());
      gradIds.put(e.getKey(), id);
      buffers.add(new Buffer(new Lifetime(id++, t.shape().elementCount() * 4, e.getValue()[0],
          e.getValue()[1], "grad " + t.name()), "gradient"));
    }
    // 5. Whole filters of layers whose SRAM state is a channel slice, assembled from flash and
    //    the slice for the layer's forward and backward steps.
    Map<Integer, Integer> filterFwd = new LinkedHashMap<>();
    Map<Integer, Integer> filterBwd = new LinkedHashMap<>();
    for (TrainingProgram.LayerUpdate u : p.updates().values()) {
      if (!StateLayout.slicedWeights(g, u)) {
        continue;
      }
      long bytes = g.tensor(g.ops().get(u.op()).inputs().get(1)).byteSize();
      filterFwd.put(u.op(), id);
      buffers.add(new Buffer(new Lifetime(id++, bytes, u.op(), u.op(),
          "filter of operator " + u.op() + " (forward)"), "filter"));
      if (assemblesForBackward(p, u)) {
        filterBwd.put(u.op(), id);
        buffers.add(new Buffer(new Lifetime(id++, bytes, backwardTime(p, u.op()),
            backwardTime(p, u.op()), "filter of operator " + u.op() + " (backward)"), "filter"));
      }
    }
    List<Integer> scratchIds = new ArrayList<>();
    for (RowPipelines.Group gr : pipes.groups()) {
      scratchIds.add(id);
      buffers.add(new Buffer(new Lifetime(id++, gr.scratchBytes(), gr.first(), gr.last(),
          "line buffers of operators " + gr.first() + ".." + gr.last()), "pipeline"));
    }
    int classes = p.head().map(TrainingProgram.Head::units)
        .orElse((int) g.tensor(p.logitsTensor()).shape().elementCount());
    int lossId = id;
    buffers.add(new Buffer(new Lifetime(id++, 8L * classes, lossTime, lossTime,
        "logits and their gradient (fp32)"), "loss"));
    int featuresId = -1;
    if (p.head().isPresent()) {
      featuresId = id;
      buffers.add(new Buffer(new Lifetime(id++, 4L * p.head().get().depth(), lossTime, lossTime,
          "features (fp32)"), "head"));
    }
    List<Lifetime> lts = new ArrayList<>();
    for (Buffer b : buffers) {
      lts.add(b.lifetime());
    }
    ArenaPlan arena = new GreedyBySizePlanner().plan(lts, InferenceLayout.ALIGNMENT);
    // 5. Trainable state.
    List<StateItem> state = new ArrayList<>();
    for (TrainingProgram.LayerUpdate u : p.updates().values()) {
      Op op = g.ops().get(u.op());
      if (u.weightChannels() > 0) {
        state.add(new StateItem("op " + u.op() + " " + op.kind() + " weights"
            + (StateLayout.slicedWeights(g, u) ? " [" + u.weightChannels() + " of "
            + StateLayout.filterDepth(g, u.op()) + " channels]" : ""),
            StateLayout.weightStateBytes(g, u)));
      }
      if (u.bias() && op.inputs().size() > 2 && op.inputs().get(2) >= 0) {
        Tensor b = g.tensor(op.inputs().get(2));
        state.add(new StateItem("op " + u.op() + " " + op.kind() + " bias", b.byteSize()));
      }
    }
    if (p.head().isPresent()) {
      TrainingProgram.Head h = p.head().get();
      state.add(new StateItem("fp32 head " + h.units() + "x" + h.depth(),
          4L * h.units() * (h.depth() + 1)));
    }
    state.add(new StateItem("PRNG state", PRNG_BYTES));
    state.add(new StateItem("step count", 4));
    for (StateLayout.Item item : StateLayout.of(p).items()) {
      if (item.kind().name().startsWith("ACC_")) {
        state.add(new StateItem("accumulator " + item.name(), item.bytes()));
      }
    }
    return new TrainingMemoryPlan(p, buffers, arena, state,
        new Ids(root, sliceIds, maskIds, gradIds, lossId, featuresId, scratchIds, filterFwd,
            filterBwd), pipes);
  }

  /**
   * Whether the backward step of a layer with sliced weights needs its whole filter assembled in
   * the arena. Usually not: the input gradient reads the slice and flash separately and the update
   * works on the slice. It does with --accumulate (the accumulator kernels take whole filters).
   */
  public static boolean assemblesForBackward(TrainingProgram p, TrainingProgram.LayerUpdate u) {
    Graph g = p.graph();
    if (!StateLayout.slicedWeights(g, u)) {
      return false;
    }
    return p.options().accumulate() > 1;
  }

  /**
   * Input channels a weight update reads: the updated input channels of a conv or fully
   * connected layer; for a depthwise layer (whose count is output channels) ceil(count / M).
   */
  public static int savedChannels(Graph g, TrainingProgram.LayerUpdate u) {
    Op op = g.ops().get(u.op());
    if (op instanceof Op.DepthwiseConv2D d) {
      return (u.weightChannels() + d.depthMultiplier() - 1) / d.depthMultiplier();
    }
    return u.weightChannels();
  }

  /** The time of operator {@code op}'s backward step. */
  public static int backwardTime(TrainingProgram p, int op) {
    return p.lastForwardOp() + 2 + (p.lastForwardOp() - op);
  }

  private static void extend(Map<Integer, int[]> m, int t, int time) {
    int[] s = m.computeIfAbsent(t, k -> new int[] {time, time});
    s[0] = Math.min(s[0], time);
    s[1] = Math.max(s[1], time);
  }

  public TrainingProgram program() {
    return program;
  }

  public ImmutableList<Buffer> buffers() {
    return buffers;
  }

  public ArenaPlan arena() {
    return arena;
  }

  public ImmutableList<StateItem> state() {
    return state;
  }

  public long arenaBytes() {
    return arena.arenaSize();
  }

  public long trainableBytes() {
    return state.stream().mapToLong(StateItem::bytes).sum();
  }

  /** Peak SRAM of a training step: arena + trainable state. */
  public long peakBytes() {
    return arenaBytes() + trainableBytes();
  }

  /** A description of the step at {@code time}: "forward op 3 (CONV_2D)", "loss", ... */
  public String describeTime(int time) {
    int last = program.lastForwardOp();
    if (time <= last) {
      return "forward operator " + time + " (" + program.graph().ops().get(time).kind() + ")";
    }
    if (time == last + 1) {
      return "the loss" + (program.head().isPresent() ? " and the new head" : "");
    }
    int op = last - (time - last - 2);
    return "the backward step of operator " + op + " (" + program.graph().ops().get(op).kind()
        + ")";
  }

  /** The buffers live at the arena's peak, largest first, as "name (bytes)". */
  public String describePeak() {
    int t = arena.peakOp();
    StringBuilder sb = new StringBuilder();
    arena.liveAt(t).stream()
        .sorted((a, b) -> Long.compare(b.size(), a.size()))
        .limit(6)
        .forEach(l -> sb.append(sb.length() > 0 ? ", " : "").append(l.name()).append(" (")
            .append(String.format(Locale.ROOT, "%,d", l.size())).append(" B)"));
    return describeTime(t) + ": " + sb;
  }

  /** memory.txt: every buffer with offset, size and first/last time, then the state. */
  public String table() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "arena %,d bytes + trainable state %,d bytes = peak "
        + "%,d bytes%n", arenaBytes(), trainableBytes(), peakBytes()));
    sb.append(String.format(Locale.ROOT, "timeline: forward 0..%d, loss %d, backward %d..%d%n%n",
        program.lastForwardOp(), program.lastForwardOp() + 1, program.lastForwardOp() + 2,
        2 * program.lastForwardOp() + 2));
    sb.append(String.format(Locale.ROOT, "%8s %9s %5s %5s  %-11s %s%n", "offset", "size",
        "first", "last", "kind", "buffer"));
    List<Buffer> sorted = new ArrayList<>(buffers);
    sorted.sort((a, b) -> Long.compare(arena.offset(a.lifetime().id()),
        arena.offset(b.lifetime().id())));
    for (Buffer b : sorted) {
      Lifetime l = b.lifetime();
      sb.append(String.format(Locale.ROOT, "%8d %9d %5d %5d  %-11s %s%n", arena.offset(l.id()),
          l.size(), l.firstUse(), l.lastUse(), b.role(), l.name()));
    }
    sb.append(String.format(Locale.ROOT, "%ntrainable state (static SRAM):%n"));
    for (StateItem s : state) {
      sb.append(String.format(Locale.ROOT, "%9d  %s%n", s.bytes(), s.name()));
    }
    return sb.toString();
  }
}
