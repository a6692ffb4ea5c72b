package dev.mcutrain.codegen.c;

import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.lower.KernelParams;
import dev.mcutrain.memory.Lifetime;
import dev.mcutrain.plan.InferenceLayout;
import dev.mcutrain.train.StateLayout;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.TrainingProgram;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Emits the static C of a training step: {@code mt_<model>.h} (init, train_step, infer, state
 * export/import), {@code mt_<model>.c} (one arena planned over the step, the trainable state in
 * SRAM, the forward pass with masks and saved slices, the loss, and the backward pass with each
 * update fused right after its gradient) and {@code mt_<model>_weights.c} (const data). The
 * arithmetic follows {@link dev.mcutrain.train.ReferenceTrainer} operation for operation.
 */
public final class TrainingEmitter extends InferenceEmitter {
  private final TrainingProgram program;
  private final TrainingMemoryPlan plan;
  private final StateLayout state;
  private final Map<Integer, Long> inputOffsets = new LinkedHashMap<>();

  public TrainingEmitter(TrainingMemoryPlan plan) {
    super(plan.program().graph(), InferenceLayout.of(plan.program().graph()));
    this.program = plan.program();
    this.plan = plan;
    this.state = StateLayout.of(program);
    long off = 0;
    for (int id : graph.inputs()) {
      inputOffsets.put(id, off);
      off += graph.tensor(id).byteSize();
    }
  }

  @Override
  public Map<String, String> emit() {
    Map<String, String> files = new LinkedHashMap<>();
    files.put(names.headerFile(), trainHeader());
    files.put(names.sourceFile(), trainSource());
    files.put(names.weightsFile(), weights());
    return files;
  }

  private int accumulate() {
    return program.options().accumulate();
  }

  private String accWeights(int op) {
    return String.format(Locale.ROOT, "acc_op%02d_weights", op);
  }

  private String accBias(int op) {
    return String.format(Locale.ROOT, "acc_op%02d_bias", op);
  }

  private int classes() {
    return program.head().map(TrainingProgram.Head::units)
        .orElse((int) graph.tensor(program.logitsTensor()).shape().elementCount());
  }

  // ---------------------------------------------------------------------------- pointers

  private boolean weightsInSram(int op) {
    TrainingProgram.LayerUpdate u = program.updates().get(op);
    return u != null && u.weightChannels() > 0;
  }

  private boolean biasInSram(int op) {
    TrainingProgram.LayerUpdate u = program.updates().get(op);
    return u != null && u.bias() && bias(graph.ops().get(op)) >= 0;
  }

  private String sramWeights(int op) {
    return String.format(Locale.ROOT, "state_op%02d_weights", op);
  }

  private String sramBias(int op) {
    return String.format(Locale.ROOT, "state_op%02d_bias", op);
  }

  /** True when only a channel slice of the layer's filter is state (see StateLayout). */
  private boolean sliced(int op) {
    TrainingProgram.LayerUpdate u = program.updates().get(op);
    return u != null && StateLayout.slicedWeights(graph, u);
  }

  /** The whole filter of a sliced layer, assembled in the arena for its forward or backward. */
  private String assembled(int op, boolean backward) {
    return "(a + " + plan.assembledFilterOffset(op, backward) + ")";
  }

  /** Emits the assembly of a sliced layer's whole filter into the arena. */
  private void assemble(CWriter w, int op, boolean backward) {
    w.line("merge_channels(" + names.opConst(op, "filter") + ", " + sramWeights(op) + ", "
        + StateLayout.filterRows(graph, op) + ", " + StateLayout.filterDepth(graph, op) + ", "
        + program.updates().get(op).weightChannels() + ", " + assembled(op, backward) + ");");
  }

  @Override
  String filterRef(int i) {
    if (sliced(i)) {
      return assembled(i, false);
    }
    return weightsInSram(i) ? sramWeights(i) : super.filterRef(i);
  }

  /** Whether the backward step of a sliced layer assembles its whole filter first. */
  private boolean assemblesBackward(int i) {
    TrainingProgram.LayerUpdate u = program.updates().get(i);
    return u != null && TrainingMemoryPlan.assemblesForBackward(program, u);
  }

  /** The filter the backward step of operator {@code i} reads and updates. */
  private String backwardFilter(int i) {
    if (sliced(i)) {
      return assemblesBackward(i) ? assembled(i, true) : sramWeights(i);
    }
    return weightsInSram(i) ? sramWeights(i) : super.filterRef(i);
  }

  @Override
  String biasRef(int i) {
    return biasInSram(i) ? sramBias(i) : super.biasRef(i);
  }

  @Override
  dev.mcutrain.plan.RowPipelines pipelines() {
    return plan.pipelines();
  }

  @Override
  String scratchPtr(int k) {
    return "a + " + plan.scratchOffset(k);
  }

  @Override
  String ptr(int tensor) {
    Tensor t = graph.tensor(tensor);
    String p = "a + " + plan.activationOffset(tensor);
    if (t.dtype() == DType.FLOAT32) {
      return "(float *)(void *)(" + p + ")";
    }
    return p;
  }

  private String grad(int tensor) {
    long off = plan.gradOffset(tensor);
    if (off < 0) {
      throw new IllegalStateException("no gradient buffer for tensor " + tensor);
    }
    return "(float *)(void *)(a + " + off + ")";
  }

  // ---------------------------------------------------------------------------- header

