package dev.mcutrain.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.engine.CEngine;
import dev.mcutrain.engine.CTrainer;
import dev.mcutrain.engine.InferenceEngine;
import dev.mcutrain.engine.JavaEngine;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.memory.GreedyBySizePlanner;
import dev.mcutrain.passes.FoldPad;
import dev.mcutrain.testing.GraphBuilder;
import dev.mcutrain.testing.SharedAssets;
import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.train.ReferenceTrainer;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.TrainingProgram;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.spec.UpdateScheme;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Row pipelines: which chains the planner groups, the memory they save, and bit-exactness of the
 * generated C (chains run row by row) against the Java reference (every operator whole).
 */
class RowPipelinesTest {
  /** One stage of a test chain. */
  private record Stage(boolean depthwise, int k, int stride, Padding padding,
      Op.ExplicitPad pad, int outChannels, int multiplier) {}

  private static Stage conv(int k, int stride, Padding p, int out) {
    return new Stage(false, k, stride, p, null, out, 1);
  }

  private static Stage dw(int k, int stride, Padding p, int multiplier) {
    return new Stage(true, k, stride, p, null, 0, multiplier);
  }

  private static Stage dwPadded(int k, int stride, int top, int left) {
    return new Stage(true, k, stride, Padding.VALID, new Op.ExplicitPad(top, left), 0, 1);
  }

  private static int outSize(Stage s, int in) {
    if (s.pad() != null) {
      return (in + s.pad().top() - s.k()) / s.stride() + 1;
    }
    return s.padding() == Padding.SAME ? (in + s.stride() - 1) / s.stride()
        : (in - s.k()) / s.stride() + 1;
  }

  /**
   * input [1,h,w,c] → the stages in order → (optionally) ADD of the last output with the
   * input of the last {@code residualFrom} stages → graph output.
   */
  static Graph chain(long seed, int h, int w, int c, int residualFrom, Stage... stages) {
    return chain(seed, h, w, c, residualFrom, 0, stages);
  }

  /** The chain, then with {@code classes > 0} MEAN over H, W and a FULLY_CONNECTED classifier. */
  static Graph chain(long seed, int h, int w, int c, int residualFrom, int classes,
      Stage... stages) {
    Random r = new Random(seed);
    GraphBuilder b = new GraphBuilder();
    float s = 1f / 32;
    int x = b.int8("in", s, -3, 1, h, w, c);
    int cur = x;
    List<Integer> inputs = new ArrayList<>();
    for (int i = 0; i < stages.length; i++) {
      Stage st = stages[i];
      inputs.add(cur);
      int oc = st.depthwise() ? c * st.multiplier() : st.outChannels();
      int oh = outSize(st, h);
      int ow = st.pad() != null ? (w + st.pad().left() - st.k()) / st.stride() + 1
          : outSize(st, w);
      float sw = 0.3f / (st.k() * st.k() * (st.depthwise() ? 1 : c));
      float so = 0.05f + 0.01f * i;
      int y = b.int8("s" + i, so, i % 2 == 0 ? -128 : 5, 1, oh, ow, oc);
      if (st.depthwise()) {
        int f = b.filter("s" + i + "/w", bytes(r, st.k() * st.k() * oc), sw, 1, st.k(), st.k(),
            oc);
        int bias = b.bias("s" + i + "/b", ints(r, oc, 400), s * sw);
        b.op(new Op.DepthwiseConv2D(cur, f, bias, y, st.padding(), st.stride(), st.stride(),
            st.multiplier(), i % 2 == 0 ? Activation.RELU6 : Activation.NONE, st.pad()));
      } else {
        int f = b.filter("s" + i + "/w", bytes(r, oc * st.k() * st.k() * c), sw, oc, st.k(),
            st.k(), c);
        int bias = i == 1 ? -1 : b.bias("s" + i + "/b", ints(r, oc, 400), s * sw);
        b.op(new Op.Conv2D(cur, f, bias, y, st.padding(), st.stride(), st.stride(),
            i % 2 == 0 ? Activation.RELU : Activation.NONE, st.pad()));
      }
      cur = y;
      h = oh;
      w = ow;
      c = oc;
      s = so;
    }
    if (residualFrom > 0) {
      int from = inputs.get(stages.length - residualFrom);
      int y = b.int8("add", 0.07f, 1, 1, h, w, c);
      b.op(new Op.Add(from, cur, y, Activation.NONE));
      cur = y;
    }
    if (classes > 0) {
      int m = b.int8("mean", 0.05f, 0, 1, c);
      b.op(new Op.Mean(cur, m, ImmutableIntArray.of(1, 2), false));
      int f = b.filter("fc/w", bytes(r, classes * c), 0.02f, classes, c);
      int bias = b.bias("fc/b", new int[classes], 0.02f * 0.05f);
      cur = b.int8("logits", 0.1f, 0, 1, classes);
      b.op(new Op.FullyConnected(m, f, bias, cur, Activation.NONE));
    }
    return b.inputs(x).outputs(cur).build("chain" + seed);
  }

