package dev.mcutrain.train;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.lower.KernelParams;
import dev.mcutrain.reference.AccumulateKernels;
import dev.mcutrain.reference.BackwardKernels;
import dev.mcutrain.reference.Parameters;
import dev.mcutrain.reference.ReferenceInterpreter;
import dev.mcutrain.train.math.SoftmaxCrossEntropy;
import dev.mcutrain.train.update.Prng;
import dev.mcutrain.train.update.Update;

/**
 * Executes a {@link TrainingProgram} in Java: the oracle the generated C training step must match
 * bit for bit. One {@link #step} = int8 forward, fp32 softmax cross-entropy, fp32 backward through
 * the active operators in reverse order, and each parameter update applied as soon as its
 * gradient is known (after the operator's input gradient, which reads the old weights).
 *
 * <p>Update order within an operator: weights for oc, then taps (ky, kx), then input channels
 * below the update count; then biases by oc. Every update with stochastic rounding draws one
 * PRNG value, so this order is part of the contract.
 */
public final class ReferenceTrainer {
  /** Receives every real-domain parameter gradient before its update (tests, diagnostics). */
  public interface GradientSink {
    /**
     * @param op the operator index, or -1 for the new fp32 head
     * @param bias true for a bias gradient (index = output channel), false for a weight
     *     (index = flat index into the filter)
     */
    void gradient(int op, boolean bias, int index, float value);
  }

  private final TrainingProgram program;
  private final Graph graph;
  private final Parameters params;
  private final ReferenceInterpreter interpreter;
  private final Prng rng;
  private final float[] headWeights;
  private final float[] headBias;
  private int steps;
  private GradientSink sink;
  private final java.util.Map<Integer, float[]> accWeights = new java.util.HashMap<>();
  private final java.util.Map<Integer, float[]> accBias = new java.util.HashMap<>();
  private float[] accHeadWeights;
  private float[] accHeadBias;

  public ReferenceTrainer(TrainingProgram program) {
    this.program = program;
    this.graph = program.graph();
    this.params = Parameters.of(graph);
    this.interpreter = new ReferenceInterpreter(graph, params);
    this.rng = new Prng(program.options().seed());
    for (TrainingProgram.LayerUpdate u : program.updates().values()) {
      if (program.options().accumulate() > 1) {
        Op op = graph.ops().get(u.op());
        accWeights.put(u.op(), new float[StateLayout.accumulatorLength(graph, u)]);
        if (op.inputs().size() > 2 && op.inputs().get(2) >= 0) {
          accBias.put(u.op(), new float[graph.tensor(op.inputs().get(2)).shape().size()]);
        }
      }
    }
    if (program.head().isPresent()) {
      TrainingProgram.Head h = program.head().get();
      this.headWeights = HeadInit.weights(h, program.options().seed());
      this.headBias = new float[h.units()];
      this.accHeadWeights = new float[h.units() * h.depth()];
      this.accHeadBias = new float[h.units()];
    } else {
      this.headWeights = null;
      this.headBias = null;
    }
  }

  /** The initial weights of the program's new fp32 head (what {@code init} loads on the device). */
  public static float[] initialHeadWeights(TrainingProgram program) {
    return HeadInit.weights(program.head().orElseThrow(), program.options().seed());
  }

  /** Installs (or with null removes) a gradient sink. */
  public void setGradientSink(GradientSink sink) {
    this.sink = sink;
  }

  public Parameters parameters() {
    return params;
  }

  public float[] headWeights() {
    return headWeights;
  }

  public float[] headBias() {
    return headBias;
  }

  public int steps() {
    return steps;
  }

