package dev.mcutrain.passes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.McuTrainException;
import dev.mcutrain.engine.CEngine;
import dev.mcutrain.engine.InferenceEngine;
import dev.mcutrain.engine.JavaEngine;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.frontend.tflite.TfliteWriter;
import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.plan.InferenceLayout;
import dev.mcutrain.testing.GraphBuilder;
import dev.mcutrain.testing.SharedAssets;
import dev.mcutrain.train.ReferenceTrainer;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.TrainingProgram;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.spec.UpdateScheme;
import dev.mcutrain.engine.CTrainer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** PAD folded into its convolution: the same bits forward and backward, and less memory. */
class FoldPadTest {
  /**
   * conv 3x3 SAME (2 -> 4, RELU6) → PAD [top/left 1, bottom/right 0] → depthwise 3x3 stride 2
   * VALID (RELU6) → PAD [1, 1] → conv 3x3 stride 1 VALID (4 -> 3) → MEAN → FC (3 -> 2).
   */
  static Graph padded() {
    Random r = new Random(3);
    GraphBuilder b = new GraphBuilder();
    float sIn = 1f / 64;
    int x = b.int8("in", sIn, 0, 1, 8, 8, 2);
    int w1 = b.filter("c1/w", bytes(r, 4 * 9 * 2), 0.01f, 4, 3, 3, 2);
    int b1 = b.bias("c1/b", ints(r, 4, 200), 0.01f * sIn);
    float sA = 6f / 255;
    int y1 = b.int8("c1", sA, -128, 1, 8, 8, 4);
    b.op(new Op.Conv2D(x, w1, b1, y1, Padding.SAME, 1, 1, Activation.RELU6));
    int p1 = b.int8("pad1", sA, -128, 1, 9, 9, 4);
    b.op(new Op.Pad(y1, p1, ImmutableIntArray.of(0, 1, 1, 0), ImmutableIntArray.of(0, 0, 0, 0)));
    int w2 = b.filter("dw/w", bytes(r, 9 * 4), 0.02f, 1, 3, 3, 4);
    int b2 = b.bias("dw/b", ints(r, 4, 100), 0.02f * sA);
    int y2 = b.int8("dw", sA, -128, 1, 4, 4, 4);
    b.op(new Op.DepthwiseConv2D(p1, w2, b2, y2, Padding.VALID, 2, 2, 1, Activation.RELU6));
    int p2 = b.int8("pad2", sA, -128, 1, 6, 6, 4);
    b.op(new Op.Pad(y2, p2, ImmutableIntArray.of(0, 1, 1, 0), ImmutableIntArray.of(0, 1, 1, 0)));
    int w3 = b.filter("c3/w", bytes(r, 3 * 9 * 4), 0.01f, 3, 3, 3, 4);
    int b3 = b.bias("c3/b", ints(r, 3, 100), 0.01f * sA);
    int y3 = b.int8("c3", 0.05f, 0, 1, 4, 4, 3);
    b.op(new Op.Conv2D(p2, w3, b3, y3, Padding.VALID, 1, 1, Activation.NONE));
    int m = b.int8("mean", 0.05f, 0, 1, 3);
    b.op(new Op.Mean(y3, m, ImmutableIntArray.of(1, 2), false));
    int w4 = b.filter("fc/w", bytes(r, 6), 0.02f, 2, 3);
    int b4 = b.bias("fc/b", new int[] {0, 0}, 0.02f * 0.05f);
    int y4 = b.int8("logits", 0.05f, 0, 1, 2);
    b.op(new Op.FullyConnected(m, w4, b4, y4, Activation.NONE));
    return b.inputs(x).outputs(y4).build("padded");
  }

