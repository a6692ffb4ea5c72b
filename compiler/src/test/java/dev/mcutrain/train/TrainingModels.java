package dev.mcutrain.train;

import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.testing.GraphBuilder;
import java.util.Random;

/** Small int8 models built in the tests, with every trainable operator kind. */
final class TrainingModels {
  private TrainingModels() {}

  private static byte[] weights(Random r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (r.nextInt(255) - 127);
    }
    return b;
  }

  private static int[] biases(Random r, int n, int magnitude) {
    int[] b = new int[n];
    for (int i = 0; i < n; i++) {
      b[i] = r.nextInt(2 * magnitude + 1) - magnitude;
    }
    return b;
  }

  private static float[] scales(float base, int n) {
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      s[i] = base * (0.75f + 0.5f * i / Math.max(1, n - 1));
    }
    return s;
  }

  /**
   * input [1,8,8,2] → CONV 3x3 SAME (2→6, RELU6, per-channel) → DEPTHWISE 3x3 SAME (RELU6) →
   * CONV 1x1 (6→6, NONE) → ADD with the first conv's output (residual) → AVERAGE_POOL 8x8 →
   * FULLY_CONNECTED (6→3) → RESHAPE [1,3]. Scales are chosen so that few outputs saturate.
   */
  static Graph residualCnn(long seed) {
    Random r = new Random(seed);
    GraphBuilder b = new GraphBuilder();
    float sIn = 1f / 64;
    int x = b.int8("input", sIn, 0, 1, 8, 8, 2);
    float[] s1 = scales(0.004f, 6);
    int w1 = b.filter("conv1/w", weights(r, 6 * 3 * 3 * 2), s1, 0, 6, 3, 3, 2);
    float[] b1s = new float[6];
    for (int i = 0; i < 6; i++) {
      b1s[i] = sIn * s1[i];
    }
    int bias1 = b.bias("conv1/b", biases(r, 6, 300), b1s);
    float sAct = 6f / 255;
    int y1 = b.int8("conv1/out", sAct, -128, 1, 8, 8, 6);
    b.op(new Op.Conv2D(x, w1, bias1, y1, Padding.SAME, 1, 1, Activation.RELU6));

    float[] s2 = scales(0.006f, 6);
    int w2 = b.filter("dw/w", weights(r, 9 * 6), s2, 3, 1, 3, 3, 6);
    float[] b2s = new float[6];
    for (int i = 0; i < 6; i++) {
      b2s[i] = sAct * s2[i];
    }
    int bias2 = b.bias("dw/b", biases(r, 6, 200), b2s);
    int y2 = b.int8("dw/out", sAct, -128, 1, 8, 8, 6);
    b.op(new Op.DepthwiseConv2D(y1, w2, bias2, y2, Padding.SAME, 1, 1, 1, Activation.RELU6));

    float[] s3 = scales(0.003f, 6);
    int w3 = b.filter("pw/w", weights(r, 36), s3, 0, 6, 1, 1, 6);
    float[] b3s = new float[6];
    for (int i = 0; i < 6; i++) {
      b3s[i] = sAct * s3[i];
    }
    int bias3 = b.bias("pw/b", biases(r, 6, 300), b3s);
    float sPw = 0.02f;
    int y3 = b.int8("pw/out", sPw, 0, 1, 8, 8, 6);
    b.op(new Op.Conv2D(y2, w3, bias3, y3, Padding.VALID, 1, 1, Activation.NONE));

    float sAdd = 0.04f;
    int y4 = b.int8("add/out", sAdd, -20, 1, 8, 8, 6);
    b.op(new Op.Add(y1, y3, y4, Activation.NONE));

    int y5 = b.int8("pool/out", sAdd, -20, 1, 1, 1, 6);
    b.op(new Op.Pool2D(false, y4, y5, Padding.VALID, 8, 8, 8, 8, Activation.NONE));

    int y6 = b.int8("flat", sAdd, -20, 1, 6);
    b.op(new Op.Reshape(y5, y6));

    float[] s7 = scales(0.01f, 3);
    int w7 = b.filter("fc/w", weights(r, 18), s7, 0, 3, 6);
    float[] b7s = new float[3];
    for (int i = 0; i < 3; i++) {
      b7s[i] = sAdd * s7[i];
    }
    int bias7 = b.bias("fc/b", biases(r, 3, 100), b7s);
    int y7 = b.int8("logits", 0.05f, 0, 1, 3);
    b.op(new Op.FullyConnected(y6, w7, bias7, y7, Activation.NONE));
    return b.inputs(x).outputs(y7).build("residual_cnn");
  }

  /** A random int8 input for {@link #residualCnn}. */
  static byte[] input(Random r) {
    byte[] in = new byte[8 * 8 * 2];
    for (int i = 0; i < in.length; i++) {
      in[i] = (byte) (r.nextInt(160) - 80);
    }
    return in;
  }

  /**
   * A learnable two-class task for {@link #residualCnn}: class 1 images are brighter in channel
   * 0 of the top half, class 0 in channel 1 of the bottom half, plus noise.
   */
  static byte[] sample(Random r, int label) {
    byte[] in = input(r);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        int ch = label == 1 ? 0 : 1;
        boolean region = label == 1 ? y < 4 : y >= 4;
        if (region) {
          int i = (y * 8 + x) * 2 + ch;
          in[i] = (byte) Math.min(127, in[i] + 40);
        }
      }
    }
    return in;
  }
}