  /** The trainable state as the versioned, checksummed blob of {@link StateLayout}. */
  public byte[] exportState() {
    StateLayout layout = StateLayout.of(program);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(layout.totalBytes())
        .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {'M', 'T', 'S', '1'}).putInt(StateLayout.VERSION).putInt(layout.modelId())
        .putInt(layout.payloadBytes());
    for (StateLayout.Item item : layout.items()) {
      switch (item.kind()) {
        case WEIGHTS -> {
          byte[] f = params.int8(graph.ops().get(item.op()).inputs().get(1));
          TrainingProgram.LayerUpdate u = program.updates().get(item.op());
          if (StateLayout.slicedWeights(graph, u)) {
            int depth = StateLayout.filterDepth(graph, item.op());
            for (int r = 0; r < StateLayout.filterRows(graph, item.op()); r++) {
              b.put(f, r * depth, u.weightChannels());
            }
          } else {
            b.put(f);
          }
        }
        case BIAS -> {
          for (int v : params.int32(graph.ops().get(item.op()).inputs().get(2))) {
            b.putInt(v);
          }
        }
        case HEAD_WEIGHTS -> {
          for (float v : headWeights) {
            b.putFloat(v);
          }
        }
        case HEAD_BIAS -> {
          for (float v : headBias) {
            b.putFloat(v);
          }
        }
        case PRNG -> b.putLong(rng.state()).putLong(rng.inc());
        case STEP -> b.putInt(steps);
        case ACC_WEIGHTS -> putFloats(b, accWeights.get(item.op()));
        case ACC_BIAS -> putFloats(b, accBias.get(item.op()));
        case ACC_HEAD_WEIGHTS -> putFloats(b, accHeadWeights);
        case ACC_HEAD_BIAS -> putFloats(b, accHeadBias);
      }
    }
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  private static void putFloats(java.nio.ByteBuffer b, float[] v) {
    for (float f : v) {
      b.putFloat(f);
    }
  }

  private boolean accumulating() {
    return program.options().accumulate() > 1;
  }

  /** The logits of one inference with the current parameters. */
  public float[] logits(byte[] input) {
    Object[] v = interpreter.forward(input, program.lastForwardOp(), null);
    return logitsFrom(v);
  }

  /** The predicted class (arg max of the logits, first on ties). */
  public int predict(byte[] input) {
    float[] l = logits(input);
    int best = 0;
    for (int i = 1; i < l.length; i++) {
      if (l[i] > l[best]) {
        best = i;
      }
    }
    return best;
  }

  private float[] logitsFrom(Object[] v) {
    if (headWeights != null) {
      float[] f = dequantize((byte[]) v[program.featuresTensor()],
          graph.tensor(program.featuresTensor()));
      TrainingProgram.Head h = program.head().get();
      float[] logits = new float[h.units()];
      for (int u = 0; u < h.units(); u++) {
        float acc = 0f;
        for (int d = 0; d < h.depth(); d++) {
          acc += headWeights[u * h.depth() + d] * f[d];
        }
        logits[u] = acc + headBias[u];
      }
      return logits;
    }
    return dequantize((byte[]) v[program.logitsTensor()], graph.tensor(program.logitsTensor()));
  }

  private static float[] dequantize(byte[] q, Tensor t) {
    QuantParams qp = t.q();
    float[] r = new float[q.length];
    for (int i = 0; i < q.length; i++) {
      r[i] = BackwardKernels.dequantize(q[i], qp.scale(), qp.zeroPoint());
    }
    return r;
  }

