package dev.mcutrain.frontend.tflite;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
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
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.tensorflow.lite.schema.ActivationFunctionType;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Conv2DOptions;
import org.tensorflow.lite.schema.DepthwiseConv2DOptions;
import org.tensorflow.lite.schema.FullyConnectedOptions;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.Operator;
import org.tensorflow.lite.schema.OperatorCode;
import org.tensorflow.lite.schema.Pool2DOptions;
import org.tensorflow.lite.schema.QuantizationParameters;
import org.tensorflow.lite.schema.ReducerOptions;
import org.tensorflow.lite.schema.SoftmaxOptions;
import org.tensorflow.lite.schema.SubGraph;
import org.tensorflow.lite.schema.TensorType;

/**
 * Reads a TFLite flatbuffer into the typed IR. Every read is bounds-checked: a corrupt, truncated
 * or hostile file gives a one-line {@link ModelFormatException}, never an unchecked exception, a
 * huge allocation or a hang. Operator semantics are validated in {@link OpBuilder}.
 */
public final class TfliteReader {
  /** Larger files are refused before they are read (no MCU model comes near this). */
  static final long MAX_FILE_BYTES = 256L << 20;

  private TfliteReader() {}

  /** Reads the model at {@code path}; the graph is named after the file. */
  public static Graph read(Path path) {
    byte[] bytes;
    try {
      long size = Files.size(path);
      if (size > MAX_FILE_BYTES) {
        throw new ModelFormatException(
            path + ": " + size + " bytes is too large for a microcontroller model");
      }
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(path + ": no such file");
    } catch (IOException e) {
      throw new ModelFormatException(path + ": cannot read (" + e.getMessage() + ")");
    }
    return read(bytes, modelName(path), path.toString());
  }

  /** Reads a model held in memory. {@code where} prefixes error messages. */
  public static Graph read(byte[] bytes, String name, String where) {
    try {
      return new TfliteReader.Parser(bytes, name, where).parse();
    } catch (ModelFormatException e) {
      throw e;
    } catch (IndexOutOfBoundsException
        | BufferUnderflowException
        | IllegalArgumentException
        | ArithmeticException
        | NegativeArraySizeException e) {
      throw new ModelFormatException(
          where + ": corrupt TFLite file (an offset or length points outside the file)");
    }
  }

  /** A C-identifier-safe model name derived from the file name. */
  public static String modelName(Path path) {
    String f = path.getFileName().toString();
    int dot = f.lastIndexOf('.');
    if (dot > 0) {
      f = f.substring(0, dot);
    }
    String id = f.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    if (id.isEmpty() || !Character.isLetter(id.charAt(0))) {
      id = "m_" + id;
    }
    return id;
  }

  private static final class Parser {
    private final ByteBuffer buf;
    private final int length;
    private final String name;
    private final String where;

    Parser(byte[] bytes, String name, String where) {
      this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      this.length = bytes.length;
      this.name = name;
      this.where = where;
    }

    private ModelFormatException error(String msg) {
      return new ModelFormatException(where + ": " + msg);
    }

    /** A vector length read from the file must fit in the file at the given element size. */
    private int checkedLength(int len, int elementBytes, String what) {
      if (len < 0 || (long) len * elementBytes > length) {
        throw error("corrupt TFLite file (" + what + " has an impossible length " + len + ")");
      }
      return len;
    }

