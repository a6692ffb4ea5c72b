package dev.mcutrain.fp32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.pretrain.TinyMobileNet;
import dev.mcutrain.testing.GraphBuilder;
import dev.mcutrain.train.TrainingProgram;
import dev.mcutrain.train.math.SoftmaxCrossEntropy;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The float engine's gradients against central finite differences of its own forward pass. */
class FloatGraphTest {
  private static double loss(FloatGraph net, int logits, float[] x, int label) {
    float[] l = net.forward(x)[logits];
    return SoftmaxCrossEntropy.lossAndGrad(l, label, new float[l.length]);
  }

  /** Checks every parameter tensor: cosine > 0.999 and relative error < 5% against FD (float32
   * differences near ReLU6 kinks are the noise). */
  private static void check(Graph g, float[] x, int label) {
    int classifier = TrainingProgram.classifierOf(g);
    FloatGraph net = FloatGraph.dequantized(g, classifier);
    int logits = g.ops().get(classifier).output();
    // Non-zero biases keep pre-activations off the ReLU kinks, where differences are one-sided.
    Random rb = new Random(11);
    for (int id : net.paramIds()) {
      if (g.tensor(id).shape().rank() == 1) {
        float[] b = net.param(id);
        for (int i = 0; i < b.length; i++) {
          b[i] = 0.05f + 0.25f * rb.nextFloat();
        }
      }
    }
    float[][] acts = net.forward(x);
    float[] dl = new float[acts[logits].length];
    SoftmaxCrossEntropy.lossAndGrad(acts[logits], label, dl);
    float[][] pg = new float[g.tensors().size()][];
    for (int id : net.paramIds()) {
      pg[id] = new float[net.param(id).length];
    }
    net.backward(acts, logits, dl, pg);
    Random r = new Random(7);
    for (int id : net.paramIds()) {
      float[] p = net.param(id);
      double dot = 0;
      double na = 0;
      double nf = 0;
      double err = 0;
      for (int k = 0; k < Math.min(40, p.length); k++) {
        int i = p.length <= 40 ? k : r.nextInt(p.length);
        float old = p[i];
        float eps = 2e-3f * Math.max(1f, Math.abs(old));
        p[i] = old + eps;
        double up = loss(net, logits, x, label);
        p[i] = old - eps;
        double down = loss(net, logits, x, label);
        p[i] = old;
        double fd = (up - down) / (2 * eps);
        double an = pg[id][i];
        dot += fd * an;
        na += an * an;
        nf += fd * fd;
        err += (fd - an) * (fd - an);
      }
      if (nf < 1e-12 && na < 1e-12) {
        continue;
      }
      double cos = dot / Math.sqrt(na * nf);
      double rel = Math.sqrt(err / nf);
      String what = g.tensor(id).name();
      assertTrue(cos > 0.999, what + ": cosine " + cos);
      assertTrue(rel < 0.05, what + ": relative error " + rel);
    }
  }

  @Test
  void tinyMobileNetGradientsMatchFiniteDifferences() {
    Graph g = TinyMobileNet.build(10, 10, 1, 3, 0.25, 3);
    Random r = new Random(1);
    float[] x = new float[100];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat();
    }
    FloatGraph probe = FloatGraph.dequantized(g, TrainingProgram.classifierOf(g));
    check(g, x, 2);
    assertEquals(g.ops().size() - 2, TrainingProgram.classifierOf(g));
    assertTrue(probe.paramIds().length >= 20);
  }

  @Test
  void padAveragePoolReshapeAndFullyConnectedGradientsMatchFiniteDifferences() {
    GraphBuilder b = new GraphBuilder();
    Random r = new Random(5);
    int x = b.int8("in", 1f / 64, 0, 1, 5, 5, 2);
    byte[] w = new byte[4 * 3 * 3 * 2];
    for (int i = 0; i < w.length; i++) {
      w[i] = (byte) (r.nextInt(200) - 100);
    }
    int f = b.filter("conv/w", w, 0.01f, 4, 3, 3, 2);
    int bias = b.bias("conv/b", new int[] {100, -50, 20, 0}, 0.01f / 64);
    int y = b.float32("conv", 1, 5, 5, 4);
    b.op(new Op.Conv2D(x, f, bias, y, Padding.SAME, 1, 1, Activation.RELU));
    int p = b.float32("pad", 1, 6, 6, 4);
    b.op(new Op.Pad(y, p, ImmutableIntArray.of(0, 1, 1, 0), ImmutableIntArray.of(0, 0, 0, 0)));
    int a = b.float32("pool", 1, 3, 3, 4);
    b.op(new Op.Pool2D(false, p, a, Padding.VALID, 2, 2, 2, 2, Activation.NONE));
    int flat = b.float32("flat", 1, 36);
    b.op(new Op.Reshape(a, flat));
    byte[] fw = new byte[3 * 36];
    for (int i = 0; i < fw.length; i++) {
      fw[i] = (byte) (r.nextInt(200) - 100);
    }
    int fcw = b.filter("fc/w", fw, 0.02f, 3, 36);
    int fcb = b.bias("fc/b", new int[] {0, 10, -10}, 0.02f);
    int logits = b.float32("logits", 1, 3);
    b.op(new Op.FullyConnected(flat, fcw, fcb, logits, Activation.NONE));
    Graph g = b.inputs(x).outputs(logits).build("pad_pool");
    float[] in = new float[50];
    for (int i = 0; i < in.length; i++) {
      in[i] = r.nextFloat() * 2 - 1;
    }
    check(g, in, 1);
  }

  @Test
  void forwardOfADequantizedGraphIsDeterministicAndFakeQuantLandsOnTheGrid() {
    Graph g = TinyMobileNet.build(12, 12, 1, 4, 0.5, 9);
    FloatGraph net = FloatGraph.dequantized(g, g.ops().size() - 1);
    float[] x = new float[144];
    for (int i = 0; i < x.length; i++) {
      x[i] = (i % 13) / 13f;
    }
    float[][] a = net.forward(x);
    float[][] b = net.forward(x);
    int out = g.outputs().get(0);
    assertArrayEquals(a[out], b[out]);
    float sum = 0;
    for (float v : a[out]) {
      sum += v;
    }
    assertEquals(1f, sum, 1e-5f); // the SOFTMAX output
    // Fake quantization of the int8 input: real values snap to k/255.
    float[][] q = net.forward(x, true);
    float in = q[g.inputs().get(0)][1];
    assertEquals(Math.round(in * 255) / 255f, in, 1e-6f);
  }
}