  /** One SGD step on one labelled sample; returns the loss before the update. */
  public float step(byte[] input, int label) {
    Object[] v = interpreter.forward(input, program.lastForwardOp(), null);
    float[] logits = logitsFrom(v);
    if (label < 0 || label >= logits.length) {
      throw new McuTrainException("label " + label + " is outside 0.." + (logits.length - 1));
    }
    float[] dlogits = new float[logits.length];
    float loss = SoftmaxCrossEntropy.lossAndGrad(logits, label, dlogits);
    float lr = program.options().lrAt(steps);
    float[][] grads = new float[graph.tensors().size()][];

    if (headWeights != null) {
      TrainingProgram.Head h = program.head().get();
      int ft = program.featuresTensor();
      float[] f = dequantize((byte[]) v[ft], graph.tensor(ft));
      if (program.needsGrad(ft)) {
        // df[d] += dl[u] * w[u,d] for u, d (old weights), skipping dl == 0.
        float[] df = grad(grads, ft);
        for (int u = 0; u < h.units(); u++) {
          float dl = dlogits[u];
          if (dl == 0f) {
            continue;
          }
          for (int d = 0; d < h.depth(); d++) {
            df[d] += dl * headWeights[u * h.depth() + d];
          }
        }
      }
      if (accumulating()) {
        AccumulateKernels.headGradAcc(h.units(), h.depth(), f, dlogits, accHeadWeights,
            accHeadBias);
        if (program.options().appliesAt(steps)) {
          AccumulateKernels.headApply(h.units(), h.depth(), headWeights, headBias,
              accHeadWeights, accHeadBias, program.options().accumulate(), lr);
        }
      }
      // w[u,d] = w[u,d] - lr * (dl[u] * f[d]); b[u] = b[u] - lr * dl[u].
      for (int u = 0; u < h.units() && !accumulating(); u++) {
        for (int d = 0; d < h.depth(); d++) {
          int i = u * h.depth() + d;
          float gw = dlogits[u] * f[d];
          if (sink != null) {
            sink.gradient(-1, false, i, gw);
          }
          headWeights[i] = headWeights[i] - lr * gw;
        }
        if (sink != null) {
          sink.gradient(-1, true, u, dlogits[u]);
        }
        headBias[u] = headBias[u] - lr * dlogits[u];
      }
    } else {
      grads[program.logitsTensor()] = dlogits;
    }

    for (int i = program.lastForwardOp(); i >= 0; i--) {
      if (!program.isActive(i)) {
        continue;
      }
      Op op = graph.ops().get(i);
      float[] dy = grads[op.output()];
      if (dy == null) {
        continue; // no gradient reached this operator's output
      }
      backward(i, op, v, dy, grads, lr);
    }
    steps++;
    return loss;
  }

  private float[] grad(float[][] grads, int tensor) {
    if (grads[tensor] == null) {
      grads[tensor] = new float[graph.tensor(tensor).shape().size()];
    }
    return grads[tensor];
  }

  private static int[] dims(Graph g, int tensor) {
    var s = g.tensor(tensor).shape();
    int[] d = {1, 1, 1, 1};
    for (int i = 1; i <= s.rank(); i++) {
      d[4 - i] = s.fromEnd(i);
    }
    return d;
  }

  private float[] scales(QuantParams q, int channels) {
    float[] s = new float[channels];
    for (int c = 0; c < channels; c++) {
      s[c] = q.scale(c);
    }
    return s;
  }