    Graph parse() {
      if (length < 8) {
        throw error("not a TFLite model (file is only " + length + " bytes)");
      }
      if (!Model.ModelBufferHasIdentifier(buf)) {
        String id = new String(new byte[] {buf.get(4), buf.get(5), buf.get(6), buf.get(7)},
            java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "?");
        throw error("not a TFLite model (file identifier is '" + id + "', expected 'TFL3')");
      }
      int root = buf.getInt(0);
      if (root < 8 || root > length - 4) {
        throw error("corrupt TFLite file (root table offset " + root + " is out of range)");
      }
      Model model = Model.getRootAsModel(buf);
      int subgraphs = checkedLength(model.subgraphsLength(), 4, "subgraph list");
      if (subgraphs == 0) {
        throw error("corrupt TFLite file (no subgraph)");
      }
      SubGraph sg = model.subgraphs(0);
      int nTensors = checkedLength(sg.tensorsLength(), 4, "tensor list");
      int nBuffers = checkedLength(model.buffersLength(), 4, "buffer list");
      List<Tensor> tensors = new ArrayList<>(nTensors);
      for (int i = 0; i < nTensors; i++) {
        tensors.add(readTensor(model, sg.tensors(i), i, nBuffers));
      }
      ImmutableList<Integer> inputs = readIndexList(sg.inputsLength(), sg::inputs, nTensors,
          "subgraph input");
      ImmutableList<Integer> outputs = readIndexList(sg.outputsLength(), sg::outputs, nTensors,
          "subgraph output");
      if (inputs.isEmpty() || outputs.isEmpty()) {
        throw error("corrupt TFLite file (the subgraph has no inputs or no outputs)");
      }
      int nCodes = checkedLength(model.operatorCodesLength(), 4, "operator code list");
      int nOps = checkedLength(sg.operatorsLength(), 4, "operator list");
      OpBuilder builder = new OpBuilder(tensors, where);
      boolean[] available = new boolean[nTensors];
      for (int t : inputs) {
        available[t] = true;
      }
      for (Tensor t : tensors) {
        if (t.isConstant()) {
          available[t.id()] = true;
        }
      }
      List<Op> ops = new ArrayList<>(nOps);
      for (int i = 0; i < nOps; i++) {
        Operator op = sg.operators(i);
        long codeIndex = op.opcodeIndex();
        if (codeIndex < 0 || codeIndex >= nCodes) {
          throw error("corrupt TFLite file (operator " + i + " has opcode index " + codeIndex
              + " of " + nCodes + ")");
        }
        OperatorCode code = model.operatorCodes((int) codeIndex);
        int builtin = Math.max(code.builtinCode(), code.deprecatedBuiltinCode());
        String opName = builtinName(builtin);
        if (builtin == BuiltinOperator.CUSTOM) {
          opName = "CUSTOM(" + code.customCode() + ")";
        }
        int[] in = readOperands(op.inputsLength(), op::inputs, nTensors, i, "input");
        int[] out = readOperands(op.outputsLength(), op::outputs, nTensors, i, "output");
        for (int t : in) {
          if (t >= 0 && !available[t]) {
            throw error("operator " + i + " (" + opName + ") reads tensor " + t
                + " before any operator writes it (operators are not in execution order)");
          }
        }
        if (out.length != 1 || out[0] < 0) {
          throw error("operator " + i + " (" + opName + ") must have exactly one output");
        }
        Op built = builder.build(i, builtin, opName, in, out[0], options(op, builtin, i, opName));
        available[out[0]] = true;
        ops.add(built);
      }
      for (int t : outputs) {
        if (!available[t]) {
          throw error("graph output tensor " + t + " is never written");
        }
      }
      if (nOps == 0) {
        throw error("the model has no operators");
      }
      List<Tensor> finalTensors = builder.tensors();
      checkEdges(builder, finalTensors, inputs, "input");
      checkEdges(builder, finalTensors, outputs, "output");
      return new Graph(name, ImmutableList.copyOf(finalTensors), ImmutableList.copyOf(ops),
          inputs, outputs);
    }

    /**
     * Edge tensors must be int8 or float32, and in the packed input (output) buffer every float32
     * tensor must start on a 4-byte boundary, or a Cortex-M would fault on the unaligned access.
     */
    private void checkEdges(OpBuilder builder, List<Tensor> tensors, List<Integer> ids,
        String what) {
      long offset = 0;
      for (int id : ids) {
        Tensor t = tensors.get(id);
        builder.checkEdgeType(t, what);
        if (t.dtype() == DType.FLOAT32 && offset % 4 != 0) {
          throw error("float32 graph " + what + " '" + t.name() + "' would start at byte "
              + offset + " of the packed " + what + " buffer (not 4-byte aligned); reorder the "
              + "model's " + what + "s so float32 ones come first");
        }
        offset += t.byteSize();
      }
    }

    private interface IntAt {
      int get(int i);
    }

    private ImmutableList<Integer> readIndexList(int len, IntAt at, int nTensors, String what) {
      checkedLength(len, 4, what + " list");
      ImmutableList.Builder<Integer> b = ImmutableList.builder();
      for (int i = 0; i < len; i++) {
        int t = at.get(i);
        if (t < 0 || t >= nTensors) {
          throw error("corrupt TFLite file (" + what + " " + i + " is tensor " + t + " of "
              + nTensors + ")");
        }
        b.add(t);
      }
      return b.build();
    }

    private int[] readOperands(int len, IntAt at, int nTensors, int opIndex, String what) {
      checkedLength(len, 4, "operator " + opIndex + " " + what + " list");
      int[] r = new int[len];
      for (int i = 0; i < len; i++) {
        r[i] = at.get(i);
        if (r[i] < -1 || r[i] >= nTensors) {
          throw error("corrupt TFLite file (operator " + opIndex + " " + what + " " + i
              + " is tensor " + r[i] + " of " + nTensors + ")");
        }
      }
      return r;
    }

