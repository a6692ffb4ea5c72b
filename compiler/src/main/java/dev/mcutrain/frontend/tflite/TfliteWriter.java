package dev.mcutrain.frontend.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.mcutrain.McuTrainException;
import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.ConstData;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Shape;
import dev.mcutrain.ir.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.AddOptions;
import org.tensorflow.lite.schema.Buffer;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.FullyConnectedOptionsWeightsFormat;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.PadOptions;
import org.tensorflow.lite.schema.Pool2DOptions;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.ReducerOptions;
import org.tensorflow.lite.schema.ReshapeOptions;
import org.tensorflow.lite.schema.SoftmaxOptions;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.TensorType;

/**
 * Writes an IR {@link Graph} as a standard TFLite flatbuffer (schema version 3, identifier
 * {@code TFL3}) that TFLite, TFLite Micro and other TFLite tools can load.
 *
 * <p>The file follows the converters' conventions: buffer 0 is the empty sentinel, every constant
 * tensor has its own 16-byte aligned buffer and activations use buffer 0; there is one subgraph,
 * one operator code per builtin (with both {@code builtin_code} and {@code
 * deprecated_builtin_code} set) and every operator carries its builtin options.
 *
 * <p>IR tensor {@code i} is file tensor {@code i}. RESHAPE, MEAN and PAD take a constant operand
 * in TFLite (new shape, axes, paddings) that the IR keeps as an attribute: the writer reuses a
 * graph tensor that no IR operator reads and that holds exactly that operand (as {@link
 * TfliteReader} leaves them in the graph; int32 or int64), and otherwise appends a new int32
 * tensor after the IR tensors. So a model read from a file reads back equal (unless, say, its
 * RESHAPE shape says -1, which is not matched), and a graph built in memory reads back with its
 * tensors, operators, inputs and outputs unchanged plus the appended operands.
 *
 * <p>The written bytes are read back before they are returned: a graph that mcutrain could not
 * read back identically (e.g. a float convolution or an int8 activation without quantization)
 * gives a one-line {@link McuTrainException} instead of a file.
 */
public final class TfliteWriter {
  /** The TFLite schema version written in the model. */
  static final int SCHEMA_VERSION = 3;
  /** The model description. */
  static final String DESCRIPTION = "mcutrain";
  /** Constant buffers start at multiples of this, as the TFLite converter aligns them. */
  static final int BUFFER_ALIGNMENT = 16;

  private TfliteWriter() {}