  private void backward(int i, Op op, Object[] v, float[] dy, float[][] grads, float lr) {
    KernelParams kp = interpreter.params(i);
    byte[] y = (byte[]) v[op.output()];
    if (op instanceof Op.Reshape r) {
      if (program.needsGrad(r.input())) {
        float[] dx = grad(grads, r.input());
        for (int k = 0; k < dy.length; k++) {
          dx[k] += dy[k];
        }
      }
      return;
    }
    if (op instanceof Op.Pad p) {
      if (program.needsGrad(p.input())) {
        BackwardKernels.padGradInput(((KernelParams.Pad) kp).before().toArray(),
            dims(graph, p.input()), dims(graph, p.output()), dy, grad(grads, p.input()));
      }
      return;
    }
    if (op instanceof Op.Mean m) {
      float[] g = BackwardKernels.applyMask(dy, BackwardKernels.mask(y, -128, 127));
      if (program.needsGrad(m.input())) {
        BackwardKernels.meanGradInput(dims(graph, m.input()), g, grad(grads, m.input()));
      }
      return;
    }
    if (op instanceof Op.Pool2D p) {
      KernelParams.Pool pp = (KernelParams.Pool) kp;
      float[] g = BackwardKernels.applyMask(dy, BackwardKernels.mask(y, pp.actMin(), pp.actMax()));
      if (program.needsGrad(p.input())) {
        BackwardKernels.avgPoolGradInput(pp.strideH(), pp.strideW(), pp.filterH(), pp.filterW(),
            pp.padH(), pp.padW(), dims(graph, p.input()), dims(graph, p.output()), g,
            grad(grads, p.input()));
      }
      return;
    }
    if (op instanceof Op.Add a) {
      KernelParams.Add ap = (KernelParams.Add) kp;
      float[] g = BackwardKernels.applyMask(dy, BackwardKernels.mask(y, ap.actMin(), ap.actMax()));
      int[] outDims = dims(graph, a.output());
      // Contributions in operand order: input1 first, then input2.
      if (program.needsGrad(a.input1())) {
        BackwardKernels.addGradInput(broadcastDims(a.input1()), outDims, g,
            grad(grads, a.input1()));
      }
      if (program.needsGrad(a.input2())) {
        BackwardKernels.addGradInput(broadcastDims(a.input2()), outDims, g,
            grad(grads, a.input2()));
      }
      return;
    }
    if (op instanceof Op.Conv2D c) {
      KernelParams.Conv cp = (KernelParams.Conv) kp;
      float[] g = BackwardKernels.applyMask(dy, BackwardKernels.mask(y, cp.actMin(), cp.actMax()));
      Tensor f = graph.tensor(c.filter());
      int oc = f.shape().dim(0);
      float[] ws = scales(f.q(), oc);
      byte[] w = params.int8(c.filter());
      int[] inDims = dims(graph, c.input());
      int[] fDims = dims(graph, c.filter());
      int[] outDims = dims(graph, c.output());
      if (program.needsGrad(c.input())) {
        BackwardKernels.conv2dGradInput(cp.strideH(), cp.strideW(), cp.padH(), cp.padW(), ws,
            inDims, fDims, w, outDims, g, grad(grads, c.input()));
      }
      TrainingProgram.LayerUpdate u = program.updates().get(i);
      if (u == null) {
        return;
      }
      Tensor x = graph.tensor(c.input());
      byte[] xq = (byte[]) v[c.input()];
      int ic = fDims[3];
      if (accumulating()) {
        if (u.weightChannels() > 0) {
          AccumulateKernels.conv2dGradWeightAcc(cp.strideH(), cp.strideW(), cp.padH(), cp.padW(),
              x.q().scale(), x.q().zeroPoint(), inDims, xq, fDims, u.weightChannels(), outDims, g,
              accWeights.get(i));
        }
        accumulateBias(i, u, c.bias(), outDims, g);
        if (program.options().appliesAt(steps) && u.weightChannels() > 0) {
          AccumulateKernels.conv2dApply(lr, weightFactors(ws), program.options().rounding(), rng,
              program.options().accumulate(), fDims, w, u.weightChannels(), accWeights.get(i));
        }
        applyBias(i, u, c.bias(), ws, x.q().scale(), lr);
        return;
      }
      for (int o = 0; o < oc && u.weightChannels() > 0; o++) {
        float k = weightFactor(ws[o]);
        for (int ky = 0; ky < fDims[1]; ky++) {
          for (int kx = 0; kx < fDims[2]; kx++) {
            for (int ch = 0; ch < u.weightChannels(); ch++) {
              float gw = BackwardKernels.conv2dGradWeight(cp.strideH(), cp.strideW(), cp.padH(),
                  cp.padW(), x.q().scale(), x.q().zeroPoint(), inDims, xq, outDims, g, o, ky, kx,
                  ch);
              int idx = ((o * fDims[1] + ky) * fDims[2] + kx) * ic + ch;
              report(i, false, idx, gw);
              w[idx] = Update.s8(w[idx], Update.qasDelta(gw, k, lr),
                  program.options().rounding(), rng);
            }
          }
        }
      }
      updateBias(i, u, c.bias(), outDims, g, ws, x.q().scale(), lr);
      return;
    }
    if (op instanceof Op.DepthwiseConv2D c) {
      KernelParams.Conv cp = (KernelParams.Conv) kp;
      float[] g = BackwardKernels.applyMask(dy, BackwardKernels.mask(y, cp.actMin(), cp.actMax()));
      Tensor f = graph.tensor(c.filter());
      int oc = f.shape().dim(3);
      float[] ws = scales(f.q(), oc);
      byte[] w = params.int8(c.filter());
      int[] inDims = dims(graph, c.input());
      int[] fDims = dims(graph, c.filter());
      int[] outDims = dims(graph, c.output());
      if (program.needsGrad(c.input())) {
        BackwardKernels.depthwiseGradInput(cp.strideH(), cp.strideW(), cp.padH(), cp.padW(),
            cp.depthMultiplier(), ws, inDims, fDims, w, outDims, g, grad(grads, c.input()));
      }
      TrainingProgram.LayerUpdate u = program.updates().get(i);
      if (u == null) {
        return;
      }
      Tensor x = graph.tensor(c.input());
      byte[] xq = (byte[]) v[c.input()];
      if (accumulating()) {
        if (u.weightChannels() > 0) {
          AccumulateKernels.depthwiseGradWeightAcc(cp.strideH(), cp.strideW(), cp.padH(),
              cp.padW(), cp.depthMultiplier(), x.q().scale(), x.q().zeroPoint(), inDims, xq,
              fDims, u.weightChannels(), outDims, g, accWeights.get(i));
        }
        accumulateBias(i, u, c.bias(), outDims, g);
        if (program.options().appliesAt(steps) && u.weightChannels() > 0) {
          AccumulateKernels.depthwiseApply(lr, weightFactors(ws), program.options().rounding(),
              rng, program.options().accumulate(), fDims, w, u.weightChannels(),
              accWeights.get(i));
        }
        applyBias(i, u, c.bias(), ws, x.q().scale(), lr);
        return;
      }
      for (int o = 0; o < u.weightChannels(); o++) {
        float k = weightFactor(ws[o]);
        for (int ky = 0; ky < fDims[1]; ky++) {
          for (int kx = 0; kx < fDims[2]; kx++) {
            float gw = BackwardKernels.depthwiseGradWeight(cp.strideH(), cp.strideW(), cp.padH(),
                cp.padW(), cp.depthMultiplier(), x.q().scale(), x.q().zeroPoint(), inDims, xq,
                outDims, g, o, ky, kx);
            int idx = (ky * fDims[2] + kx) * oc + o;
            report(i, false, idx, gw);
            w[idx] = Update.s8(w[idx], Update.qasDelta(gw, k, lr), program.options().rounding(),
                rng);
          }
        }
      }
      updateBias(i, u, c.bias(), outDims, g, ws, x.q().scale(), lr);
      return;
    }
    if (op instanceof Op.FullyConnected fc) {
      KernelParams.FullyConnected fp = (KernelParams.FullyConnected) kp;
      float[] g = BackwardKernels.applyMask(dy, BackwardKernels.mask(y, fp.actMin(), fp.actMax()));
      Tensor f = graph.tensor(fc.filter());
      float[] ws = scales(f.q(), fp.units());
      byte[] w = params.int8(fc.filter());
      if (program.needsGrad(fc.input())) {
        BackwardKernels.fullyConnectedGradInput(fp.batches(), fp.depth(), fp.units(), ws, w, g,
            grad(grads, fc.input()));
      }
      TrainingProgram.LayerUpdate u = program.updates().get(i);
      if (u == null) {
        return;
      }
      Tensor x = graph.tensor(fc.input());
      byte[] xq = (byte[]) v[fc.input()];
      if (accumulating()) {
        if (u.weightChannels() > 0) {
          AccumulateKernels.fullyConnectedGradWeightAcc(fp.batches(), fp.depth(), fp.units(),
              x.q().scale(), x.q().zeroPoint(), xq, u.weightChannels(), g, accWeights.get(i));
        }
        accumulateBias(i, u, fc.bias(), new int[] {1, 1, fp.batches(), fp.units()}, g);
        if (program.options().appliesAt(steps) && u.weightChannels() > 0) {
          AccumulateKernels.fullyConnectedApply(lr, weightFactors(ws),
              program.options().rounding(), rng, program.options().accumulate(), fp.depth(),
              fp.units(), w, u.weightChannels(), accWeights.get(i));
        }
        applyBias(i, u, fc.bias(), ws, x.q().scale(), lr);
        return;
      }
      for (int o = 0; o < fp.units() && u.weightChannels() > 0; o++) {
        float k = weightFactor(ws[o]);
        for (int d = 0; d < u.weightChannels(); d++) {
          float gw = BackwardKernels.fullyConnectedGradWeight(fp.batches(), fp.depth(),
              fp.units(), x.q().scale(), x.q().zeroPoint(), xq, g, o, d);
          int idx = o * fp.depth() + d;
          report(i, false, idx, gw);
          w[idx] = Update.s8(w[idx], Update.qasDelta(gw, k, lr), program.options().rounding(),
              rng);
        }
      }
      updateBias(i, u, fc.bias(), new int[] {1, 1, fp.batches(), fp.units()}, g, ws,
          x.q().scale(), lr);
      return;
    }
    throw new IllegalStateException("no backward rule for " + op.kind());
  }