    private Tensor readTensor(Model model, org.tensorflow.lite.schema.Tensor t, int id,
        int nBuffers) {
      String tname = t.name() == null ? "tensor" + id : t.name();
      DType dtype = switch (t.type()) {
        case TensorType.INT8 -> DType.INT8;
        case TensorType.INT16 -> DType.INT16;
        case TensorType.INT32 -> DType.INT32;
        case TensorType.INT64 -> DType.INT64;
        case TensorType.FLOAT32 -> DType.FLOAT32;
        default -> throw error("tensor " + id + " ('" + tname + "') has unsupported type "
            + typeName(t.type()));
      };
      int rank = checkedLength(t.shapeLength(), 4, "tensor " + id + " shape");
      if (rank > 6) {
        throw error("tensor " + id + " ('" + tname + "') has rank " + rank + " (at most 6)");
      }
      int[] dims = new int[rank];
      long elements = 1;
      for (int i = 0; i < rank; i++) {
        dims[i] = t.shape(i);
        if (dims[i] <= 0 || dims[i] > (1 << 24)) {
          throw error("tensor " + id + " ('" + tname + "') has an invalid shape dimension "
              + dims[i] + " (dynamic or absurd shapes are not supported)");
        }
        elements *= dims[i];
        if (elements * dtype.byteSize() > Integer.MAX_VALUE) {
          throw error("tensor " + id + " ('" + tname + "') is absurdly large");
        }
      }
      Shape shape = Shape.of(dims);
      Optional<ConstData> data = Optional.empty();
      long bufIndex = t.buffer();
      if (bufIndex < 0 || bufIndex >= nBuffers) {
        throw error("corrupt TFLite file (tensor " + id + " uses buffer " + bufIndex + " of "
            + nBuffers + ")");
      }
      if (bufIndex > 0) {
        org.tensorflow.lite.schema.Buffer b = model.buffers((int) bufIndex);
        int n = checkedLength(b.dataLength(), 1, "buffer " + bufIndex);
        if (n > 0) {
          if (n != elements * dtype.byteSize()) {
            throw error("tensor " + id + " ('" + tname + "') has " + n + " bytes of data but its "
                + "shape " + shape + " needs " + elements * dtype.byteSize());
          }
          ByteBuffer bb = b.dataAsByteBuffer();
          if (bb == null || bb.remaining() != n) {
            throw error("corrupt TFLite file (buffer " + bufIndex + " is truncated)");
          }
          byte[] raw = new byte[n];
          bb.get(raw);
          data = Optional.of(ConstData.copyOf(raw));
        }
      }
      return new Tensor(id, tname, dtype, shape, readQuant(t, id, tname, shape), data);
    }

    private Optional<QuantParams> readQuant(org.tensorflow.lite.schema.Tensor t, int id,
        String tname, Shape shape) {
      QuantizationParameters q = t.quantization();
      if (q == null) {
        return Optional.empty();
      }
      int ns = checkedLength(q.scaleLength(), 4, "tensor " + id + " scales");
      int nz = checkedLength(q.zeroPointLength(), 8, "tensor " + id + " zero points");
      if (ns == 0) {
        return Optional.empty();
      }
      if (nz != ns && nz != 0) {
        throw error("tensor " + id + " ('" + tname + "') has " + ns + " scales but " + nz
            + " zero points");
      }
      float[] scales = new float[ns];
      int[] zps = new int[ns];
      for (int i = 0; i < ns; i++) {
        scales[i] = q.scale(i);
        if (!(scales[i] > 0f) || Float.isInfinite(scales[i])) {
          throw error("tensor " + id + " ('" + tname + "') has an invalid scale " + scales[i]);
        }
        long zp = nz == 0 ? 0 : q.zeroPoint(i);
        if (zp < Integer.MIN_VALUE || zp > Integer.MAX_VALUE) {
          throw error("tensor " + id + " ('" + tname + "') has an invalid zero point " + zp);
        }
        zps[i] = (int) zp;
      }
      int axis = 0;
      if (ns > 1) {
        axis = q.quantizedDimension();
        boolean axisFits = axis >= 0 && axis < shape.rank() && shape.dim(axis) == ns;
        if (!axisFits) {
          // Known quirk (person_detect): 1-D bias tensors declare quantized_dimension=3.
          if (shape.rank() == 1 && shape.dim(0) == ns) {
            axis = 0;
          } else {
            throw error("tensor " + id + " ('" + tname + "') has " + ns
                + " per-channel scales that do not match axis " + axis + " of shape " + shape);
          }
        }
      }
      return Optional.of(new QuantParams(scales, ImmutableIntArray.copyOf(zps), axis));
    }