  static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (r.nextInt(255) - 127);
    }
    return b;
  }

  static int[] ints(Random r, int n, int range) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(2 * range) - range;
    }
    return v;
  }

  @Test
  void foldsBothPadsAndRenumbers() {
    Graph g = padded();
    Graph f = FoldPad.apply(g);
    assertEquals(g.ops().size() - 2, f.ops().size());
    assertEquals(g.tensors().size() - 2, f.tensors().size());
    Op.DepthwiseConv2D dw = (Op.DepthwiseConv2D) f.ops().get(1);
    assertEquals(new Op.ExplicitPad(1, 1), dw.explicitPad());
    assertEquals("c1", f.tensor(dw.input()).name());
    Op.Conv2D c3 = (Op.Conv2D) f.ops().get(2);
    assertEquals(new Op.ExplicitPad(1, 1), c3.explicitPad());
    for (int i = 0; i < f.tensors().size(); i++) {
      assertEquals(i, f.tensor(i).id());
    }
    assertSame(f.ops().size(), FoldPad.apply(f).ops().size()); // idempotent
    // A folded graph has no .tflite form.
    String m = assertThrows(McuTrainException.class, () -> TfliteWriter.write(f)).getMessage();
    assertTrue(m.contains("explicit padding"), m);
  }

  @Test
  void aPadWithTwoReadersOrChannelPaddingStays() {
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("in", 0.1f, 0, 1, 4, 4, 2);
    int p = b.int8("pad", 0.1f, 0, 1, 4, 4, 3);
    b.op(new Op.Pad(x, p, ImmutableIntArray.of(0, 0, 0, 0), ImmutableIntArray.of(0, 0, 0, 1)));
    int w = b.filter("w", new byte[9 * 3 * 2], 0.1f, 2, 3, 3, 3);
    int y = b.int8("y", 0.1f, 0, 1, 2, 2, 2);
    b.op(new Op.Conv2D(p, w, -1, y, Padding.VALID, 1, 1, Activation.NONE));
    Graph g = b.inputs(x).outputs(y).build("channel_pad");
    assertEquals(2, FoldPad.apply(g).ops().size());
  }

  @Test
  void foldedForwardEqualsThePaddedGraphInJavaAndC() {
    Graph g = padded();
    Graph f = FoldPad.apply(g);
    JavaEngine jg = new JavaEngine(g);
    JavaEngine jf = new JavaEngine(f);
    CEngine cf = new CEngine(f);
    Random r = new Random(1);
    for (int k = 0; k < 20; k++) {
      byte[] in = bytes(r, 128);
      assertArrayEquals(jg.run(in, false).output(), jf.run(in, false).output());
      InferenceEngine.Result a = jf.run(in, true);
      InferenceEngine.Result c = cf.run(in, true);
      for (int i = 0; i < f.ops().size(); i++) {
        assertArrayEquals(a.ops().get(i).bytes(), c.ops().get(i).bytes(), "op " + i);
      }
    }
    assertTrue(InferenceLayout.of(f).arenaBytes() < InferenceLayout.of(g).arenaBytes());
  }

  @Test
  void foldedTrainingStepEqualsThePaddedOneAndCMatchesJava() {
    Graph g = padded();
    TrainingSpec spec = TrainingSpec.builder().classes(2)
        .scheme(UpdateScheme.parse("sparse:bias=3;w=0:1,1:1,2:1/2")).learningRate(0.1f).seed(5)
        .build();
    TrainingProgram folded = TrainingProgram.fromSpec(g, spec); // folds
    TrainingProgram plain = TrainingProgram.build(g, spec.classes(),
        folded.updates().values().stream().map(u -> new TrainingProgram.LayerUpdate(
            u.op() + (u.op() >= 1 ? 1 : 0) + (u.op() >= 2 ? 1 : 0), u.bias(),
            u.weightChannels())).toList(), folded.options());
    assertEquals(g.ops().size() - 2, folded.graph().ops().size());
    ReferenceTrainer a = new ReferenceTrainer(folded);
    ReferenceTrainer b = new ReferenceTrainer(plain);
    Random r = new Random(8);
    List<byte[]> xs = new ArrayList<>();
    int[] ys = new int[30];
    float[] la = new float[30];
    for (int i = 0; i < 30; i++) {
      xs.add(bytes(r, 128));
      ys[i] = r.nextInt(2);
      la[i] = a.step(xs.get(i), ys[i]);
      assertEquals(Float.floatToIntBits(b.step(xs.get(i), ys[i])), Float.floatToIntBits(la[i]),
          "step " + i);
    }
    Map<String, byte[]> wa = weights(folded.graph(), a);
    Map<String, byte[]> wb = weights(g, b);
    for (Map.Entry<String, byte[]> e : wa.entrySet()) {
      assertNotNull(wb.get(e.getKey()));
      assertArrayEquals(wb.get(e.getKey()), e.getValue(), e.getKey());
    }
    assertArrayEquals(b.headWeights(), a.headWeights());
    CTrainer.Result c = new CTrainer(TrainingMemoryPlan.of(folded)).run(xs, ys);
    assertArrayEquals(la, c.losses());
    assertArrayEquals(a.exportState(), c.state());
  }

  private static Map<String, byte[]> weights(Graph g, ReferenceTrainer t) {
    Map<String, byte[]> m = new HashMap<>();
    for (Op op : g.ops()) {
      if (op instanceof Op.Conv2D || op instanceof Op.DepthwiseConv2D) {
        int w = op.inputs().get(1);
        m.put(g.tensor(w).name(), t.parameters().int8(w));
      }
    }
    return m;
  }

  @Test
  void paperModelsFoldExactly() {
    for (String name : new String[] {"mcunet-5fps", "mbv2-w0.35", "proxyless-w0.3"}) {
      Path p = SharedAssets.require().resolve("paper-models/" + name + ".tflite");
      Graph g = TfliteReader.read(p);
      Graph f = FoldPad.apply(g);
      assertEquals(g.ops().size() - 5, f.ops().size(), name);
      byte[] in = bytes(new Random(name.hashCode()), (int) g.inputBytes());
      assertArrayEquals(new JavaEngine(g).run(in, false).output(),
          new JavaEngine(f).run(in, false).output(), name);
      assertTrue(InferenceLayout.of(f).arenaBytes() <= 245_760, name);
    }
  }
}