  String trainHeader() {
    String guard = names.macro("H");
    CWriter w = new CWriter();
    w.line("/* Generated by mcutrain from model '" + graph.name() + "': training step. Do not edit."
        + " */");
    w.line("#ifndef " + guard).line("#define " + guard).line();
    w.line("#include <stddef.h>").line("#include <stdint.h>").line();
    w.line("/* Bytes of the static arena of a training step. */");
    w.line("#define " + names.macro("ARENA_SIZE") + " " + plan.arenaBytes());
    w.line("/* Bytes of the trainable state kept in SRAM (weights, biases, head, PRNG). */");
    w.line("#define " + names.macro("TRAINABLE_SIZE") + " " + plan.trainableBytes());
    w.line("/* Bytes of the packed input. */");
    w.line("#define " + names.macro("INPUT_SIZE") + " " + graph.inputBytes());
    w.line("/* Number of classes (fp32 logits). */");
    w.line("#define " + names.macro("CLASSES") + " " + classes());
    w.line("/* Bytes of an exported state blob. */");
    w.line("#define " + names.macro("STATE_SIZE") + " " + state.totalBytes());
    w.line("#define " + names.macro("OP_COUNT") + " " + graph.ops().size());
    w.line();
    long off = 0;
    for (int id : graph.inputs()) {
      Tensor t = graph.tensor(id);
      w.line("/* Input at byte " + off + ": " + describe(t) + " */");
      off += t.byteSize();
    }
    w.line();
    w.line("typedef void (*" + names.fn("trace_fn")
        + ")(int32_t op, const void *data, int32_t size, void *ctx);").line();
    w.line("/* Loads the initial trainable state (call once before anything else). */");
    w.line("void " + names.fn("init") + "(void);").line();
    w.line("/* One SGD step on one labelled sample. Returns the loss (>= 0), or a negative value for"
        + " bad arguments. */");
    w.line("float " + names.fn("train_step") + "(const int8_t *in, int32_t label);").line();
    if (graph.inputs().size() == 1) {
      w.line("/* Where the step keeps the sample (" + names.macro("INPUT_SIZE") + " bytes, inside "
          + "the arena). A caller that writes the sample here and passes this pointer to "
          + "train_step or infer saves the copy and its own buffer; the step overwrites it. */");
      w.line("int8_t *" + names.fn("input") + "(void);").line();
    }
    w.line("/* One inference with the current parameters: " + names.macro("CLASSES")
        + " fp32 logits. Returns 0 or a negative mt_status. */");
    w.line("int " + names.fn("infer") + "(const int8_t *in, float *logits);").line();
    w.line("/* The trainable state as a versioned, checksummed blob. */");
    w.line("size_t " + names.fn("state_size") + "(void);");
    w.line("void " + names.fn("state_export") + "(void *dst);");
    w.line("/* CRC-32 of the blob state_export would write, computed without a buffer. */");
    w.line("uint32_t " + names.fn("state_checksum") + "(void);");
    w.line("/* Returns 0, or a negative mt_status for a blob of the wrong size (-2), from another"
        + " model or corrupted (-3). */");
    w.line("int " + names.fn("state_import") + "(const void *src, size_t n);").line();
    w.line("void " + names.fn("set_trace") + "(" + names.fn("trace_fn") + " fn, void *ctx);");
    w.line().line("#endif /* " + guard + " */");
    return w.toString();
  }

  // ---------------------------------------------------------------------------- source

  String trainSource() {
    CWriter w = new CWriter();
    w.line("/* Generated by mcutrain from model '" + graph.name() + "': training step. Do not edit."
        + " */");
    w.line("#include \"" + names.headerFile() + "\"");
    w.line("#include \"mt_backward.h\"");
    w.line("#include \"mt_kernels.h\"");
    w.line("#include \"mt_math.h\"");
    w.line("#include \"mt_state.h\"");
    w.line("#include \"mt_train.h\"");
    if (accumulate() > 1) {
      w.line("#include \"mt_accumulate.h\"");
    }
    w.line();
    memoryTable(w);
    String arenaSize = names.macro("ARENA_SIZE");
    w.line("static union {");
    w.line("  int8_t bytes[" + arenaSize + " > 0 ? " + arenaSize + " : 1];");
    w.line("  int64_t align;");
    w.line("} arena;").line();
    w.line("/* Trainable state (SRAM). */");
    for (StateLayout.Item item : state.items()) {
      switch (item.kind()) {
        case WEIGHTS -> w.line("static int8_t " + sramWeights(item.op()) + "[" + item.bytes()
            + "] MT_ALIGNED4;");
        case BIAS -> w.line("static int32_t " + sramBias(item.op()) + "[" + item.bytes() / 4
            + "];");
        case HEAD_WEIGHTS -> w.line("static float head_weights[" + item.bytes() / 4 + "];");
        case HEAD_BIAS -> w.line("static float head_bias[" + item.bytes() / 4 + "];");
        case PRNG -> w.line("static mt_prng rng;");
        case STEP -> w.line("static uint32_t step;");
        default -> w.line("static float " + stateRef(item) + "[" + item.bytes() / 4 + "];");
      }
    }
    w.line();
    float[] table = program.options().lrTable();
    if (table != null) {
      w.line("/* Learning rate per step (cosine schedule); later steps use the last entry. */");
      w.open("static const float lr_table[" + table.length + "] = {");
      for (int k = 0; k < table.length; k += 6) {
        StringBuilder sb = new StringBuilder();
        for (int j = k; j < Math.min(table.length, k + 6); j++) {
          sb.append(Float.toHexString(table[j])).append('f')
              .append(j + 1 < table.length ? ", " : "");
        }
        w.line(sb.toString().stripTrailing());
      }
      w.close("};").line();
    }
    w.line("static " + names.fn("trace_fn") + " trace_fn;");
    w.line("static void *trace_ctx;").line();
    externs(w);
    for (int i = 0; i <= program.lastForwardOp(); i++) {
      opParams(w, i);
      trainParams(w, i);
    }
    headInit(w);
    CWriter body = new CWriter();
    init(body);
    inputBuffer(body);
    forward(body);
    logits(body);
    trainStep(body);
    infer(body);
    stateFunctions(body);
    String code = body.toString();
    helpers(w, code.contains("zero_f32("), code.contains("copy_channels("),
        code.contains("merge_channels("));
    return w + code;
  }