    private OpBuilder.Options options(Operator op, int builtin, int index, String opName) {
      byte type = op.builtinOptionsType();
      switch (builtin) {
        case BuiltinOperator.CONV_2D: {
          Conv2DOptions o = (Conv2DOptions) table(op, type, BuiltinOptions.Conv2DOptions,
              new Conv2DOptions(), index, opName);
          return new OpBuilder.Options(padding(o.padding(), index), o.strideH(), o.strideW(),
              o.dilationHFactor(), o.dilationWFactor(), 0, 0, 0,
              activation(o.fusedActivationFunction(), index, opName), 0f, false);
        }
        case BuiltinOperator.DEPTHWISE_CONV_2D: {
          DepthwiseConv2DOptions o = (DepthwiseConv2DOptions) table(op, type,
              BuiltinOptions.DepthwiseConv2DOptions, new DepthwiseConv2DOptions(), index, opName);
          return new OpBuilder.Options(padding(o.padding(), index), o.strideH(), o.strideW(),
              o.dilationHFactor(), o.dilationWFactor(), o.depthMultiplier(), 0, 0,
              activation(o.fusedActivationFunction(), index, opName), 0f, false);
        }
        case BuiltinOperator.AVERAGE_POOL_2D:
        case BuiltinOperator.MAX_POOL_2D: {
          Pool2DOptions o = (Pool2DOptions) table(op, type, BuiltinOptions.Pool2DOptions,
              new Pool2DOptions(), index, opName);
          return new OpBuilder.Options(padding(o.padding(), index), o.strideH(), o.strideW(), 1,
              1, 0, o.filterHeight(), o.filterWidth(),
              activation(o.fusedActivationFunction(), index, opName), 0f, false);
        }
        case BuiltinOperator.FULLY_CONNECTED: {
          FullyConnectedOptions o = type == BuiltinOptions.FullyConnectedOptions
              ? (FullyConnectedOptions) op.builtinOptions(new FullyConnectedOptions()) : null;
          if (o != null && o.weightsFormat() != 0) {
            throw error("operator " + index + " (FULLY_CONNECTED) uses shuffled weights, which "
                + "are not supported");
          }
          Activation act = o == null ? Activation.NONE
              : activation(o.fusedActivationFunction(), index, opName);
          return OpBuilder.Options.activationOnly(act);
        }
        case BuiltinOperator.ADD: {
          Activation act = Activation.NONE;
          if (type == BuiltinOptions.AddOptions) {
            org.tensorflow.lite.schema.AddOptions o = (org.tensorflow.lite.schema.AddOptions)
                op.builtinOptions(new org.tensorflow.lite.schema.AddOptions());
            act = activation(o.fusedActivationFunction(), index, opName);
          }
          return OpBuilder.Options.activationOnly(act);
        }
        case BuiltinOperator.SOFTMAX: {
          float beta = 1f;
          if (type == BuiltinOptions.SoftmaxOptions) {
            beta = ((SoftmaxOptions) op.builtinOptions(new SoftmaxOptions())).beta();
          }
          return new OpBuilder.Options(Padding.VALID, 1, 1, 1, 1, 0, 0, 0, Activation.NONE,
              beta, false);
        }
        case BuiltinOperator.MEAN: {
          boolean keep = type == BuiltinOptions.ReducerOptions
              && ((ReducerOptions) op.builtinOptions(new ReducerOptions())).keepDims();
          return new OpBuilder.Options(Padding.VALID, 1, 1, 1, 1, 0, 0, 0, Activation.NONE, 0f,
              keep);
        }
        default:
          return OpBuilder.Options.activationOnly(Activation.NONE);
      }
    }

    private com.google.flatbuffers.Table table(Operator op, byte type, byte expected,
        com.google.flatbuffers.Table into, int index, String opName) {
      if (type != expected) {
        throw error("operator " + index + " (" + opName + ") has no or wrong options");
      }
      return op.builtinOptions(into);
    }

    private Padding padding(byte p, int index) {
      return switch (p) {
        case org.tensorflow.lite.schema.Padding.SAME -> Padding.SAME;
        case org.tensorflow.lite.schema.Padding.VALID -> Padding.VALID;
        default -> throw error("operator " + index + " has unknown padding " + p);
      };
    }

    private Activation activation(byte a, int index, String opName) {
      return switch (a) {
        case ActivationFunctionType.NONE -> Activation.NONE;
        case ActivationFunctionType.RELU -> Activation.RELU;
        case ActivationFunctionType.RELU6 -> Activation.RELU6;
        case ActivationFunctionType.RELU_N1_TO_1 -> Activation.RELU_N1_TO_1;
        default -> throw error("operator " + index + " (" + opName
            + ") uses unsupported fused activation " + activationName(a));
      };
    }
  }

  static String builtinName(int code) {
    if (code >= 0 && code < BuiltinOperator.names.length) {
      return BuiltinOperator.name(code);
    }
    return "BUILTIN_" + code;
  }

  private static String typeName(byte t) {
    if (t >= 0 && t < TensorType.names.length) {
      return TensorType.name(t);
    }
    return "type#" + t;
  }

  private static String activationName(byte a) {
    if (a >= 0 && a < ActivationFunctionType.names.length) {
      return ActivationFunctionType.name(a);
    }
    return "#" + a;
  }
}