  /** Writes {@code g} to {@code path} (replacing it). */
  public static void write(Graph g, Path path) {
    byte[] bytes = write(g);
    try {
      Files.write(path, bytes);
    } catch (NoSuchFileException e) {
      throw new McuTrainException(path + ": cannot write (no such directory)");
    } catch (AccessDeniedException e) {
      throw new McuTrainException(path + ": cannot write (permission denied)");
    } catch (FileSystemException e) {
      throw new McuTrainException(path + ": cannot write ("
          + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName()) + ")");
    } catch (IOException e) {
      throw new McuTrainException(path + ": cannot write (" + e.getMessage() + ")");
    }
  }

  /** The TFLite file of {@code g}. The same graph always gives the same bytes. */
  public static byte[] write(Graph g) {
    String name = g.name() == null || g.name().isEmpty() ? "main" : g.name();
    String where = "graph '" + name + "'";
    validate(g, where);
    byte[] bytes = new Emitter(g, name).emit();
    Graph back;
    try {
      back = TfliteReader.read(bytes, name, where);
    } catch (ModelFormatException e) {
      throw new McuTrainException("cannot write " + e.getMessage());
    }
    checkReadsBack(g, back, where);
    return bytes;
  }

  // ---------------------------------------------------------------- validation

  private static McuTrainException error(String where, String msg) {
    return new McuTrainException("cannot write " + where + ": " + msg);
  }

  /** Checks what the writer itself relies on; operator semantics are checked by reading back. */
  private static void validate(Graph g, String where) {
    int n = g.tensors().size();
    for (Tensor t : g.tensors()) {
      String tn = "tensor " + t.id() + " ('" + t.name() + "')";
      if (t.name() == null || t.dtype() == null || t.shape() == null || t.quant() == null
          || t.data() == null) {
        throw error(where, "tensor " + t.id() + " has a null field");
      }
      if (t.data().isPresent() && t.data().get().byteLength() != t.byteSize()) {
        throw error(where, tn + " has " + t.data().get().byteLength() + " bytes of data but "
            + "its shape " + t.shape() + " needs " + t.byteSize());
      }
      if (t.quant().isPresent()) {
        QuantParams q = t.quant().get();
        int axis = q.axis();
        if (q.isPerChannel()
            && (axis < 0 || axis >= t.shape().rank() || t.shape().dim(axis) != q.channelCount())) {
          throw error(where, tn + " has " + q.channelCount() + " per-channel scales that do not "
              + "match axis " + axis + " of shape " + t.shape());
        }
        if (!q.isPerChannel() && axis != 0) {
          throw error(where, tn + " has per-tensor quantization with axis " + axis
              + " (must be 0)");
        }
      }
    }
    if (g.inputs().isEmpty() || g.outputs().isEmpty()) {
      throw error(where, "the graph needs at least one input and one output");
    }
    for (int id : g.inputs()) {
      checkId(id, n, where, "graph input");
    }
    for (int id : g.outputs()) {
      checkId(id, n, where, "graph output");
    }
    for (int i = 0; i < g.ops().size(); i++) {
      Op op = g.ops().get(i);
      String on = "operator " + i + " (" + op.kind() + ")";
      for (int id : op.inputs()) {
        checkId(id, n, where, on + " input");
      }
      checkId(op.output(), n, where, on + " output");
      for (int id : ioOf(op)) {
        Tensor t = g.tensor(id);
        if (t.dtype() == DType.INT8 && t.quant().isEmpty()) {
          throw error(where, on + ": int8 tensor " + id + " ('" + t.name() + "') has no "
              + "quantization");
        }
      }
      if (op instanceof Op.Pad p && p.before().length() != p.after().length()) {
        throw error(where, on + " has " + p.before().length() + " paddings before but "
            + p.after().length() + " after");
      }
    }
  }

  private static void checkId(int id, int n, String where, String what) {
    if (id < 0 || id >= n) {
      throw error(where, what + " is tensor " + id + " of " + n);
    }
  }

  private static List<Integer> ioOf(Op op) {
    List<Integer> ids = new ArrayList<>(op.inputs());
    ids.add(op.output());
    return ids;
  }

  /** The read-back graph must equal {@code g}, up to appended auxiliary tensors. */
  private static void checkReadsBack(Graph g, Graph back, String where) {
    for (Tensor t : g.tensors()) {
      Tensor r = back.tensor(t.id());
      if (!r.equals(t)) {
        throw error(where, "tensor " + t.id() + " ('" + t.name() + "') would read back "
            + "differently (" + difference(t, r) + ")");
      }
    }
    for (int i = 0; i < g.ops().size(); i++) {
      if (!back.ops().get(i).equals(g.ops().get(i))) {
        throw error(where, "operator " + i + " (" + g.ops().get(i).kind() + ") would read back "
            + "as " + back.ops().get(i));
      }
    }
    if (!back.inputs().equals(g.inputs()) || !back.outputs().equals(g.outputs())) {
      throw error(where, "the graph inputs or outputs would read back differently");
    }
  }

  private static String difference(Tensor t, Tensor r) {
    if (!t.quant().equals(r.quant())) {
      return "quantization " + t.quant().map(Object::toString).orElse("none") + " becomes "
          + r.quant().map(Object::toString).orElse("none");
    }
    if (t.isConstant() != r.isConstant()) {
      return t.isConstant() ? "its data is lost" : "it gains data";
    }
    return "name, type, shape or data changes";
  }

  // ---------------------------------------------------------------- emission

  /** One tensor of the file: an IR tensor, or an auxiliary operand appended by the writer. */
  private record FileTensor(String name, DType dtype, Shape shape, Optional<QuantParams> quant,
      Optional<ConstData> data) {}

  /**
   * One operator of the file: its TFLite operands, and the builtin options table, written when
   * {@code options} runs ({@code null} for none).
   */
  private record FileOp(Op op, int builtin, int version, int[] inputs, byte optionsType,
      IntSupplier options) {}

  private static final class Emitter {
    private final Graph g;
    private final String name;
    private final List<FileTensor> tensors = new ArrayList<>();
    private final List<FileOp> ops = new ArrayList<>();
    /** IR tensors that no IR operator reads and that are neither graph inputs nor outputs. */
    private final BitSet auxCandidates = new BitSet();
    /** Auxiliary candidates already used as an operand of some operator. */
    private final BitSet auxUsed = new BitSet();
    private final FlatBufferBuilder b;

    Emitter(Graph g, String name) {
      this.g = g;
      this.name = name;
      long constBytes = 0;
      for (Tensor t : g.tensors()) {
        tensors.add(new FileTensor(t.name(), t.dtype(), t.shape(), t.quant(), t.data()));
        constBytes += t.data().map(ConstData::byteLength).orElse(0);
      }
      this.b = new FlatBufferBuilder((int) Math.min(constBytes * 5 / 4 + 4096, 1 << 30));
      auxCandidates.set(0, g.tensors().size());
      for (Op op : g.ops()) {
        ioOf(op).forEach(auxCandidates::clear);
      }
      g.inputs().forEach(auxCandidates::clear);
      g.outputs().forEach(auxCandidates::clear);
      auxCandidates.stream()
          .filter(i -> !g.tensor(i).isConstant())
          .forEach(auxCandidates::clear);
    }

    byte[] emit() {
      for (Op op : g.ops()) {
        ops.add(fileOp(op));
      }
      int[] bufferOf = new int[tensors.size()];
      List<Integer> buffers = new ArrayList<>();
      Buffer.startBuffer(b);
      buffers.add(Buffer.endBuffer(b));
      for (int i = 0; i < tensors.size(); i++) {
        Optional<ConstData> data = tensors.get(i).data();
        if (data.isPresent()) {
          bufferOf[i] = buffers.size();
          buffers.add(buffer(data.get()));
        }
      }
      int[] tensorOffsets = new int[tensors.size()];
      for (int i = 0; i < tensors.size(); i++) {
        tensorOffsets[i] = tensor(tensors.get(i), bufferOf[i]);
      }
      Map<Integer, Integer> codeIndex = new LinkedHashMap<>();
      Map<Integer, Integer> codeVersion = new LinkedHashMap<>();
      for (FileOp op : ops) {
        codeIndex.putIfAbsent(op.builtin(), codeIndex.size());
        codeVersion.merge(op.builtin(), op.version(), Math::max);
      }
      int[] opOffsets = new int[ops.size()];
      for (int i = 0; i < ops.size(); i++) {
        opOffsets[i] = operator(ops.get(i), codeIndex.get(ops.get(i).builtin()));
      }
      int[] codeOffsets = new int[codeIndex.size()];
      for (Map.Entry<Integer, Integer> e : codeIndex.entrySet()) {
        int code = e.getKey();
        codeOffsets[e.getValue()] = OperatorCode.createOperatorCode(b,
            (byte) Math.min(code, BuiltinOperator.PLACEHOLDER_FOR_GREATER_OP_CODES), 0,
            codeVersion.get(code), code);
      }
      int sgTensors = SubGraph.createTensorsVector(b, tensorOffsets);
      int sgInputs = SubGraph.createInputsVector(b, ints(g.inputs()));
      int sgOutputs = SubGraph.createOutputsVector(b, ints(g.outputs()));
      int sgOps = SubGraph.createOperatorsVector(b, opOffsets);
      int sgName = b.createString(name);
      int subgraph = SubGraph.createSubGraph(b, sgTensors, sgInputs, sgOutputs, sgOps, sgName);
      int codes = Model.createOperatorCodesVector(b, codeOffsets);
      int subgraphs = Model.createSubgraphsVector(b, new int[] {subgraph});
      int description = b.createString(DESCRIPTION);
      int bufferVector = Model.createBuffersVector(b, ints(buffers));
      Model.startModel(b);
      Model.addVersion(b, SCHEMA_VERSION);
      Model.addOperatorCodes(b, codes);
      Model.addSubgraphs(b, subgraphs);
      Model.addDescription(b, description);
      Model.addBuffers(b, bufferVector);
      Model.finishModelBuffer(b, Model.endModel(b));
      return b.sizedByteArray();
    }

    private static int[] ints(List<Integer> list) {
      return list.stream().mapToInt(Integer::intValue).toArray();
    }

    private int buffer(ConstData data) {
      byte[] bytes = data.toByteArray();
      ByteBuffer bb = b.createUnintializedVector(1, bytes.length, BUFFER_ALIGNMENT);
      bb.put(bytes);
      int vector = b.endVector();
      return Buffer.createBuffer(b, vector);
    }

    private int tensor(FileTensor t, int buffer) {
      int tname = b.createString(t.name());
      int shape = org.tensorflow.lite.schema.Tensor.createShapeVector(b,
          t.shape().dims().toArray());
      int quant = t.quant().map(this::quantization).orElse(0);
      org.tensorflow.lite.schema.Tensor.startTensor(b);
      org.tensorflow.lite.schema.Tensor.addShape(b, shape);
      org.tensorflow.lite.schema.Tensor.addType(b, tensorType(t.dtype()));
      org.tensorflow.lite.schema.Tensor.addBuffer(b, buffer);
      org.tensorflow.lite.schema.Tensor.addName(b, tname);
      if (t.quant().isPresent()) {
        org.tensorflow.lite.schema.Tensor.addQuantization(b, quant);
      }
      return org.tensorflow.lite.schema.Tensor.endTensor(b);
    }

    private int quantization(QuantParams q) {
      float[] scales = new float[q.channelCount()];
      long[] zeroPoints = new long[q.channelCount()];
      for (int c = 0; c < scales.length; c++) {
        scales[c] = q.scale(c);
        zeroPoints[c] = q.zeroPoint(c);
      }
      int scale = QuantizationParameters.createScaleVector(b, scales);
      int zeroPoint = QuantizationParameters.createZeroPointVector(b, zeroPoints);
      QuantizationParameters.startQuantizationParameters(b);
      QuantizationParameters.addScale(b, scale);
      QuantizationParameters.addZeroPoint(b, zeroPoint);
      QuantizationParameters.addQuantizedDimension(b, q.axis());
      return QuantizationParameters.endQuantizationParameters(b);
    }

    private static byte tensorType(DType t) {
      return switch (t) {
        case INT8 -> TensorType.INT8;
        case INT16 -> TensorType.INT16;
        case INT32 -> TensorType.INT32;
        case INT64 -> TensorType.INT64;
        case FLOAT32 -> TensorType.FLOAT32;
      };
    }

    // ---------------------------------------------------------------- operators

    /**
     * The file form of {@code op}: builtin code, version, TFLite operands and options. The
     * version is the one TFLite's converter records for the int8 form of the operator (TFLite
     * Micro ignores versions; TFLite uses them to pick a kernel).
     */
    private FileOp fileOp(Op op) {
      int[] in = ints(op.inputs());
      if ((op instanceof Op.Conv2D c && c.explicitPad() != null)
          || (op instanceof Op.DepthwiseConv2D d && d.explicitPad() != null)) {
        throw new McuTrainException("a " + op.kind() + " with a folded PAD (explicit padding) "
            + "has no .tflite form; write the graph before dev.mcutrain.passes.FoldPad");
      }
      if (op instanceof Op.Conv2D c) {
        return new FileOp(op, BuiltinOperator.CONV_2D, 3, in, BuiltinOptions.Conv2DOptions,
            () -> Conv2DOptions.createConv2DOptions(b, padding(c.padding()), c.strideW(),
                c.strideH(), activation(c.activation()), 1, 1));
      }
      if (op instanceof Op.DepthwiseConv2D c) {
        return new FileOp(op, BuiltinOperator.DEPTHWISE_CONV_2D, 3, in,
            BuiltinOptions.DepthwiseConv2DOptions,
            () -> DepthwiseConv2DOptions.createDepthwiseConv2DOptions(b, padding(c.padding()),
                c.strideW(), c.strideH(), c.depthMultiplier(), activation(c.activation()), 1,
                1));
      }
      if (op instanceof Op.FullyConnected f) {
        boolean keep = keepNumDims(f);
        return new FileOp(op, BuiltinOperator.FULLY_CONNECTED, keep ? 5 : 4, in,
            BuiltinOptions.FullyConnectedOptions,
            () -> FullyConnectedOptions.createFullyConnectedOptions(b,
                activation(f.activation()), FullyConnectedOptionsWeightsFormat.DEFAULT, keep,
                false));
      }
      if (op instanceof Op.Add a) {
        return new FileOp(op, BuiltinOperator.ADD, 2, in, BuiltinOptions.AddOptions,
            () -> AddOptions.createAddOptions(b, activation(a.activation()), false));
      }
      if (op instanceof Op.Pool2D p) {
        return new FileOp(op,
            p.max() ? BuiltinOperator.MAX_POOL_2D : BuiltinOperator.AVERAGE_POOL_2D, 2, in,
            BuiltinOptions.Pool2DOptions,
            () -> Pool2DOptions.createPool2DOptions(b, padding(p.padding()), p.strideW(),
                p.strideH(), p.filterW(), p.filterH(), activation(p.activation())));
      }
      if (op instanceof Op.Mean m) {
        int axes = auxOperand(m, Shape.of(m.axes().length()), m.axes().toArray(), "axes");
        return new FileOp(op, BuiltinOperator.MEAN, 2, new int[] {m.input(), axes},
            BuiltinOptions.ReducerOptions,
            () -> ReducerOptions.createReducerOptions(b, m.keepDims()));
      }
      if (op instanceof Op.Reshape r) {
        int[] dims = g.tensor(r.output()).shape().dims().toArray();
        // A rank-0 shape operand would be an empty, hence non-constant, buffer: options only.
        int[] operands = dims.length == 0 ? new int[] {r.input()}
            : new int[] {r.input(), auxOperand(r, Shape.of(dims.length), dims, "shape")};
        return new FileOp(op, BuiltinOperator.RESHAPE, 1, operands, BuiltinOptions.ReshapeOptions,
            () -> ReshapeOptions.createReshapeOptions(b,
                ReshapeOptions.createNewShapeVector(b, dims)));
      }
      if (op instanceof Op.Softmax s) {
        return new FileOp(op, BuiltinOperator.SOFTMAX, 2, in, BuiltinOptions.SoftmaxOptions,
            () -> SoftmaxOptions.createSoftmaxOptions(b, s.beta()));
      }
      if (op instanceof Op.Pad p) {
        int paddings = auxOperand(p, Shape.of(p.before().length(), 2), paddings(p),
            "paddings");
        return new FileOp(op, BuiltinOperator.PAD, 2, new int[] {p.input(), paddings},
            BuiltinOptions.PadOptions, () -> {
              PadOptions.startPadOptions(b);
              return PadOptions.endPadOptions(b);
            });
      }
      if (op instanceof Op.Quantize) {
        return new FileOp(op, BuiltinOperator.QUANTIZE, 2, in, BuiltinOptions.NONE, null);
      }
      if (op instanceof Op.Dequantize) {
        return new FileOp(op, BuiltinOperator.DEQUANTIZE, 2, in, BuiltinOptions.NONE, null);
      }
      throw new IllegalArgumentException("unknown operator " + op.kind());
    }

    private static int[] paddings(Op.Pad p) {
      int[] v = new int[2 * p.before().length()];
      for (int i = 0; i < p.before().length(); i++) {
        v[2 * i] = p.before().get(i);
        v[2 * i + 1] = p.after().get(i);
      }
      return v;
    }

    /**
     * The id of a constant operand holding {@code values}: preferably an auxiliary tensor of the
     * graph with exactly this content (int32 or int64) that no other operator uses yet, else one
     * that another operator uses too, else a new int32 tensor appended to the file.
     */
    private int auxOperand(Op op, Shape shape, int[] values, String suffix) {
      int reusable = -1;
      for (int i = auxCandidates.nextSetBit(0); i >= 0; i = auxCandidates.nextSetBit(i + 1)) {
        if (holds(g.tensor(i), shape, values)) {
          if (!auxUsed.get(i)) {
            reusable = i;
            break;
          }
          if (reusable < 0) {
            reusable = i;
          }
        }
      }
      if (reusable >= 0) {
        auxUsed.set(reusable);
        return reusable;
      }
      tensors.add(new FileTensor(g.tensor(op.output()).name() + "/" + suffix, DType.INT32,
          shape, Optional.empty(), Optional.of(ConstData.ofInt32(values))));
      return tensors.size() - 1;
    }

    private static boolean holds(Tensor t, Shape shape, int[] values) {
      if (!t.shape().equals(shape)
          || (t.dtype() != DType.INT32 && t.dtype() != DType.INT64)) {
        return false;
      }
      ConstData d = t.data().orElseThrow();
      for (int i = 0; i < values.length; i++) {
        long v = t.dtype() == DType.INT32 ? d.int32(i) : d.int64(i);
        if (v != values[i]) {
          return false;
        }
      }
      return true;
    }

    private int operator(FileOp fop, int opcodeIndex) {
      int inputs = Operator.createInputsVector(b, fop.inputs());
      int outputs = Operator.createOutputsVector(b, new int[] {fop.op().output()});
      int options = fop.options() == null ? 0 : fop.options().getAsInt();
      Operator.startOperator(b);
      Operator.addOpcodeIndex(b, opcodeIndex);
      Operator.addInputs(b, inputs);
      Operator.addOutputs(b, outputs);
      if (fop.optionsType() != BuiltinOptions.NONE) {
        Operator.addBuiltinOptionsType(b, fop.optionsType());
        Operator.addBuiltinOptions(b, options);
      }
      return Operator.endOperator(b);
    }

    /**
     * TFLite's FULLY_CONNECTED outputs {@code [rows, units]} unless {@code keep_num_dims} keeps
     * the input's leading dimensions; the flag is set when the output shape needs it.
     */
    private boolean keepNumDims(Op.FullyConnected f) {
      Shape in = g.tensor(f.input()).shape();
      Shape out = g.tensor(f.output()).shape();
      if (out.rank() == 2 || in.rank() != out.rank()) {
        return false;
      }
      for (int i = 0; i < in.rank() - 1; i++) {
        if (in.dim(i) != out.dim(i)) {
          return false;
        }
      }
      return true;
    }

    private static byte padding(Padding p) {
      return switch (p) {
        case SAME -> org.tensorflow.lite.schema.Padding.SAME;
        case VALID -> org.tensorflow.lite.schema.Padding.VALID;
      };
    }

    private static byte activation(Activation a) {
      return switch (a) {
        case NONE -> ActivationFunctionType.NONE;
        case RELU -> ActivationFunctionType.RELU;
        case RELU6 -> ActivationFunctionType.RELU6;
        case RELU_N1_TO_1 -> ActivationFunctionType.RELU_N1_TO_1;
      };
    }
  }
}