  private void memoryTable(CWriter w) {
    w.line("/*");
    w.line(String.format(Locale.ROOT, " * Training step memory: arena %d bytes + trainable state %d"
        + " bytes = %d bytes.", plan.arenaBytes(), plan.trainableBytes(), plan.peakBytes()));
    w.line(String.format(Locale.ROOT, " * Timeline: forward 0..%d, loss %d, backward of op k at "
        + "%d + (%d - k).", program.lastForwardOp(), program.lastForwardOp() + 1,
        program.lastForwardOp() + 2, program.lastForwardOp()));
    w.line(" *");
    w.line(String.format(Locale.ROOT, " * %8s %8s %5s %5s  %s", "offset", "size", "first",
        "last", "buffer"));
    List<TrainingMemoryPlan.Buffer> sorted = plan.buffers().stream()
        .sorted((x, y) -> Long.compare(plan.arena().offset(x.lifetime().id()),
            plan.arena().offset(y.lifetime().id())))
        .toList();
    for (TrainingMemoryPlan.Buffer b : sorted) {
      Lifetime l = b.lifetime();
      w.line(String.format(Locale.ROOT, " * %8d %8d %5d %5d  %s", plan.arena().offset(l.id()),
          l.size(), l.firstUse(), l.lastUse(), l.name().replace("*/", "* /")));
    }
    w.line(" */");
  }