  private static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (r.nextInt(255) - 127);
    }
    return b;
  }

  private static int[] ints(Random r, int n, int range) {
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt(2 * range) - range;
    }
    return v;
  }

  private static final HostBuild BUILD = new HostBuild();

  /** C with the fused layout equals the Java reference on every traced operator. */
  private static void assertFusedMatchesJava(Graph g, int inputs) {
    InferenceLayout fused = InferenceLayout.fused(g);
    assertFalse(fused.pipelines().groups().isEmpty(), g.name());
    JavaEngine java = new JavaEngine(g);
    CEngine c = new CEngine(g, BUILD, fused);
    Random r = new Random(g.name().hashCode());
    for (int k = 0; k < inputs; k++) {
      byte[] in = bytes(r, (int) g.inputBytes());
      InferenceEngine.Result a = java.run(in, true);
      InferenceEngine.Result b = c.run(in, true);
      assertArrayEquals(a.output(), b.output(), g.name());
      for (InferenceEngine.OpOutput o : b.ops()) {
        assertFalse(fused.pipelines().isInternal(o.op()), "traced an internal op " + o.op());
        assertArrayEquals(a.ops().get(o.op()).bytes(), o.bytes(), g.name() + " op " + o.op());
      }
    }
  }

  @Test
  void invertedResidualIsOnePipelineAndNeedsFarLessArena() {
    // expand 1x1 (4 -> 24) -> depthwise 3x3 stride 2 (explicit top/left pad) -> project (24 -> 6)
    Graph g = chain(1, 17, 13, 4, 0, conv(1, 1, Padding.VALID, 24), dwPadded(3, 2, 1, 1),
        conv(1, 1, Padding.VALID, 6));
    RowPipelines p = RowPipelines.plan(g, 2, i -> true);
    // Line buffers: 3 rows of the 13-wide expanded tensor for the depthwise, 1 row of the 6-wide
    // depthwise output for the projection.
    assertEquals(List.of(new RowPipelines.Group(0, 2, align(3 * 13 * 24) + align(6 * 24))),
        p.groups());
    assertTrue(p.isInternal(0) && p.isInternal(1) && !p.isInternal(2));
    InferenceLayout plain = InferenceLayout.of(g);
    InferenceLayout fused = InferenceLayout.fused(g);
    // Unfused, the 17x13x24 expanded tensor is live; fused, only the line buffers are.
    assertTrue(plain.arenaBytes() >= 17 * 13 * 24, "" + plain.arenaBytes());
    assertEquals(align(3 * 13 * 24) + align(6 * 24), fused.arenaBytes());
    assertFusedMatchesJava(g, 6);
  }

  private static long align(long n) {
    return (n + 15) / 16 * 16;
  }

  @Test
  void chainsOfEveryShapeMatchJavaBitForBit() {
    List<Graph> graphs = List.of(
        // stem-like: 3x3 stride 2 SAME conv -> 5x5 depthwise SAME -> 1x1; odd widths
        chain(2, 15, 11, 3, 0, conv(3, 2, Padding.SAME, 8), dw(5, 1, Padding.SAME, 1),
            conv(1, 1, Padding.VALID, 5)),
        // depthwise with multiplier 2, then a 3x3 conv as the second stage, then 1x1
        chain(3, 10, 9, 4, 0, dw(3, 1, Padding.VALID, 2), conv(3, 1, Padding.SAME, 6),
            conv(1, 1, Padding.VALID, 7)),
        // 7x7 stride 2 SAME depthwise between pointwise layers, and a residual block reading
        // the chain's input twice (so the ADD's input cannot be internal)
        chain(4, 14, 14, 8, 3, conv(1, 1, Padding.VALID, 16), dw(3, 1, Padding.SAME, 1),
            conv(1, 1, Padding.VALID, 8)),
        chain(5, 16, 12, 4, 0, conv(1, 1, Padding.VALID, 12), dw(7, 2, Padding.SAME, 1),
            conv(1, 1, Padding.VALID, 4), conv(1, 1, Padding.VALID, 12),
            dw(3, 1, Padding.SAME, 1), conv(1, 1, Padding.VALID, 6)),
        // VALID stride-3 conv and a 2-row input band
        chain(6, 11, 7, 2, 0, conv(2, 3, Padding.VALID, 4), dw(2, 1, Padding.VALID, 1)));
    for (Graph g : graphs) {
      assertFusedMatchesJava(g, 3);
    }
  }

  @Test
  void theGroupingMaterializesTheFewestBytes() {
    // pw(4->12) dw pw(12->4) pw(4->12) dw pw(12->6): two blocks of three; grouping greedily
    // from the left would also give that, so start with an extra pointwise to shift the blocks.
    Graph g = chain(7, 8, 8, 4, 0, conv(1, 1, Padding.VALID, 4), conv(1, 1, Padding.VALID, 12),
        dw(3, 1, Padding.SAME, 1), conv(1, 1, Padding.VALID, 4), conv(1, 1, Padding.VALID, 12),
        dw(3, 1, Padding.SAME, 1), conv(1, 1, Padding.VALID, 6));
    RowPipelines p = RowPipelines.plan(g, g.ops().size() - 1, i -> true);
    // The 8x8x12 tensors (ops 1, 2, 4, 5) stay internal; the 8x8x4 ones (0, 3) are materialized.
    for (int op : new int[] {1, 2, 4, 5}) {
      assertTrue(p.isInternal(op), "op " + op + " in " + p.groups());
    }
    assertFalse(p.isInternal(0) || p.isInternal(3) || p.isInternal(6), p.groups().toString());
    // An ineligible operator splits the chain.
    RowPipelines q = RowPipelines.plan(g, g.ops().size() - 1, i -> i != 2);
    assertFalse(q.groupOf(2).isPresent());
    assertFalse(q.isInternal(1));
  }

  @Test
  void aTensorWithTwoReadersOrOnlyPaddingRowsIsNotLinked() {
    Graph g = chain(4, 14, 14, 8, 3, conv(1, 1, Padding.VALID, 16), dw(3, 1, Padding.SAME, 1),
        conv(1, 1, Padding.VALID, 8));
    RowPipelines p = RowPipelines.plan(g, g.ops().size() - 1, i -> true);
    assertEquals(1, p.groups().size());
    assertEquals(0, p.groups().get(0).first());
    assertEquals(2, p.groups().get(0).last()); // the ADD (op 3) reads the input and op 2
    // A depthwise whose padding exceeds its filter has output rows touching no input row.
    Graph pad = chain(8, 6, 6, 4, 0, conv(1, 1, Padding.VALID, 4), dwPadded(2, 1, 3, 0));
    assertTrue(RowPipelines.plan(pad, 1, i -> true).groups().isEmpty());
  }

  @Test
  void frozenChainsOfATrainingStepRunAsPipelinesAndCMatchesJava() {
    // chain -> MEAN -> FC classifier; a new 3-way head trains the last conv only, so the first
    // three operators are frozen and form a pipeline.
    Graph g = chain(9, 12, 12, 3, 0, 4, conv(3, 2, Padding.SAME, 8),
        dw(3, 1, Padding.SAME, 1), conv(1, 1, Padding.VALID, 6), conv(1, 1, Padding.VALID, 5));
    TrainingSpec spec = TrainingSpec.builder().classes(3)
        .scheme(UpdateScheme.parse("sparse:bias=2;w=3:1")).learningRate(0.05f).seed(3).build();
    TrainingProgram program = TrainingProgram.fromSpec(g, spec);
    TrainingMemoryPlan plan = TrainingMemoryPlan.of(program);
    assertEquals(List.of(0, 2), plan.pipelines().groups().stream()
        .flatMap(gr -> java.util.stream.Stream.of(gr.first(), gr.last())).toList());
    assertTrue(plan.table().contains("line buffers of operators 0..2"), plan.table());
    ReferenceTrainer ref = new ReferenceTrainer(program);
    Random r = new Random(4);
    List<byte[]> xs = new ArrayList<>();
    int[] ys = new int[12];
    float[] losses = new float[12];
    for (int i = 0; i < ys.length; i++) {
      xs.add(bytes(r, (int) g.inputBytes()));
      ys[i] = r.nextInt(3);
      losses[i] = ref.step(xs.get(i), ys[i]);
    }
    CTrainer.Result c = new CTrainer(plan).run(xs, ys);
    assertArrayEquals(losses, c.losses());
    assertArrayEquals(ref.exportState(), c.state());
  }

  @Test
  void paperModelsRunAsPipelinesBitForBit() {
    for (String name : new String[] {"mcunet-5fps", "mbv2-w0.35", "proxyless-w0.3"}) {
      Path p = SharedAssets.require().resolve("paper-models/" + name + ".tflite");
      Graph g = FoldPad.apply(TfliteReader.read(p));
      InferenceLayout fused = InferenceLayout.of(g, new GreedyBySizePlanner(),
          RowPipelines.plan(g, g.ops().size() - 1, i -> true));
      assertTrue(fused.arenaBytes() <= 60 * 1024, name + " " + fused.arenaBytes());
      byte[] in = bytes(new Random(name.hashCode()), (int) g.inputBytes());
      InferenceEngine.Result java = new JavaEngine(g).run(in, false);
      InferenceEngine.Result c = new CEngine(g, BUILD, fused).run(in, false);
      assertArrayEquals(java.output(), c.output(), name);
    }
  }
}