  /** QAS: dW_int = dW_real / s_w (k = 1/s_w); without QAS the naive dW_int = dW_real * s_w. */
  private float weightFactor(float wScale) {
    return program.options().qas() ? 1f / wScale : wScale;
  }

  private float[] weightFactors(float[] ws) {
    float[] k = new float[ws.length];
    for (int o = 0; o < ws.length; o++) {
      k[o] = weightFactor(ws[o]);
    }
    return k;
  }

  private float[] biasFactors(int biasTensor, float[] ws, float xScale) {
    Tensor bt = graph.tensor(biasTensor);
    float[] k = new float[bt.shape().size()];
    for (int o = 0; o < k.length; o++) {
      float sb = bt.quant().isPresent() ? bt.q().scale(o) : xScale * ws[o];
      k[o] = program.options().qas() ? 1f / sb : sb;
    }
    return k;
  }

  private void accumulateBias(int op, TrainingProgram.LayerUpdate u, int biasTensor,
      int[] outDims, float[] g) {
    if (u.bias() && biasTensor >= 0) {
      AccumulateKernels.biasGradAcc(outDims, g, accBias.get(op));
    }
  }

  private void applyBias(int op, TrainingProgram.LayerUpdate u, int biasTensor, float[] ws,
      float xScale, float lr) {
    if (u.bias() && biasTensor >= 0 && program.options().appliesAt(steps)) {
      AccumulateKernels.biasApply(lr, biasFactors(biasTensor, ws, xScale),
          program.options().rounding(), rng, program.options().accumulate(),
          params.int32(biasTensor), accBias.get(op));
    }
  }

  private void report(int op, boolean bias, int index, float g) {
    if (sink != null) {
      sink.gradient(op, bias, index, g);
    }
  }

  private void updateBias(int op, TrainingProgram.LayerUpdate u, int biasTensor, int[] outDims,
      float[] g, float[] ws, float xScale, float lr) {
    if (!u.bias() || biasTensor < 0) {
      return;
    }
    int[] b = params.int32(biasTensor);
    Tensor bt = graph.tensor(biasTensor);
    for (int o = 0; o < b.length; o++) {
      float sb = bt.quant().isPresent() ? bt.q().scale(o) : xScale * ws[o];
      float k = program.options().qas() ? 1f / sb : sb;
      float gb = BackwardKernels.biasGrad(outDims, g, o);
      report(op, true, o, gb);
      b[o] = Update.s32(b[o], Update.qasDelta(gb, k, lr), program.options().rounding(), rng);
    }
  }

  private int[] broadcastDims(int input) {
    var in = graph.tensor(input).shape();
    int[] d = {1, 1, 1, 1};
    for (int k = 1; k <= in.rank(); k++) {
      d[4 - k] = in.fromEnd(k);
    }
    return d;
  }
}
