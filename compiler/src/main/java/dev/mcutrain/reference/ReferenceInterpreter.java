package dev.mcutrain.reference;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Shape;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.lower.KernelParams;
import dev.mcutrain.lower.Lowering;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Executes a graph with the Java reference kernels: the oracle every other execution (generated C
 * on the host, on Cortex-M) must match bit for bit.
 */
public final class ReferenceInterpreter {
  /** Receives each operator's output right after it is computed (raw little-endian bytes). */
  public interface Trace {
    void opOutput(int opIndex, Op op, byte[] bytes);
  }

  private final Graph graph;
  private final List<KernelParams> params;
  private final Parameters weights;

  public ReferenceInterpreter(Graph graph) {
    this(graph, Parameters.of(graph));
  }

  /** An interpreter that reads filters and biases from {@code weights} (which may change). */
  public ReferenceInterpreter(Graph graph, Parameters weights) {
    this.graph = graph;
    this.weights = weights;
    this.params = new ArrayList<>();
    for (Op op : graph.ops()) {
      params.add(Lowering.lower(graph, op));
    }
  }

  /**
   * Runs one inference. {@code input} holds every graph input's raw bytes, packed in order; the
   * result holds every graph output's raw bytes, packed in order.
   */
  public byte[] run(byte[] input, Trace trace) {
    Object[] values = forward(input, graph.ops().size() - 1, trace);
    ByteBuffer out = ByteBuffer.allocate((int) graph.outputBytes());
    for (int id : graph.outputs()) {
      out.put(toBytes(values[id]));
    }
    return out.array();
  }

  /**
   * Runs operators 0..{@code lastOp} and returns every tensor's value by id (int8 tensors as
   * byte[], float32 as float[]; null where not computed).
   */
  public Object[] forward(byte[] input, int lastOp, Trace trace) {
    if (input.length != graph.inputBytes()) {
      throw new McuTrainException("input has " + input.length + " bytes but the model's input"
          + (graph.inputs().size() > 1 ? "s need " : " needs ") + graph.inputBytes() + " bytes");
    }
    Object[] values = new Object[graph.tensors().size()];
    int off = 0;
    for (int id : graph.inputs()) {
      Tensor t = graph.tensor(id);
      int n = (int) t.byteSize();
      byte[] raw = new byte[n];
      System.arraycopy(input, off, raw, 0, n);
      values[id] = fromBytes(t, raw);
      off += n;
    }
    for (int i = 0; i <= lastOp; i++) {
      Op op = graph.ops().get(i);
      values[op.output()] = execute(op, params.get(i), values);
      if (trace != null) {
        trace.opOutput(i, op, toBytes(values[op.output()]));
      }
    }
    return values;
  }

  /** The lowered kernel parameters of operator {@code i}. */
  public KernelParams params(int i) {
    return params.get(i);
  }

  private Object execute(Op op, KernelParams kp, Object[] v) {
    Tensor y = graph.tensor(op.output());
    if (op instanceof Op.Conv2D c) {
      byte[] out = new byte[y.shape().size()];
      Kernels.conv2d((KernelParams.Conv) kp, dims(c.input()), i8(v, c.input()),
          dims(c.filter()), constI8(c.filter()), bias(c.bias()), dims(c.output()), out);
      return out;
    }
    if (op instanceof Op.DepthwiseConv2D c) {
      byte[] out = new byte[y.shape().size()];
      Kernels.depthwiseConv2d((KernelParams.Conv) kp, dims(c.input()), i8(v, c.input()),
          dims(c.filter()), constI8(c.filter()), bias(c.bias()), dims(c.output()), out);
      return out;
    }
    if (op instanceof Op.FullyConnected fc) {
      byte[] out = new byte[y.shape().size()];
      Kernels.fullyConnected((KernelParams.FullyConnected) kp, i8(v, fc.input()),
          constI8(fc.filter()), bias(fc.bias()), out);
      return out;
    }
    if (op instanceof Op.Add a) {
      byte[] out = new byte[y.shape().size()];
      int r = y.shape().rank();
      Kernels.add((KernelParams.Add) kp, dims4(graph.tensor(a.input1()).shape(), r),
          i8(v, a.input1()), dims4(graph.tensor(a.input2()).shape(), r), i8(v, a.input2()),
          dims4(y.shape(), r), out);
      return out;
    }
    if (op instanceof Op.Pool2D p) {
      byte[] out = new byte[y.shape().size()];
      Kernels.pool2d(p.max(), (KernelParams.Pool) kp, dims(p.input()), i8(v, p.input()),
          dims(p.output()), out);
      return out;
    }
    if (op instanceof Op.Mean m) {
      byte[] out = new byte[y.shape().size()];
      Kernels.meanHw((KernelParams.Mean) kp, dims(m.input()), i8(v, m.input()), out);
      return out;
    }
    if (op instanceof Op.Softmax s) {
      byte[] out = new byte[y.shape().size()];
      Kernels.softmax((KernelParams.Softmax) kp, i8(v, s.input()), out);
      return out;
    }
    if (op instanceof Op.Pad p) {
      byte[] out = new byte[y.shape().size()];
      int r = y.shape().rank();
      Kernels.pad((KernelParams.Pad) kp, dims4(graph.tensor(p.input()).shape(), r),
          i8(v, p.input()), dims4(y.shape(), r), out);
      return out;
    }
    if (op instanceof Op.Quantize q) {
      byte[] out = new byte[y.shape().size()];
      if (graph.tensor(q.input()).dtype() == DType.FLOAT32) {
        Kernels.quantizeF32((KernelParams.Quantize) kp, (float[]) v[q.input()], out);
      } else {
        Kernels.requantize((KernelParams.Quantize) kp, i8(v, q.input()), out);
      }
      return out;
    }
    if (op instanceof Op.Dequantize d) {
      float[] out = new float[y.shape().size()];
      Kernels.dequantize((KernelParams.Quantize) kp, i8(v, d.input()), out);
      return out;
    }
    if (op instanceof Op.Reshape r) {
      return v[r.input()];
    }
    throw new IllegalStateException("no reference kernel for " + op.kind());
  }

  private byte[] i8(Object[] v, int id) {
    return (byte[]) v[id];
  }

  private byte[] constI8(int id) {
    return weights.int8(id);
  }

  private int[] bias(int id) {
    return weights.int32(id);
  }

  /** NHWC dims of a 4-D tensor. */
  private int[] dims(int id) {
    Shape s = graph.tensor(id).shape();
    return dims4(s, 4);
  }

  /** The shape right-aligned into 4 dims (leading 1s), as a broadcast of rank {@code r}. */
  static int[] dims4(Shape s, int r) {
    int[] d = {1, 1, 1, 1};
    for (int i = 1; i <= s.rank(); i++) {
      d[4 - i] = s.fromEnd(i);
    }
    return d;
  }

  private static Object fromBytes(Tensor t, byte[] raw) {
    if (t.dtype() == DType.FLOAT32) {
      float[] f = new float[raw.length / 4];
      ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
      return f;
    }
    return raw;
  }

  static byte[] toBytes(Object value) {
    if (value instanceof float[] f) {
      ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(f);
      return b.array();
    }
    return ((byte[]) value).clone();
  }
}