  private static String floats(float[] v) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < v.length; i++) {
      sb.append(i > 0 ? ", " : "").append(Float.toHexString(v[i])).append('f');
    }
    return sb.toString();
  }

  private float[] weightScales(Tensor filter, int channels) {
    float[] s = new float[channels];
    for (int c = 0; c < channels; c++) {
      s[c] = filter.q().scale(c);
    }
    return s;
  }

  private int outChannels(Op op) {
    Tensor f = graph.tensor(op.inputs().get(1));
    return op instanceof Op.DepthwiseConv2D ? f.shape().dim(3) : f.shape().dim(0);
  }

  /** Per active weight layer: scales, update factors, update params and slice dims. */
  private void trainParams(CWriter w, int i) {
    Op op = graph.ops().get(i);
    if (!program.isActive(i) || !(op instanceof Op.Conv2D || op instanceof Op.DepthwiseConv2D
        || op instanceof Op.FullyConnected)) {
      return;
    }
    String n = opName(i);
    Tensor f = graph.tensor(op.inputs().get(1));
    int oc = outChannels(op);
    float[] ws = weightScales(f, oc);
    if (program.needsGrad(op.inputs().get(0))) {
      w.line("static const float " + n + "_w_scale[" + oc + "] = {" + floats(ws) + "};");
    }
    TrainingProgram.LayerUpdate u = program.updates().get(i);
    if (u != null) {
      boolean qas = program.options().qas();
      Tensor x = graph.tensor(op.inputs().get(0));
      float[] kw = new float[oc];
      float[] kb = new float[oc];
      int b = bias(op);
      for (int o = 0; o < oc; o++) {
        kw[o] = qas ? 1f / ws[o] : ws[o];
        if (b >= 0) {
          Tensor bt = graph.tensor(b);
          float sb = bt.quant().isPresent() ? bt.q().scale(o) : x.q().scale() * ws[o];
          kb[o] = qas ? 1f / sb : sb;
        }
      }
      w.line("static const float " + n + "_k_w[" + oc + "] = {" + floats(kw) + "};");
      if (b >= 0) {
        w.line("static const float " + n + "_k_b[" + oc + "] = {" + floats(kb) + "};");
      }
      boolean scheduled = program.options().lrTable() != null;
      w.line("static " + (scheduled ? "" : "const ") + "mt_update_params " + n + "_update = {"
          + floatLit(program.options().learningRate()) + ", " + n + "_k_w, "
          + (b >= 0 ? n + "_k_b" : "0") + ", " + roundingName() + "};");
      if (sliced(i) && !assemblesBackward(i) && op instanceof Op.Conv2D) {
        w.line("static const mt_dims " + n + "_slice_dims = {" + f.shape().dim(0) + ", "
            + f.shape().dim(1) + ", " + f.shape().dim(2) + ", " + u.weightChannels()
            + "}; /* the trainable slice of the filter */");
      }
      long slice = plan.sliceOffset(i);
      if (slice >= 0 && !(op instanceof Op.FullyConnected)) {
        int[] d = dims4(x);
        w.line("static const mt_dims " + n + "_x_dims = {" + d[0] + ", " + d[1] + ", " + d[2]
            + ", " + TrainingMemoryPlan.savedChannels(graph, u) + "};");
      }
    }
    w.line();
  }

  private static int[] dims4(Tensor t) {
    int[] d = {1, 1, 1, 1};
    for (int k = 1; k <= t.shape().rank(); k++) {
      d[4 - k] = t.shape().fromEnd(k);
    }
    return d;
  }

  private String roundingName() {
    return switch (program.options().rounding()) {
      case TRUNCATE -> "MT_ROUND_TRUNCATE";
      case NEAREST -> "MT_ROUND_NEAREST";
      case STOCHASTIC -> "MT_ROUND_STOCHASTIC";
    };
  }

  private static String floatLit(float f) {
    return Float.toHexString(f) + "f";
  }

  private void headInit(CWriter w) {
    if (program.head().isEmpty()) {
      return;
    }
    TrainingProgram.Head h = program.head().get();
    float[] init = dev.mcutrain.train.ReferenceTrainer.initialHeadWeights(program);
    w.line("/* Initial weights of the new " + h.units() + "x" + h.depth()
        + " fp32 head (Glorot-uniform, seeded). */");
    w.open("static const float head_init[" + init.length + "] = {");
    for (int k = 0; k < init.length; k += 6) {
      StringBuilder sb = new StringBuilder();
      for (int j = k; j < Math.min(init.length, k + 6); j++) {
        sb.append(Float.toHexString(init[j])).append('f').append(j + 1 < init.length ? ", " : "");
      }
      w.line(sb.toString().stripTrailing());
    }
    w.close("};").line();
  }

  private void helpers(CWriter w, boolean zero, boolean copy, boolean merge) {
    w.open("void " + names.fn("set_trace") + "(" + names.fn("trace_fn") + " fn, void *ctx) {");
    w.line("trace_fn = fn;").line("trace_ctx = ctx;");
    w.close("}").line();
    w.open("static void trace(int32_t op, const void *data, int32_t size) {");
    w.open("if (trace_fn != 0) {").line("trace_fn(op, data, size, trace_ctx);").close("}");
    w.close("}").line();
    if (zero) {
      w.line("/* Sets n floats to +0 (a gradient buffer before its first contribution). */");
      w.open("static void zero_f32(float *p, int32_t n) {");
      w.line("int32_t i;");
      w.open("for (i = 0; i < n; i++) {").line("p[i] = 0.0f;").close("}");
      w.close("}").line();
    }
    if (merge) {
      w.line("/* Assembles a whole filter [rows][c]: the first n channels of each row from the "
          + "SRAM slice [rows][n], the rest from flash. */");
      w.open("static void merge_channels(const int8_t *flash, const int8_t *slice, int32_t rows, "
          + "int32_t c, int32_t n, int8_t *dst) {");
      w.line("int32_t r;");
      w.line("int32_t k;");
      w.open("for (r = 0; r < rows; r++) {");
      w.open("for (k = 0; k < n; k++) {").line("dst[r * c + k] = slice[r * n + k];").close("}");
      w.open("for (k = n; k < c; k++) {").line("dst[r * c + k] = flash[r * c + k];").close("}");
      w.close("}");
      w.close("}").line();
    }
    if (copy) {
      w.line("/* Copies the first n of c channels at each of `positions` pixels (a saved slice). "
          + "*/");
      w.open("static void copy_channels(const int8_t *src, int32_t positions, int32_t c, "
          + "int32_t n, int8_t *dst) {");
      w.line("int32_t p;");
      w.line("int32_t k;");
      w.open("for (p = 0; p < positions; p++) {");
      w.open("for (k = 0; k < n; k++) {").line("dst[p * n + k] = src[p * c + k];").close("}");
      w.close("}");
      w.close("}").line();
    }
  }

  private void init(CWriter w) {
    w.open("void " + names.fn("init") + "(void) {");
    for (StateLayout.Item item : state.items()) {
      switch (item.kind()) {
        case WEIGHTS -> {
          if (sliced(item.op())) {
            w.line("copy_channels(" + names.opConst(item.op(), "filter") + ", "
                + StateLayout.filterRows(graph, item.op()) + ", "
                + StateLayout.filterDepth(graph, item.op()) + ", "
                + program.updates().get(item.op()).weightChannels() + ", "
                + sramWeights(item.op()) + ");");
          } else {
            w.line("mt_copy(" + sramWeights(item.op()) + ", "
                + names.opConst(item.op(), "filter") + ", " + item.bytes() + ");");
          }
        }
        case BIAS -> w.line("mt_copy(" + sramBias(item.op()) + ", "
            + names.opConst(item.op(), "bias") + ", " + item.bytes() + ");");
        case HEAD_WEIGHTS -> w.line("mt_copy(head_weights, head_init, " + item.bytes() + ");");
        case HEAD_BIAS -> {
          w.line("zero_f32(head_bias, " + item.bytes() / 4 + ");");
        }
        case PRNG -> w.line("mt_prng_seed(&rng, " + Integer.toUnsignedString(
            program.options().seed()) + "u);");
        case STEP -> w.line("step = 0u;");
        default -> w.line("zero_f32(" + stateRef(item) + ", " + item.bytes() / 4 + ");");
      }
    }
    w.close("}").line();
  }

  private int[] actRange(int i) {
    KernelParams kp = params.get(i);
    if (kp instanceof KernelParams.Conv c) {
      return new int[] {c.actMin(), c.actMax()};
    }
    if (kp instanceof KernelParams.FullyConnected f) {
      return new int[] {f.actMin(), f.actMax()};
    }
    if (kp instanceof KernelParams.Add a) {
      return new int[] {a.actMin(), a.actMax()};
    }
    if (kp instanceof KernelParams.Pool p) {
      return new int[] {p.actMin(), p.actMax()};
    }
    return new int[] {-128, 127};
  }

  private void inputBuffer(CWriter w) {
    if (graph.inputs().size() != 1) {
      return;
    }
    w.open("int8_t *" + names.fn("input") + "(void) {");
    w.line("return arena.bytes + " + plan.activationOffset(graph.inputs().get(0)) + ";");
    w.close("}").line();
  }

  private void forward(CWriter w) {
    w.line("/* The int8 forward pass; when training, also the clamp masks and saved slices. */");
    w.open("static int forward(const int8_t *in, int training) {");
    w.line("int8_t *const a = arena.bytes;");
    w.line("mt_status s;").line();
    w.line("(void)training;").line("(void)s;");
    w.line("/* The sample into its arena buffer (unless the caller wrote it there). */");
    for (int id : graph.inputs()) {
      String dst = "a + " + plan.activationOffset(id);
      long off = inputOffsets.get(id);
      w.open("if (in + " + off + " != " + dst + ") {");
      w.line("mt_copy(" + dst + ", in + " + off + ", " + graph.tensor(id).byteSize() + ");");
      w.close("}");
    }
    for (int i = 0; i <= program.lastForwardOp(); i++) {
      if (sliced(i)) {
        w.line();
        w.line("/* " + opName(i) + " updates a channel slice: its whole filter, for this step */");
        assemble(w, i, false);
      }
      opCall(w, i);
      Op op = graph.ops().get(i);
      long mask = plan.maskOffset(i);
      TrainingProgram.LayerUpdate u = program.updates().get(i);
      long slice = plan.sliceOffset(i);
      if (mask < 0 && slice < 0) {
        continue;
      }
      w.open("if (training) {");
      if (mask >= 0) {
        int[] r = actRange(i);
        w.line("mt_mask_pack(" + ptr(op.output()) + ", " + graph.tensor(op.output()).shape()
            .elementCount() + ", " + r[0] + ", " + r[1] + ", (uint8_t *)(a + " + mask + "));");
      }
      if (slice >= 0) {
        Tensor x = graph.tensor(op.inputs().get(0));
        int c = x.shape().fromEnd(1);
        w.line("copy_channels(" + ptr(op.inputs().get(0)) + ", " + x.shape().elementCount() / c
            + ", " + c + ", " + TrainingMemoryPlan.savedChannels(graph, u) + ", a + " + slice
            + ");");
      }
      w.close("}");
    }
    w.line("return 0;");
    w.close("}").line();
  }

  /** Writes the logits (fp32) for the tensors the forward pass left in the arena. */
  private void logits(CWriter w) {
    w.open("static void compute_logits(float *logits) {");
    w.line("int8_t *const a = arena.bytes;");
    w.line("(void)a;");
    int ft = program.head().isPresent() ? program.featuresTensor() : program.logitsTensor();
    QuantParams q = graph.tensor(ft).q();
    long n = graph.tensor(ft).shape().elementCount();
    if (program.head().isPresent()) {
      TrainingProgram.Head h = program.head().get();
      String f = "(float *)(void *)(a + " + plan.featuresOffset() + ")";
      w.line("mt_dequantize_f32(" + ptr(ft) + ", " + n + ", " + floatLit(q.scale()) + ", "
          + q.zeroPoint() + ", " + f + ");");
      w.line("mt_fc_f32(" + h.units() + ", " + h.depth() + ", head_weights, head_bias, " + f
          + ", logits);");
    } else {
      w.line("mt_dequantize_f32(" + ptr(ft) + ", " + n + ", " + floatLit(q.scale()) + ", "
          + q.zeroPoint() + ", logits);");
    }
    w.close("}").line();
  }

  private void trainStep(CWriter w) {
    int classes = classes();
    w.open("float " + names.fn("train_step") + "(const int8_t *in, int32_t label) {");
    w.line("const int8_t *const input = in;");
    w.line("int8_t *const a = arena.bytes;");
    w.line("float *const logits = (float *)(void *)(a + " + plan.lossOffset() + ");");
    w.line("float *const dlogits = logits + " + classes + ";");
    w.line("float loss;");
    float[] table = program.options().lrTable();
    if (table != null) {
      w.line("const float lr = lr_table[step < " + (table.length - 1) + "u ? step : "
          + (table.length - 1) + "u];");
    } else {
      w.line("const float lr = " + floatLit(program.options().learningRate()) + ";");
    }
    if (accumulate() > 1) {
      w.line("/* Accumulate " + accumulate() + " samples' gradients; update on the last one. */");
      w.line("const int apply = (step % " + accumulate() + "u) == " + (accumulate() - 1) + "u;");
    }
    w.line();
    w.line("(void)dlogits;");
    w.line("(void)lr;");
    w.line("(void)input;");
    w.open("if (in == 0 || label < 0 || label >= " + classes + ") {").line("return -1.0f;")
        .close("}");
    w.open("if (forward(in, 1) != 0) {").line("return -1.0f;").close("}");
    if (table != null) {
      for (int op : program.updates().keySet()) {
        w.line(opName(op) + "_update.lr = lr;");
      }
    }
    w.line("compute_logits(logits);");
    Set<Integer> zeroed = new HashSet<>();
    if (program.head().isPresent()) {
      TrainingProgram.Head h = program.head().get();
      w.line("loss = mt_softmax_xent_f32(logits, " + classes + ", label, dlogits);");
      int ft = program.featuresTensor();
      if (program.needsGrad(ft)) {
        contributeTo(w, zeroed, ft);
        w.line("mt_fc_f32_grad_input(" + h.units() + ", " + h.depth() + ", head_weights, dlogits, "
            + grad(ft) + ");");
      }
      String f = "(float *)(void *)(a + " + plan.featuresOffset() + ")";
      if (accumulate() > 1) {
        w.line("mt_fc_f32_grad_acc(" + h.units() + ", " + h.depth() + ", " + f
            + ", dlogits, acc_head_weights, acc_head_bias);");
        w.open("if (apply) {");
        w.line("mt_fc_f32_apply_acc(" + h.units() + ", " + h.depth() + ", head_weights, "
            + "head_bias, acc_head_weights, acc_head_bias, " + accumulate() + ", lr);");
        w.close("}");
      } else {
        w.line("mt_fc_f32_update(" + h.units() + ", " + h.depth() + ", head_weights, head_bias, "
            + f + ", dlogits, lr);");
      }
    } else {
      int lt = program.logitsTensor();
      zeroed.add(lt);
      w.line("loss = mt_softmax_xent_f32(logits, " + classes + ", label, " + grad(lt) + ");");
    }
    for (int i = program.lastForwardOp(); i >= 0; i--) {
      if (program.isActive(i) && plan.gradOffset(graph.ops().get(i).output()) >= 0
          && zeroed.contains(graph.ops().get(i).output())) {
        backward(w, i, zeroed);
      }
    }
    w.open("if (step != 0xFFFFFFFFu) {").line("step++;").close("}");
    w.line("return loss;");
    w.close("}").line();
  }

  /** Zeroes a gradient buffer before its first contribution. */
  private void contributeTo(CWriter w, Set<Integer> zeroed, int tensor) {
    if (zeroed.add(tensor)) {
      w.line("zero_f32(" + grad(tensor) + ", " + graph.tensor(tensor).shape().elementCount()
          + ");");
    }
  }

  private void backward(CWriter w, int i, Set<Integer> zeroed) {
    Op op = graph.ops().get(i);
    String n = opName(i);
    long count = graph.tensor(op.output()).shape().elementCount();
    String dy = grad(op.output());
    w.line();
    w.line("/* backward " + n + ": " + op.kind() + " */");
    if (op instanceof Op.Reshape r) {
      if (program.needsGrad(r.input())) {
        contributeTo(w, zeroed, r.input());
        w.open("{");
        w.line("static const mt_dims flat = {1, 1, 1, " + count + "};");
        w.line("mt_add_grad_input_f32(&flat, &flat, " + dy + ", " + grad(r.input()) + ");");
        w.close("}");
      }
      return;
    }
    if (op instanceof Op.Pad p) {
      if (program.needsGrad(p.input())) {
        contributeTo(w, zeroed, p.input());
        w.line("mt_pad_grad_input_f32(&" + n + "_params, &" + n + "_in_dims, &" + n
            + "_out_dims, " + dy + ", " + grad(p.input()) + ");");
      }
      return;
    }
    w.line("mt_mask_grad_bits_f32((const uint8_t *)(a + " + plan.maskOffset(i) + "), " + count
        + ", " + dy + ", " + dy + ");");
    if (op instanceof Op.Mean m) {
      if (program.needsGrad(m.input())) {
        contributeTo(w, zeroed, m.input());
        w.line("mt_mean_hw_grad_input_f32(&" + n + "_in_dims, " + dy + ", " + grad(m.input())
            + ");");
      }
      return;
    }
    if (op instanceof Op.Pool2D p) {
      if (program.needsGrad(p.input())) {
        contributeTo(w, zeroed, p.input());
        w.line("mt_avg_pool2d_grad_input_f32(&" + n + "_params, &" + n + "_in_dims, &" + n
            + "_out_dims, " + dy + ", " + grad(p.input()) + ");");
      }
      return;
    }
    if (op instanceof Op.Add a) {
      if (program.needsGrad(a.input1())) {
        contributeTo(w, zeroed, a.input1());
        w.line("mt_add_grad_input_f32(&" + n + "_in1_dims, &" + n + "_out_dims, " + dy + ", "
            + grad(a.input1()) + ");");
      }
      if (program.needsGrad(a.input2())) {
        contributeTo(w, zeroed, a.input2());
        w.line("mt_add_grad_input_f32(&" + n + "_in2_dims, &" + n + "_out_dims, " + dy + ", "
            + grad(a.input2()) + ");");
      }
      return;
    }
    int x = op.inputs().get(0);
    Tensor xt = graph.tensor(x);
    int oc = outChannels(op);
    boolean split = sliced(i) && !assemblesBackward(i);
    if (sliced(i) && !split) {
      assemble(w, i, true);
    }
    if (split) {
      int k = program.updates().get(i).weightChannels();
      String flash = names.opConst(i, "filter");
      if (program.needsGrad(x)) {
        contributeTo(w, zeroed, x);
        if (op instanceof Op.FullyConnected) {
          KernelParams.FullyConnected fp = (KernelParams.FullyConnected) params.get(i);
          w.line("mt_fully_connected_grad_input_split_f32(" + fp.batches() + ", " + fp.depth()
              + ", " + fp.units() + ", " + n + "_w_scale, 1, " + flash + ", " + sramWeights(i)
              + ", " + k + ", " + dy + ", " + grad(x) + ");");
        } else {
          String fn = op instanceof Op.Conv2D ? "mt_conv2d_grad_input_split_f32"
              : "mt_depthwise_grad_input_split_f32";
          w.line(fn + "(&" + n + "_params, " + n + "_w_scale, 1, &" + n + "_in_dims, &" + n
              + "_filter_dims, " + flash + ", " + sramWeights(i) + ", " + k + ", &" + n
              + "_out_dims, " + dy + ", " + grad(x) + ");");
        }
      }
    } else if (program.needsGrad(x)) {
      contributeTo(w, zeroed, x);
      if (op instanceof Op.FullyConnected) {
        KernelParams.FullyConnected fp = (KernelParams.FullyConnected) params.get(i);
        w.line("mt_fully_connected_grad_input_f32(" + fp.batches() + ", " + fp.depth() + ", "
            + fp.units() + ", " + n + "_w_scale, 1, " + backwardFilter(i) + ", " + dy + ", "
            + grad(x) + ");");
      } else {
        String fn = op instanceof Op.Conv2D ? "mt_conv2d_grad_input_f32"
            : "mt_depthwise_grad_input_f32";
        w.line(fn + "(&" + n + "_params, " + n + "_w_scale, 1, &" + n + "_in_dims, &" + n
            + "_filter_dims, " + backwardFilter(i) + ", &" + n + "_out_dims, " + dy + ", "
            + grad(x) + ");");
      }
    }
    TrainingProgram.LayerUpdate u = program.updates().get(i);
    if (u == null) {
      return;
    }
    if (accumulate() > 1) {
      accumulateAndApply(w, i, op, u, count / oc, oc);
      storeSlice(w, i);
      return;
    }
    String bias = biasInSram(i) ? sramBias(i) : "0";
    if (u.weightChannels() == 0) {
      if (biasInSram(i)) {
        long positions = count / oc;
        w.line("mt_bias_update_s32(&" + n + "_update, " + positions + ", " + oc + ", " + dy + ", "
            + bias + ", &rng);");
      }
      return;
    }
    long slice = plan.sliceOffset(i);
    String xs = floatLit(xt.q().scale());
    int xzp = xt.q().zeroPoint();
    if (op instanceof Op.FullyConnected) {
      KernelParams.FullyConnected fp = (KernelParams.FullyConnected) params.get(i);
      String xp = slice >= 0 ? "a + " + slice : ptr(x);
      w.line("mt_fully_connected_update_s8(&" + n + "_update, " + fp.batches() + ", "
          + (split ? u.weightChannels() : fp.depth()) + ", " + fp.units() + ", " + xp + ", "
          + xs + ", " + xzp + ", "
          + backwardFilter(i) + ", " + u.weightChannels() + ", " + dy + ", " + bias
          + ", &rng);");
      storeSlice(w, i);
      return;
    }
    String fn = op instanceof Op.Conv2D ? "mt_conv2d_update_s8"
        : split ? "mt_depthwise_update_slice_s8" : "mt_depthwise_update_s8";
    String xd = slice >= 0 ? "&" + n + "_x_dims" : "&" + n + "_in_dims";
    String xp = slice >= 0 ? "a + " + slice : ptr(x);
    String fd = split && op instanceof Op.Conv2D ? "_slice_dims" : "_filter_dims";
    w.line(fn + "(&" + n + "_params, &" + n + "_update, " + xd + ", " + xp + ", " + xs + ", "
        + xzp + ", &" + n + fd + ", " + backwardFilter(i) + ", " + u.weightChannels()
        + ", &" + n + "_out_dims, " + dy + ", " + bias + ", &rng);");
    storeSlice(w, i);
  }

  /** After a sliced layer's update: its updated channels back into the SRAM slice. */
  private void storeSlice(CWriter w, int i) {
    if (sliced(i) && assemblesBackward(i)) {
      w.line("copy_channels(" + assembled(i, true) + ", " + StateLayout.filterRows(graph, i)
          + ", " + StateLayout.filterDepth(graph, i) + ", "
          + program.updates().get(i).weightChannels() + ", " + sramWeights(i) + ");");
    }
  }

  /** --accumulate B: add this sample's gradients, and apply their mean on the B-th sample. */
  private void accumulateAndApply(CWriter w, int i, Op op, TrainingProgram.LayerUpdate u,
      long positions, int oc) {
    String n = opName(i);
    String dy = grad(op.output());
    int x = op.inputs().get(0);
    Tensor xt = graph.tensor(x);
    String xs = floatLit(xt.q().scale());
    int xzp = xt.q().zeroPoint();
    long slice = plan.sliceOffset(i);
    String xp = slice >= 0 ? "a + " + slice : ptr(x);
    int ch = u.weightChannels();
    if (ch > 0) {
      if (op instanceof Op.FullyConnected) {
        KernelParams.FullyConnected fp = (KernelParams.FullyConnected) params.get(i);
        w.line("mt_fully_connected_grad_weight_acc_f32(" + fp.batches() + ", " + fp.depth()
            + ", " + fp.units() + ", " + xp + ", " + xs + ", " + xzp + ", " + ch + ", " + dy
            + ", " + accWeights(i) + ");");
      } else {
        String fn = op instanceof Op.Conv2D ? "mt_conv2d_grad_weight_acc_f32"
            : "mt_depthwise_grad_weight_acc_f32";
        String xd = slice >= 0 ? "&" + n + "_x_dims" : "&" + n + "_in_dims";
        w.line(fn + "(&" + n + "_params, " + xd + ", " + xp + ", " + xs + ", " + xzp + ", &" + n
            + "_filter_dims, " + ch + ", &" + n + "_out_dims, " + dy + ", " + accWeights(i)
            + ");");
      }
    }
    if (biasInSram(i)) {
      w.line("mt_bias_grad_acc_f32(" + positions + ", " + oc + ", " + dy + ", " + accBias(i)
          + ");");
    }
    w.open("if (apply) {");
    if (ch > 0) {
      if (op instanceof Op.FullyConnected) {
        KernelParams.FullyConnected fp = (KernelParams.FullyConnected) params.get(i);
        w.line("mt_fully_connected_apply_acc_s8(&" + n + "_update, " + accumulate() + ", "
            + fp.depth() + ", " + fp.units() + ", " + backwardFilter(i) + ", " + ch + ", "
            + accWeights(i) + ", &rng);");
      } else {
        String fn = op instanceof Op.Conv2D ? "mt_conv2d_apply_acc_s8"
            : "mt_depthwise_apply_acc_s8";
        w.line(fn + "(&" + n + "_update, " + accumulate() + ", &" + n + "_filter_dims, "
            + backwardFilter(i) + ", " + ch + ", " + accWeights(i) + ", &rng);");
      }
    }
    if (biasInSram(i)) {
      w.line("mt_bias_apply_acc_s32(&" + n + "_update, " + accumulate() + ", " + oc + ", "
          + sramBias(i) + ", " + accBias(i) + ", &rng);");
    }
    w.close("}");
  }

  private void infer(CWriter w) {
    w.open("int " + names.fn("infer") + "(const int8_t *in, float *logits) {");
    w.open("if (in == 0 || logits == 0) {").line("return MT_ERR_ARG;").close("}");
    w.open("if (forward(in, 0) != 0) {").line("return MT_ERR_ARG;").close("}");
    w.line("compute_logits(logits);");
    w.line("return MT_OK;");
    w.close("}").line();
  }

  private String stateRef(StateLayout.Item item) {
    return switch (item.kind()) {
      case WEIGHTS -> sramWeights(item.op());
      case BIAS -> sramBias(item.op());
      case HEAD_WEIGHTS -> "head_weights";
      case HEAD_BIAS -> "head_bias";
      case PRNG -> "&rng";
      case STEP -> "&step";
      case ACC_WEIGHTS -> String.format(Locale.ROOT, "acc_op%02d_weights", item.op());
      case ACC_BIAS -> String.format(Locale.ROOT, "acc_op%02d_bias", item.op());
      case ACC_HEAD_WEIGHTS -> "acc_head_weights";
      case ACC_HEAD_BIAS -> "acc_head_bias";
    };
  }

  private void stateFunctions(CWriter w) {
    String size = names.macro("STATE_SIZE");
    String modelId = "0x" + Integer.toHexString(state.modelId()) + "u";
    w.open("size_t " + names.fn("state_size") + "(void) {");
    w.line("return " + size + ";");
    w.close("}").line();
    w.line("/* Layout: \"MTS1\", u32 version, u32 model id, u32 payload bytes; the payload; u32 "
        + "CRC-32. */");
    w.open("void " + names.fn("state_export") + "(void *dst) {");
    w.line("uint8_t *const p = (uint8_t *)dst;");
    w.line("uint8_t *q = p + " + StateLayout.HEADER_BYTES + ";");
    w.open("if (dst == 0) {").line("return;").close("}");
    w.line("p[0] = 'M';").line("p[1] = 'T';").line("p[2] = 'S';").line("p[3] = '1';");
    w.line("mt_store_u32le(p + 4, " + StateLayout.VERSION + "u);");
    w.line("mt_store_u32le(p + 8, " + modelId + ");");
    w.line("mt_store_u32le(p + 12, " + state.payloadBytes() + "u);");
    for (StateLayout.Item item : state.items()) {
      if (item.kind() == StateLayout.Kind.STEP) {
        w.line("mt_store_u32le(q, step);");
        w.line("q += 4;");
      } else if (item.kind() == StateLayout.Kind.PRNG) {
        w.line("mt_store_u32le(q, (uint32_t)rng.state);");
        w.line("mt_store_u32le(q + 4, (uint32_t)(rng.state >> 32));");
        w.line("mt_store_u32le(q + 8, (uint32_t)rng.inc);");
        w.line("mt_store_u32le(q + 12, (uint32_t)(rng.inc >> 32));");
        w.line("q += 16;");
      } else {
        w.line("mt_copy(q, " + stateRef(item) + ", " + item.bytes() + ");");
        w.line("q += " + item.bytes() + ";");
      }
    }
    w.line("mt_store_u32le(q, mt_crc32(0u, p, (int32_t)(q - p)));");
    w.close("}").line();
    w.open("uint32_t " + names.fn("state_checksum") + "(void) {");
    w.line("uint8_t b[16];");
    w.line("uint32_t crc;");
    w.line("b[0] = 'M';").line("b[1] = 'T';").line("b[2] = 'S';").line("b[3] = '1';");
    w.line("mt_store_u32le(b + 4, " + StateLayout.VERSION + "u);");
    w.line("mt_store_u32le(b + 8, " + modelId + ");");
    w.line("mt_store_u32le(b + 12, " + state.payloadBytes() + "u);");
    w.line("crc = mt_crc32(0u, b, 16);");
    for (StateLayout.Item item : state.items()) {
      if (item.kind() == StateLayout.Kind.STEP) {
        w.line("mt_store_u32le(b, step);");
        w.line("crc = mt_crc32(crc, b, 4);");
      } else if (item.kind() == StateLayout.Kind.PRNG) {
        w.line("mt_store_u32le(b, (uint32_t)rng.state);");
        w.line("mt_store_u32le(b + 4, (uint32_t)(rng.state >> 32));");
        w.line("mt_store_u32le(b + 8, (uint32_t)rng.inc);");
        w.line("mt_store_u32le(b + 12, (uint32_t)(rng.inc >> 32));");
        w.line("crc = mt_crc32(crc, b, 16);");
      } else {
        w.line("crc = mt_crc32(crc, " + stateRef(item) + ", " + item.bytes() + ");");
      }
    }
    w.line("mt_store_u32le(b, crc); /* the blob ends with the CRC of what precedes it */");
    w.line("return mt_crc32(crc, b, 4);");
    w.close("}").line();
    w.open("int " + names.fn("state_import") + "(const void *src, size_t n) {");
    w.line("const uint8_t *const p = (const uint8_t *)src;");
    w.line("const uint8_t *q = p + " + StateLayout.HEADER_BYTES + ";");
    w.line("const int32_t body = " + (StateLayout.HEADER_BYTES + state.payloadBytes()) + ";");
    w.open("if (src == 0) {").line("return MT_ERR_ARG;").close("}");
    w.open("if (n != " + size + ") {").line("return MT_ERR_SIZE;").close("}");
    w.open("if (p[0] != 'M' || p[1] != 'T' || p[2] != 'S' || p[3] != '1' ||");
    w.line("    mt_load_u32le(p + 4) != " + StateLayout.VERSION + "u || mt_load_u32le(p + 8) != "
        + modelId + " ||");
    w.line("    mt_load_u32le(p + 12) != " + state.payloadBytes() + "u) {");
    w.line("return MT_ERR_CORRUPT;");
    w.close("}");
    w.open("if (mt_crc32(0u, p, body) != mt_load_u32le(p + body)) {")
        .line("return MT_ERR_CORRUPT;").close("}");
    for (StateLayout.Item item : state.items()) {
      if (item.kind() == StateLayout.Kind.STEP) {
        w.line("step = mt_load_u32le(q);");
        w.line("q += 4;");
      } else if (item.kind() == StateLayout.Kind.PRNG) {
        w.line("rng.state = (uint64_t)mt_load_u32le(q) | ((uint64_t)mt_load_u32le(q + 4) << 32);");
        w.line("rng.inc = (uint64_t)mt_load_u32le(q + 8) | ((uint64_t)mt_load_u32le(q + 12) << "
            + "32);");
        w.line("q += 16;");
      } else {
        w.line("mt_copy(" + stateRef(item) + ", q, " + item.bytes() + ");");
        w.line("q += " + item.bytes() + ";");
      }
    }
    w.line("return MT_OK;");
    w.close("}");
  }
}
