package dev.mcutrain.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.engine.JavaEngine;
import dev.mcutrain.fp32.FloatGraph;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.frontend.tflite.TfliteWriter;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.train.TrainingProgram;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pretrain end to end on a synthetic three-class image task: fp32 training learns it, the
 * quantized model written as .tflite reads back through the frontend, and its int8 inference
 * (the Java reference, = TFLite Micro) agrees with the pretrainer's own simulated-quantization
 * forward pass.
 */
class PretrainRoundTripTest {
  static final int SIZE = 16;
  static byte[][] xs;
  static int[] ys;
  static Pretrainer trainer;
  static Graph quantized;
  static float[] losses;

  /** Horizontal bars, vertical bars or a centred square, with noise; int8 = pixel - 128. */
  static byte[] image(Random r, int label) {
    byte[] b = new byte[SIZE * SIZE];
    for (int y = 0; y < SIZE; y++) {
      for (int x = 0; x < SIZE; x++) {
        boolean on = switch (label) {
          case 0 -> (y / 2) % 2 == 0;
          case 1 -> (x / 2) % 2 == 0;
          default -> Math.abs(x - 8) < 4 && Math.abs(y - 8) < 4;
        };
        int p = (on ? 180 : 40) + r.nextInt(60) - 30;
        b[y * SIZE + x] = (byte) (Math.max(0, Math.min(255, p)) - 128);
      }
    }
    return b;
  }

  @BeforeAll
  static void train() {
    Random r = new Random(3);
    xs = new byte[600][];
    ys = new int[600];
    for (int i = 0; i < xs.length; i++) {
      ys[i] = i % 3;
      xs[i] = image(r, ys[i]);
    }
    Graph arch = TinyMobileNet.build(SIZE, SIZE, 1, 3, 0.5, 1);
    trainer = new Pretrainer(arch);
    losses = trainer.train(xs, ys, new Pretrainer.Config(2, 16, 0.003f, 1, 2), null);
    List<float[]> cal = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      cal.add(trainer.realInput(xs[i]));
    }
    quantized = PostTrainingQuantizer.quantize(trainer.network(), cal);
  }

  @Test
  void fp32TrainingLearnsTheTask() {
    assertTrue(losses[1] < losses[0], "loss " + losses[0] + " -> " + losses[1]);
    assertTrue(trainer.accuracy(xs, ys) > 0.95, "accuracy " + trainer.accuracy(xs, ys));
  }

  @Test
  void quantizedGraphFollowsTfliteConventions() {
    for (Tensor t : quantized.tensors()) {
      if (t.isConstant()) {
        assertTrue(t.dtype() == DType.INT8 || t.dtype() == DType.INT32, t.name());
        if (t.dtype() == DType.INT8) {
          for (int c = 0; c < t.q().channelCount(); c++) {
            assertEquals(0, t.q().zeroPoint(c), t.name()); // symmetric weights
          }
        }
      } else {
        assertEquals(DType.INT8, t.dtype(), t.name());
      }
    }
    Tensor out = quantized.tensor(quantized.outputs().get(0));
    assertEquals(1f / 256, out.q().scale());
    assertEquals(-128, out.q().zeroPoint());
  }

  @Test
  void theWrittenFileReadsBackAndItsInt8InferenceMatchesTheSimulatedQuantization(
      @TempDir Path tmp) throws java.io.IOException {
    Path file = tmp.resolve("tiny_mobilenet.tflite"); // the reader names graphs after files
    TfliteWriter.write(quantized, file);
    Graph back = TfliteReader.read(file);
    assertEquals(quantized.ops(), back.ops());
    JavaEngine engine = new JavaEngine(back);
    int classifier = TrainingProgram.classifierOf(back);
    FloatGraph sim = FloatGraph.dequantized(quantized, classifier);
    int logitsId = quantized.ops().get(classifier).output();
    Tensor logitsT = quantized.tensor(logitsId);
    int agree = 0;
    int close = 0;
    int total = 0;
    for (int i = 0; i < 150; i++) {
      byte[] x = xs[i];
      byte[] probs = engine.run(x, false).output();
      byte[] logits = engine.run(x, true).ops().get(classifier).bytes();
      float[] simLogits = sim.forward(trainer.realInput(x), true)[logitsId];
      for (int k = 0; k < logits.length; k++) {
        int q = Math.round(simLogits[k] / logitsT.q().scale()) + logitsT.q().zeroPoint();
        if (Math.abs(q - logits[k]) <= 2) {
          close++;
        }
        total++;
      }
      int best = 0;
      for (int k = 1; k < probs.length; k++) {
        if (probs[k] > probs[best]) {
          best = k;
        }
      }
      if (best == Pretrainer.argmax(simLogits)) {
        agree++;
      }
    }
    assertTrue(agree >= 147, "top-1 agreement " + agree + "/150");
    assertTrue(close >= 0.95 * total, "logits within 2 LSB: " + close + "/" + total);
    // The file is a fixed point of read + write (the MEAN axes operand is appended once).
    assertArrayEquals(java.nio.file.Files.readAllBytes(file), TfliteWriter.write(back));
  }
}
