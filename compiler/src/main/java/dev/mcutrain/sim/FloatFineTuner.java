package dev.mcutrain.sim;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.fp32.FloatGraph;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.train.ReferenceTrainer;
import dev.mcutrain.train.TrainingProgram;
import dev.mcutrain.train.math.SoftmaxCrossEntropy;

/**
 * The fp32 baseline of the paper's Table 1: fine-tuning the dequantized model in float32 — real
 * weights, real activations, no rounding anywhere — updating exactly the parameters a {@link
 * TrainingProgram} updates (the same biases, the same input-channel slices of the same weights,
 * the same new head with the same initial weights), with plain SGD at batch 1 and the same
 * learning-rate schedule. What int8 on-device training is compared against.
 */
public final class FloatFineTuner {
  private final TrainingProgram program;
  private final FloatGraph net;
  private final QuantParams inputQuant;
  private final float[] headWeights;
  private final float[] headBias;
  private int steps;

  public FloatFineTuner(TrainingProgram program) {
    if (program.options().accumulate() > 1) {
      throw new McuTrainException("the fp32 baseline trains at batch 1 (no --accumulate)");
    }
    this.program = program;
    Graph g = program.graph();
    this.net = FloatGraph.dequantized(g, program.lastForwardOp());
    this.inputQuant = g.tensor(g.inputs().get(0)).q();
    if (program.head().isPresent()) {
      this.headWeights = ReferenceTrainer.initialHeadWeights(program);
      this.headBias = new float[program.head().get().units()];
    } else {
      this.headWeights = null;
      this.headBias = null;
    }
  }

  /** The float network whose parameters this baseline trains. */
  public FloatGraph network() {
    return net;
  }

  private float[] real(byte[] sample) {
    float[] x = new float[sample.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = inputQuant.scale() * (sample[i] - inputQuant.zeroPoint());
    }
    return x;
  }

  private float[] logitsOf(float[][] acts) {
    if (headWeights == null) {
      return acts[program.logitsTensor()];
    }
    TrainingProgram.Head h = program.head().get();
    float[] f = acts[program.featuresTensor()];
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

  /** The logits of one int8 input. */
  public float[] logits(byte[] input) {
    return logitsOf(net.forward(real(input))).clone();
  }

  /** One SGD step; returns the loss before the update. */
  public float step(byte[] input, int label) {
    float[][] acts = net.forward(real(input));
    float[] logits = logitsOf(acts);
    if (label < 0 || label >= logits.length) {
      throw new McuTrainException("label " + label + " is outside 0.." + (logits.length - 1));
    }
    float[] dl = new float[logits.length];
    float loss = SoftmaxCrossEntropy.lossAndGrad(logits, label, dl);
    float lr = program.options().lrAt(steps);
    Graph g = program.graph();
    float[][] pg = new float[g.tensors().size()][];
    for (TrainingProgram.LayerUpdate u : program.updates().values()) {
      Op op = g.ops().get(u.op());
      if (u.weightChannels() > 0) {
        pg[op.inputs().get(1)] = new float[net.param(op.inputs().get(1)).length];
      }
      if (u.bias() && op.inputs().size() > 2) {
        pg[op.inputs().get(2)] = new float[net.param(op.inputs().get(2)).length];
      }
    }
    int from;
    float[] dFrom;
    if (headWeights != null) {
      TrainingProgram.Head h = program.head().get();
      float[] f = acts[program.featuresTensor()];
      dFrom = new float[f.length];
      for (int u = 0; u < h.units(); u++) {
        for (int d = 0; d < h.depth(); d++) {
          dFrom[d] += dl[u] * headWeights[u * h.depth() + d];
        }
      }
      for (int u = 0; u < h.units(); u++) {
        for (int d = 0; d < h.depth(); d++) {
          headWeights[u * h.depth() + d] -= lr * dl[u] * f[d];
        }
        headBias[u] -= lr * dl[u];
      }
      from = program.featuresTensor();
    } else {
      dFrom = dl;
      from = program.logitsTensor();
    }
    net.backward(acts, from, dFrom, pg);
    for (TrainingProgram.LayerUpdate u : program.updates().values()) {
      Op op = g.ops().get(u.op());
      if (u.weightChannels() > 0) {
        int t = op.inputs().get(1);
        float[] w = net.param(t);
        float[] gw = pg[t];
        int channels = TrainingProgram.weightChannelCount(g, op);
        for (int i = 0; i < w.length; i++) {
          if (i % channels < u.weightChannels()) {
            w[i] -= lr * gw[i];
          }
        }
      }
      if (u.bias() && op.inputs().size() > 2) {
        int t = op.inputs().get(2);
        float[] b = net.param(t);
        for (int i = 0; i < b.length; i++) {
          b[i] -= lr * pg[t][i];
        }
      }
    }
    steps++;
    return loss;
  }
}
