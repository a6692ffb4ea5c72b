package dev.mcutrain.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.testing.GraphBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential test of the Java reference kernels against the runtime-c kernels driven by the
 * generated C: small synthetic graphs (mostly one operator) exercise the corners that the
 * real-model goldens do not reach (odd/even SAME padding with stride 2, per-tensor weights, every fused
 * activation, missing biases, broadcasting ADD, partial pooling windows, softmax below diff_min,
 * quantize ties and saturation, aliasing RESHAPE, several inputs). Each graph runs on three seeded
 * random inputs; the graph output and every operator's trace must be identical byte for byte, and
 * each int8 result must be informative (not all saturated).
 *
 * <p>Building a C program costs about 1.5 s of clang (every new model directory recompiles the
 * runtime too), so the int8 single-operator graphs of one family are run side by side in one
 * program: a "bundle" graph that is the disjoint union of the case graphs (own inputs, outputs and
 * operators, shared arena). Each case still checks only its own operators and outputs, and also
 * checks that the reference gives the same bytes for the case graph alone. Cases whose point is the
 * graph edge (float32 inputs or outputs, RESHAPE aliasing an input or output, two inputs) are
 * always built alone; {@code -Dmcutrain.test.standalone=true} builds every case alone. If a bundle
 * fails as a whole (say a kernel rejects its arguments), the case is re-run alone to pinpoint it.
 */
class KernelDifferentialTest {
  private static final int TRIALS = 3;
  private static final boolean STANDALONE = Boolean.getBoolean("mcutrain.test.standalone");

  /**
   * One case: a graph, the bundle it may share a C program with (null: always alone) and how to
   * fill its float32 inputs (int8 inputs are uniform random bytes).
   */
  record Case(Graph graph, String bundle, Function<Random, float[]> floats) {
    Case withBundle(String b) {
      return new Case(graph, b, floats);
    }

    String name() {
      return graph.name();
    }

    /** The packed input of one trial: the same bytes whether run alone or in a bundle. */
    byte[] input(int trial) {
      return KernelDifferentialTest.input(graph, floats,
          new Random(1000L * trial + name().hashCode()));
    }
  }

  /** Results of running one graph (a case alone or a bundle) in both engines. */
  static final class Run {
    final Graph graph;
    final List<InferenceEngine.Result> reference = new ArrayList<>();
    final List<InferenceEngine.Result> generated = new ArrayList<>();
    RuntimeException failure;

    Run(Graph graph) {
      this.graph = graph;
    }
  }

  /** A bundle's run plus where each member case starts in it. */
  record Placed(Run run, Map<String, int[]> offsets) {}

  private static final Map<String, Placed> BUNDLES = new HashMap<>();
  private static List<Case> allCases;

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void generatedCMatchesTheReferenceOnEveryOperator(Case c) {
    Graph g = c.graph();
    Run alone = null;
    Run run;
    int opBase = 0;
    int outBase = 0;
    if (c.bundle() == null || STANDALONE) {
      alone = runAlone(c);
      run = alone;
    } else {
      Placed p = bundle(c.bundle());
      if (p.run().failure != null) {
        // Pinpoint: the case alone, then report the bundle failure if the case is fine alone.
        alone = runAlone(c);
        if (alone.failure == null) {
          throw new AssertionError("bundle '" + c.bundle() + "' failed but " + c.name()
              + " alone runs: " + p.run().failure, p.run().failure);
        }
        run = alone;
      } else {
        run = p.run();
        opBase = p.offsets().get(c.name())[0];
        outBase = p.offsets().get(c.name())[1];
      }
    }
    if (run.failure != null) {
      throw run.failure;
    }
    int outBytes = (int) g.outputBytes();
    List<List<byte[]>> traces = new ArrayList<>();
    for (int i = 0; i < g.ops().size(); i++) {
      traces.add(new ArrayList<>());
    }
    JavaEngine caseReference = new JavaEngine(g);
    for (int trial = 0; trial < TRIALS; trial++) {
      InferenceEngine.Result expected = run.reference.get(trial);
      InferenceEngine.Result actual = run.generated.get(trial);
      String where = c.name() + (run.graph == g ? "" : " (in bundle " + c.bundle() + ")")
          + " trial " + trial;
      assertEquals(run.graph.ops().size(), expected.ops().size(), where + ": reference traces");
      assertEquals(run.graph.ops().size(), actual.ops().size(), where + ": C traces");
      for (int i = 0; i < g.ops().size(); i++) {
        InferenceEngine.OpOutput e = expected.ops().get(opBase + i);
        InferenceEngine.OpOutput a = actual.ops().get(opBase + i);
        assertEquals(opBase + i, a.op(), where + ": C trace order");
        assertArrayEquals(e.bytes(), a.bytes(),
            where + ": op " + i + " " + g.ops().get(i).kind() + " output differs");
        traces.get(i).add(e.bytes());
      }
      byte[] e = Arrays.copyOfRange(expected.output(), outBase, outBase + outBytes);
      byte[] a = Arrays.copyOfRange(actual.output(), outBase, outBase + outBytes);
      assertArrayEquals(e, a, where + ": graph output differs");
      if (run.graph != g) {
        // Bundling must not change what the reference computes for the case.
        assertArrayEquals(caseReference.run(c.input(trial), false).output(), e,
            where + ": the reference differs between the case alone and its bundle");
      }
    }
    for (int i = 0; i < g.ops().size(); i++) {
      Op op = g.ops().get(i);
      assertInformative(g.tensor(op.output()), traces.get(i),
          c.name() + " op " + i + " " + op.kind());
    }
  }

  private static Run runAlone(Case c) {
    List<byte[]> inputs = new ArrayList<>();
    for (int t = 0; t < TRIALS; t++) {
      inputs.add(c.input(t));
    }
    return execute(c.graph(), inputs);
  }

  /** Builds the graph into C once and runs both engines on every trial's input. */
  private static Run execute(Graph g, List<byte[]> inputs) {
    Run run = new Run(g);
    try {
      JavaEngine java = new JavaEngine(g);
      CEngine c = new CEngine(g);
      for (byte[] in : inputs) {
        run.reference.add(java.run(in, true));
        run.generated.add(c.run(in, true));
      }
    } catch (RuntimeException e) {
      run.failure = e;
    }
    return run;
  }

  private static synchronized Placed bundle(String name) {
    Placed p = BUNDLES.get(name);
    if (p != null) {
      return p;
    }
    List<Case> members = allCases.stream().filter(c -> name.equals(c.bundle())).toList();
    Map<String, int[]> offsets = new HashMap<>();
    int ops = 0;
    int outs = 0;
    for (Case m : members) {
      offsets.put(m.name(), new int[] {ops, outs});
      ops += m.graph().ops().size();
      outs += (int) m.graph().outputBytes();
    }
    Graph merged = GraphBuilder.union("bundle_" + name,
        members.stream().map(Case::graph).toList());
    List<byte[]> inputs = new ArrayList<>();
    for (int t = 0; t < TRIALS; t++) {
      ByteArrayOutputStream in = new ByteArrayOutputStream();
      for (Case m : members) {
        in.writeBytes(m.input(t));
      }
      inputs.add(in.toByteArray());
    }
    p = new Placed(execute(merged, inputs), offsets);
    BUNDLES.put(name, p);
    return p;
  }

  /** Not a degenerate case: values vary and not every int8 value sits at -128 or 127. */
  private static void assertInformative(Tensor t, List<byte[]> runs, String where) {
    Set<Integer> distinct = new HashSet<>();
    int unsaturated = 0;
    if (t.dtype() == DType.FLOAT32) {
      for (byte[] r : runs) {
        ByteBuffer b = ByteBuffer.wrap(r).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 4) {
          distinct.add(b.getInt());
        }
      }
      assertTrue(distinct.size() > 1, where + ": float output is constant");
      return;
    }
    for (byte[] r : runs) {
      for (byte v : r) {
        distinct.add((int) v);
        if (v != -128 && v != 127) {
          unsaturated++;
        }
      }
    }
    assertTrue(distinct.size() > 2, where + ": only " + distinct + " occur");
    assertTrue(unsaturated > 0, where + ": every value is saturated");
  }

  /** Packs every graph input: int8 as uniform random bytes, float32 from the case. */
  private static byte[] input(Graph g, Function<Random, float[]> floats, Random rnd) {
    ByteBuffer b = ByteBuffer.allocate((int) g.inputBytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (int id : g.inputs()) {
      Tensor t = g.tensor(id);
      if (t.dtype() == DType.FLOAT32) {
        float[] f = floats.apply(rnd);
        assertEquals(t.shape().size(), f.length, "float input size");
        for (float v : f) {
          b.putFloat(v);
        }
      } else {
        byte[] raw = new byte[t.shape().size()];
        rnd.nextBytes(raw);
        b.put(raw);
      }
    }
    return b.array();
  }

  // ================================================================================== cases

  static synchronized Stream<Arguments> cases() {
    List<Case> all = new ArrayList<>();
    // CONV_2D
    add(all, "conv",
        conv("conv_same_s2_odd9_perchannel_relu6", 1, 9, 9, 3, 4, 3, 3, Padding.SAME, 2,
        true, true, Activation.RELU6, 0.0f, -10));
    add(all, "conv", conv("conv_same_s2_even8_pertensor_relu", 2, 8, 8, 3, 5, 3, 3, Padding.SAME, 2,
        false, true, Activation.RELU, 0.0f, -20));
    add(all, "conv", conv("conv_same_s2_7x6_k2_nobias_none", 3, 7, 6, 2, 3, 2, 2, Padding.SAME, 2,
        true, false, Activation.NONE, 0.0f, 4));
    add(all, "conv", conv("conv_same_s1_7x6_k5_relu_n1_to_1", 4, 7, 6, 2, 3, 5, 5, Padding.SAME, 1,
        true, true, Activation.RELU_N1_TO_1, 0.02f, 2));
    add(all, "conv", conv("conv_valid_s1_nobias_pertensor_none", 5, 7, 7, 2, 3, 3, 3, Padding.VALID,
        1, false, false, Activation.NONE, 0.0f, -3));
    add(all, "conv",
        conv("conv_valid_s2_9x8_perchannel_relu", 6, 9, 8, 3, 4, 3, 3, Padding.VALID, 2,
        true, true, Activation.RELU, 0.0f, -128));
    add(all, "conv",
        conv("conv_1x1_perchannel_relu6", 7, 5, 5, 8, 6, 1, 1, Padding.SAME, 1, true, true,
        Activation.RELU6, 0.0f, -128));
    add(all, "conv",
        conv("conv_1x1_s2_pertensor_nobias", 8, 5, 5, 4, 3, 1, 1, Padding.VALID, 2, false,
        false, Activation.NONE, 0.0f, 0));
    add(all, "conv", convBatch2());
    // pointwise tails: odd pixel count, odd channel count, in_c not a multiple of 4
    add(all, "conv", conv("conv_1x1_ci6_co5_odd15px_pertensor_none", 10, 3, 5, 6, 5, 1, 1,
        Padding.VALID, 1, false, true, Activation.NONE, 0.0f, 3));
    add(all, "conv", conv("conv_1x1_ci16_co7_odd35px_perchannel_relu6", 16, 7, 5, 16, 7, 1, 1,
        Padding.SAME, 1, true, true, Activation.RELU6, 0.0f, -128));
    // DEPTHWISE_CONV_2D
    add(all, "depthwise", depthwise("dw_m1_3x3_s2_same_odd9_perchannel_relu6", 11, 9, 9, 4, 1, 2,
        Padding.SAME, true, true, Activation.RELU6, 0.0f, -5));
    add(all, "depthwise", depthwise("dw_m1_3x3_s2_same_even8_pertensor_relu", 12, 8, 8, 3, 1, 2,
        Padding.SAME, false, true, Activation.RELU, 0.0f, -30));
    add(all, "depthwise", depthwise("dw_m2_3x3_s1_same_perchannel_nobias_none", 13, 6, 6, 3, 2, 1,
        Padding.SAME, true, false, Activation.NONE, 0.0f, 6));
    add(all, "depthwise",
        depthwise("dw_m2_3x3_s2_same_odd7_perchannel_relu_n1_to_1", 14, 7, 7, 2, 2, 2,
        Padding.SAME, true, true, Activation.RELU_N1_TO_1, 0.02f, 0));
    add(all, "depthwise",
        depthwise("dw_m2_3x3_s2_valid_pertensor_nobias", 15, 8, 7, 2, 2, 2, Padding.VALID,
        false, false, Activation.NONE, 0.0f, -7));
    // FULLY_CONNECTED
    add(all, "fc", fc("fc_pertensor_bias_none", 21, new int[] {1, 32}, 10, false, true,
        Activation.NONE, 3));
    add(all, "fc", fc("fc_perchannel_batches3_bias_relu", 22, new int[] {3, 20}, 7, true, true,
        Activation.RELU, -40));
    add(all, "fc", fc("fc_perchannel_batches2_nobias_4d_input", 23, new int[] {2, 1, 1, 12}, 5,
        true, false, Activation.NONE, -2));
    add(all, "fc", fc("fc_pertensor_batches4_nobias_relu", 24, new int[] {4, 9}, 6, false, false,
        Activation.RELU, -128));
    // ADD
    add(all, "add", add("add_same_shape_none", new int[] {1, 5, 5, 4}, new int[] {1, 5, 5, 4},
        0.05f, 3, 0.02f, -7, Activation.NONE, -2));
    // Same shapes take the flat loop with the short requantization: extreme zero points, scale
    // ratios far from 1 either way, narrow activation ranges.
    add(all, "add", add("add_same_shape_extreme_zero_points", new int[] {1, 3, 7, 5},
        new int[] {1, 3, 7, 5}, 0.2f, -128, 0.0007f, 127, Activation.NONE, -20));
    add(all, "add", add("add_same_shape_relu6_tiny_second", new int[] {2, 4, 3, 6},
        new int[] {2, 4, 3, 6}, 0.01f, 100, 1.5f, -100, Activation.RELU6, -128));
    add(all, "add", add("add_same_shape_equal_scales_relu", new int[] {1, 9, 9, 3},
        new int[] {1, 9, 9, 3}, 0.0625f, -1, 0.0625f, -1, Activation.RELU, -3));
    add(all, "add", add("add_same_shape_rank2", new int[] {6, 11}, new int[] {6, 11}, 0.3f, 5,
        0.003f, -50, Activation.RELU_N1_TO_1, 0));
    add(all, "add", add("add_broadcast_channel_1113_relu", new int[] {1, 4, 4, 3},
        new int[] {1, 1, 1, 3}, 0.03f, -5, 0.08f, 10, Activation.RELU, -60));
    add(all, "add", add("add_broadcast_spatial_1411_none", new int[] {1, 4, 4, 3},
        new int[] {1, 4, 1, 1}, 0.1f, 0, 0.025f, -12, Activation.NONE, 5));
    add(all, "add", add("add_broadcast_first_operand_relu6", new int[] {1, 1, 1, 3},
        new int[] {1, 4, 4, 3}, 0.04f, 7, 0.06f, -1, Activation.RELU6, -100));
    add(all, "add", add("add_broadcast_batch_2332_plus_1332", new int[] {2, 3, 3, 2},
        new int[] {1, 3, 3, 2}, 0.09f, -20, 0.03f, 9, Activation.NONE, 0));
    add(all, "add", add("add_broadcast_rank1_operand", new int[] {1, 4, 4, 3}, new int[] {3},
        0.05f, -3, 0.07f, 2, Activation.NONE, 0));
    // AVERAGE_POOL_2D / MAX_POOL_2D
    add(all, "pool", pool("avgpool_same_5x5_f3_s2_partial", false, 5, 5, 3, 3, 3, 2, Padding.SAME,
        Activation.NONE, 0.05f, 4));
    add(all, "pool", pool("avgpool_same_6x7_f3_s2_relu", false, 6, 7, 2, 3, 3, 2, Padding.SAME,
        Activation.RELU, 0.05f, -10));
    add(all, "pool", pool("avgpool_valid_global_6x6", false, 6, 6, 4, 6, 6, 1, Padding.VALID,
        Activation.NONE, 0.1f, -3));
    add(all, "pool", pool("maxpool_same_5x5_f3_s2", true, 5, 5, 3, 3, 3, 2, Padding.SAME,
        Activation.NONE, 0.05f, 0));
    add(all, "pool", pool("maxpool_valid_8x8_f2_s2_relu6", true, 8, 8, 4, 2, 2, 2, Padding.VALID,
        Activation.RELU6, 0.05f, -20));
    // MEAN
    add(all, "mean_pad", mean("mean_hw_keepdims", 5, 5, 4, true, 0.05f, 10, 0.02f, -3));
    add(all, "mean_pad", meanBatch2());
    add(all, "mean_pad", mean("mean_hw_no_keepdims", 6, 7, 3, false, 0.1f, -20, 0.05f, 5));
    // PAD
    add(all, "mean_pad", pad("pad_hw_before_0110_after_0020", new int[] {1, 4, 5, 3},
        new int[] {0, 1, 1, 0}, new int[] {0, 0, 2, 0}, -7));
    add(all, "mean_pad", pad("pad_rank2", new int[] {3, 5}, new int[] {1, 0},
        new int[] {0, 2}, -1));
    add(all, "mean_pad",
        pad("pad_channels_and_batch", new int[] {1, 3, 3, 2}, new int[] {1, 0, 0, 1},
        new int[] {0, 1, 0, 2}, 12));
    // SOFTMAX
    add(all, "softmax",
        softmax("softmax_3x10_large_scale_below_diff_min", new int[] {3, 10}, 0.3f, 0,
        1.0f));
    add(all, "softmax", softmax("softmax_2x10_small_scale_beta_half", new int[] {2, 10}, 0.04f, -5,
        0.5f));
    // QUANTIZE / DEQUANTIZE
    add(all, null, quantizeF32());
    add(all, null, quantizeF32BeyondInt32());
    add(all, "chains", requantizeChain());
    add(all, null, dequantize());
    // RESHAPE and multi-operator graphs
    add(all, "chains", reshapeInTheMiddle());
    add(all, null, reshapeLast());
    add(all, null, reshapeOfGraphInput());
    add(all, null, twoInputs());
    add(all, null, threeOutputs());
    add(all, null, floatEdges());
    allCases = List.copyOf(all);
    return all.stream().map(c -> Arguments.of(Named.of(c.name(), c)));
  }

  private static void add(List<Case> all, String bundle, Case c) {
    all.add(c.withBundle(bundle));
  }

  private static Case int8Only(Graph g) {
    return new Case(g, null, r -> {
      throw new AssertionError("no float inputs");
    });
  }

  // ------------------------------------------------------------------------------ helpers

  private static byte[] weights(Random r, int n) {
    byte[] w = new byte[n];
    for (int i = 0; i < n; i++) {
      w[i] = (byte) (r.nextInt(255) - 127);
    }
    return w;
  }

  private static float[] channelScales(Random r, int n) {
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      s[i] = 0.001f + 0.009f * r.nextFloat();
    }
    return s;
  }

  private static float mean(float[] v) {
    double s = 0;
    for (float f : v) {
      s += f;
    }
    return (float) (s / v.length);
  }

  /**
   * An output scale putting the typical accumulator (taps * uniform int8 * uniform int8) at about
   * 50 quantization steps, so outputs spread over the int8 range without saturating everywhere.
   */
  private static float accScale(float sIn, float sW, int taps) {
    return (float) (sIn * sW * Math.sqrt(taps) * 74.0 * 73.0 / 50.0);
  }

  private static int[] biases(Random r, int n, int taps) {
    int bound = (int) (Math.sqrt(taps) * 3000);
    int[] b = new int[n];
    for (int i = 0; i < n; i++) {
      b[i] = r.nextInt(2 * bound + 1) - bound;
    }
    return b;
  }

  private static float[] biasScales(float sIn, float[] sW) {
    float[] s = new float[sW.length];
    for (int i = 0; i < s.length; i++) {
      s[i] = sIn * sW[i];
    }
    return s;
  }

  // ------------------------------------------------------------------------------ builders

  /** CONV_2D; outScale 0 picks one from the accumulator spread. */
  private static Case conv(String name, long seed, int h, int w, int ci, int co, int kh, int kw,
      Padding padding, int stride, boolean perChannel, boolean withBias, Activation act,
      float outScale, int outZp) {
    return conv(name, seed, 1, h, w, ci, co, kh, kw, padding, stride, perChannel, withBias, act,
        outScale, outZp);
  }

  private static Case conv(String name, long seed, int n, int h, int w, int ci, int co, int kh,
      int kw, Padding padding, int stride, boolean perChannel, boolean withBias, Activation act,
      float outScale, int outZp) {
    Random r = new Random(seed);
    float sIn = 0.02f + 0.08f * r.nextFloat();
    int inZp = r.nextInt(21) - 10;
    float[] sW = perChannel ? channelScales(r, co) : new float[] {0.004f};
    int taps = kh * kw * ci;
    float sOut = outScale > 0 ? outScale : accScale(sIn, mean(sW), taps);
    int oh = padding.outputSize(h, kh, stride);
    int ow = padding.outputSize(w, kw, stride);
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("input", sIn, inZp, n, h, w, ci);
    byte[] wv = weights(r, co * kh * kw * ci);
    int f = perChannel ? b.filter("filter", wv, sW, 0, co, kh, kw, ci)
        : b.filter("filter", wv, sW[0], co, kh, kw, ci);
    int bias = withBias ? b.bias("bias", biases(r, co, taps), biasScales(sIn, sW)) : -1;
    int y = b.int8("output", sOut, outZp, n, oh, ow, co);
    b.op(new Op.Conv2D(x, f, bias, y, padding, stride, stride, act));
    return int8Only(b.inputs(x).outputs(y).build(name));
  }

  private static Case convBatch2() {
    return conv("conv_batch2_same_s2_odd5_perchannel_none", 9, 2, 5, 5, 3, 4, 3, 3,
        Padding.SAME, 2, true, true, Activation.NONE, 0.0f, 1);
  }

  private static Case depthwise(String name, long seed, int h, int w, int ci, int mult,
      int stride, Padding padding, boolean perChannel, boolean withBias, Activation act,
      float outScale, int outZp) {
    Random r = new Random(seed);
    float sIn = 0.02f + 0.08f * r.nextFloat();
    int inZp = r.nextInt(21) - 10;
    int co = ci * mult;
    float[] sW = perChannel ? channelScales(r, co) : new float[] {0.005f};
    int taps = 9;
    float sOut = outScale > 0 ? outScale : accScale(sIn, mean(sW), taps);
    int oh = padding.outputSize(h, 3, stride);
    int ow = padding.outputSize(w, 3, stride);
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("input", sIn, inZp, 1, h, w, ci);
    byte[] wv = weights(r, 9 * co);
    int f = perChannel ? b.filter("filter", wv, sW, 3, 1, 3, 3, co)
        : b.filter("filter", wv, sW[0], 1, 3, 3, co);
    int bias = withBias ? b.bias("bias", biases(r, co, taps), biasScales(sIn, sW)) : -1;
    int y = b.int8("output", sOut, outZp, 1, oh, ow, co);
    b.op(new Op.DepthwiseConv2D(x, f, bias, y, padding, stride, stride, mult, act));
    return int8Only(b.inputs(x).outputs(y).build(name));
  }

  private static Case fc(String name, long seed, int[] inDims, int units, boolean perChannel,
      boolean withBias, Activation act, int outZp) {
    Random r = new Random(seed);
    float sIn = 0.02f + 0.08f * r.nextFloat();
    int inZp = r.nextInt(21) - 10;
    int depth = inDims[inDims.length - 1];
    int batches = 1;
    for (int d : inDims) {
      batches *= d;
    }
    batches /= depth;
    float[] sW = perChannel ? channelScales(r, units) : new float[] {0.006f};
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("input", sIn, inZp, inDims);
    int f = perChannel ? b.filter("weights", weights(r, units * depth), sW, 0, units, depth)
        : b.filter("weights", weights(r, units * depth), sW[0], units, depth);
    int bias = withBias ? b.bias("bias", biases(r, units, depth), biasScales(sIn, sW)) : -1;
    int y = b.int8("output", accScale(sIn, mean(sW), depth), outZp, batches, units);
    b.op(new Op.FullyConnected(x, f, bias, y, act));
    return int8Only(b.inputs(x).outputs(y).build(name));
  }

  private static int[] broadcastShape(int[] a, int[] bb) {
    int r = Math.max(a.length, bb.length);
    int[] out = new int[r];
    for (int i = 1; i <= r; i++) {
      int da = i <= a.length ? a[a.length - i] : 1;
      int db = i <= bb.length ? bb[bb.length - i] : 1;
      out[r - i] = Math.max(da, db);
    }
    return out;
  }

  private static Case add(String name, int[] aDims, int[] bDims, float sA, int zpA, float sB,
      int zpB, Activation act, int outZp) {
    GraphBuilder b = new GraphBuilder();
    int x1 = b.int8("input1", sA, zpA, aDims);
    int x2 = b.int8("input2", sB, zpB, bDims);
    float sOut = (float) (Math.hypot(74 * sA, 74 * sB) / 45.0);
    int y = b.int8("output", sOut, outZp, broadcastShape(aDims, bDims));
    b.op(new Op.Add(x1, x2, y, act));
    return int8Only(b.inputs(x1, x2).outputs(y).build(name));
  }

  private static Case pool(String name, boolean max, int h, int w, int c, int fh, int fw,
      int stride, Padding padding, Activation act, float scale, int zp) {
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("input", scale, zp, 1, h, w, c);
    int y = b.int8("output", scale, zp, 1, padding.outputSize(h, fh, stride),
        padding.outputSize(w, fw, stride), c);
    b.op(new Op.Pool2D(max, x, y, padding, stride, stride, fh, fw, act));
    return int8Only(b.inputs(x).outputs(y).build(name));
  }

  private static Case mean(String name, int h, int w, int c, boolean keepDims, float sIn,
      int zpIn, float sOut, int zpOut) {
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("input", sIn, zpIn, 1, h, w, c);
    b.int32Const("axes", new int[] {1, 2}, 2);
    int y = keepDims ? b.int8("output", sOut, zpOut, 1, 1, 1, c)
        : b.int8("output", sOut, zpOut, 1, c);
    b.op(new Op.Mean(x, y, ImmutableIntArray.of(1, 2), keepDims));
    return int8Only(b.inputs(x).outputs(y).build(name));
  }

  private static Case meanBatch2() {
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("input", 0.04f, -3, 2, 3, 3, 4);
    b.int32Const("axes", new int[] {1, 2}, 2);
    int y = b.int8("output", 0.015f, 1, 2, 1, 1, 4);
    b.op(new Op.Mean(x, y, ImmutableIntArray.of(1, 2), true));
    return int8Only(b.inputs(x).outputs(y).build("mean_hw_batch2_keepdims"));
  }

  private static Case pad(String name, int[] inDims, int[] before, int[] after, int zp) {
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("input", 0.05f, zp, inDims);
    int[] paddings = new int[2 * inDims.length];
    int[] outDims = new int[inDims.length];
    for (int i = 0; i < inDims.length; i++) {
      paddings[2 * i] = before[i];
      paddings[2 * i + 1] = after[i];
      outDims[i] = inDims[i] + before[i] + after[i];
    }
    b.int32Const("paddings", paddings, inDims.length, 2);
    int y = b.int8("output", 0.05f, zp, outDims);
    b.op(new Op.Pad(x, y, ImmutableIntArray.copyOf(before), ImmutableIntArray.copyOf(after)));
    return int8Only(b.inputs(x).outputs(y).build(name));
  }

  private static Case softmax(String name, int[] dims, float sIn, int zpIn, float beta) {
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("logits", sIn, zpIn, dims);
    int y = b.int8("probabilities", 1f / 256, -128, dims);
    b.op(new Op.Softmax(x, y, beta));
    return int8Only(b.inputs(x).outputs(y).build(name));
  }

  /**
   * float32 -> int8 with a power-of-two scale so that x / scale is exact: exact .5 ties of both
   * signs, ordinary values, values far out of range and +-0.
   */
  private static Case quantizeF32() {
    final float scale = 0.0625f;
    GraphBuilder b = new GraphBuilder();
    int x = b.float32("input", 1, 48);
    int y = b.int8("output", scale, 3, 1, 48);
    b.op(new Op.Quantize(x, y));
    Graph g = b.inputs(x).outputs(y).build("quantize_f32_ties_and_saturation");
    return new Case(g, null, r -> {
      float[] f = new float[48];
      for (int i = 0; i < 16; i++) {
        f[i] = (r.nextInt(261) - 130 + 0.5f) * scale; // exact ties, some beyond int8
      }
      for (int i = 16; i < 32; i++) {
        f[i] = (float) (r.nextGaussian() * 4.0);
      }
      float[] far = {1e3f, -1e3f, 300f, -300f, 1e6f, -1e6f, 8.0f, -8.25f, 7.96875f, -8.03125f,
          0f, -0f, 1e-30f, -1e-30f, 127.5f * scale, -128.5f * scale};
      System.arraycopy(far, 0, f, 32, far.length);
      return f;
    });
  }

  /**
   * float32 -> int8 for values whose quotient x / scale does not fit an int32 (and infinities),
   * with a positive and a negative output zero point: both must saturate.
   */
  private static Case quantizeF32BeyondInt32() {
    GraphBuilder b = new GraphBuilder();
    int x = b.float32("input", 1, 8);
    int q1 = b.int8("output_zp_pos", 0.05f, 3, 1, 8);
    int x2 = b.float32("input_again", 1, 8);
    int q2 = b.int8("output_zp_neg", 0.05f, -3, 1, 8);
    b.op(new Op.Quantize(x, q1)).op(new Op.Quantize(x2, q2));
    Graph g = b.inputs(x, x2).outputs(q1, q2).build("quantize_f32_beyond_int32_range");
    return new Case(g, null, r -> new float[] {1e10f, -1e10f, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, 3e38f, -3e38f, 0.5f, -0.75f});
  }

  /** int8 -> int8 twice: a scale ratio above one (left shift), then below one. */
  private static Case requantizeChain() {
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("input", 0.05f, -10, 1, 6, 8);
    int m = b.int8("requantized", 0.03f, 7, 1, 6, 8);
    int y = b.int8("output", 0.07f, -4, 1, 6, 8);
    b.op(new Op.Quantize(x, m)).op(new Op.Quantize(m, y));
    return int8Only(b.inputs(x).outputs(y).build("requantize_int8_up_then_down"));
  }

  private static Case dequantize() {
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("input", 0.037f, -9, 2, 3, 5);
    int y = b.float32("output", 2, 3, 5);
    b.op(new Op.Dequantize(x, y));
    return int8Only(b.inputs(x).outputs(y).build("dequantize_int8_to_f32"));
  }

  /** CONV_2D -> RESHAPE -> FULLY_CONNECTED: the reshape aliases an arena buffer. */
  private static Case reshapeInTheMiddle() {
    Random r = new Random(41);
    GraphBuilder b = new GraphBuilder();
    float sIn = 0.05f;
    int x = b.int8("input", sIn, -2, 1, 6, 6, 2);
    float[] sW = channelScales(r, 4);
    int f = b.filter("conv_filter", weights(r, 4 * 9 * 2), sW, 0, 4, 3, 3, 2);
    int bias = b.bias("conv_bias", biases(r, 4, 18), biasScales(sIn, sW));
    float sMid = accScale(sIn, mean(sW), 18);
    int mid = b.int8("conv_out", sMid, -15, 1, 3, 3, 4);
    int flat = b.int8("flat", sMid, -15, 1, 36);
    b.int32Const("shape", new int[] {1, 36}, 2);
    int fw = b.filter("fc_weights", weights(r, 8 * 36), 0.005f, 8, 36);
    int y = b.int8("logits", accScale(sMid, 0.005f, 36), 3, 1, 8);
    b.op(new Op.Conv2D(x, f, bias, mid, Padding.SAME, 2, 2, Activation.RELU))
        .op(new Op.Reshape(mid, flat))
        .op(new Op.FullyConnected(flat, fw, -1, y, Activation.NONE));
    return int8Only(b.inputs(x).outputs(y).build("chain_conv_reshape_fc"));
  }

  /** FULLY_CONNECTED -> SOFTMAX -> RESHAPE: the graph output aliases the softmax output. */
  private static Case reshapeLast() {
    Random r = new Random(42);
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("input", 0.06f, 5, 1, 24);
    float[] sW = channelScales(r, 10);
    int w = b.filter("weights", weights(r, 10 * 24), sW, 0, 10, 24);
    int bias = b.bias("bias", biases(r, 10, 24), biasScales(0.06f, sW));
    int logits = b.int8("logits", 0.15f, 0, 1, 10);
    int probs = b.int8("probs", 1f / 256, -128, 1, 10);
    int y = b.int8("probs_4d", 1f / 256, -128, 1, 1, 1, 10);
    b.op(new Op.FullyConnected(x, w, bias, logits, Activation.NONE))
        .op(new Op.Softmax(logits, probs, 1.0f))
        .op(new Op.Reshape(probs, y));
    return int8Only(b.inputs(x).outputs(y).build("chain_fc_softmax_reshape_last"));
  }

  /** A lone RESHAPE of the graph input: the output is a copy of the input buffer. */
  private static Case reshapeOfGraphInput() {
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("input", 0.05f, 1, 1, 2, 3, 4);
    b.int32Const("shape", new int[] {1, 24}, 2);
    int y = b.int8("output", 0.05f, 1, 1, 24);
    b.op(new Op.Reshape(x, y));
    return int8Only(b.inputs(x).outputs(y).build("reshape_of_graph_input"));
  }

  /** Two inputs: CONV_2D on the first, ADD of the second (broadcast), MAX_POOL_2D. */
  private static Case twoInputs() {
    Random r = new Random(43);
    GraphBuilder b = new GraphBuilder();
    float sIn = 0.04f;
    int x1 = b.int8("image", sIn, -1, 1, 5, 5, 3);
    int x2 = b.int8("offset", 0.1f, 4, 1, 1, 1, 4);
    float[] sW = channelScales(r, 4);
    int f = b.filter("filter", weights(r, 4 * 3), sW, 0, 4, 1, 1, 3);
    float sConv = accScale(sIn, mean(sW), 3);
    int conv = b.int8("conv", sConv, 2, 1, 5, 5, 4);
    float sSum = (float) (Math.hypot(74 * sConv, 74 * 0.1) / 45.0);
    int sum = b.int8("sum", sSum, -8, 1, 5, 5, 4);
    int y = b.int8("pooled", sSum, -8, 1, 3, 3, 4);
    b.op(new Op.Conv2D(x1, f, -1, conv, Padding.VALID, 1, 1, Activation.NONE))
        .op(new Op.Add(conv, x2, sum, Activation.RELU))
        .op(new Op.Pool2D(true, sum, y, Padding.SAME, 2, 2, 2, 2, Activation.NONE));
    return int8Only(b.inputs(x1, x2).outputs(y).build("two_inputs_conv_add_maxpool"));
  }

  /**
   * Three outputs: a CONV_2D result that is a graph output and is also read by MAX_POOL_2D and
   * aliased by a RESHAPE whose output is another graph output (copied at the end).
   */
  private static Case threeOutputs() {
    Random r = new Random(45);
    GraphBuilder b = new GraphBuilder();
    float sIn = 0.07f;
    int x = b.int8("input", sIn, 8, 1, 4, 4, 2);
    float[] sW = channelScales(r, 3);
    int f = b.filter("filter", weights(r, 3 * 9 * 2), sW, 0, 3, 3, 3, 2);
    int bias = b.bias("bias", biases(r, 3, 18), biasScales(sIn, sW));
    float sConv = accScale(sIn, mean(sW), 18);
    int conv = b.int8("conv", sConv, -3, 1, 4, 4, 3);
    int flat = b.int8("conv_flat", sConv, -3, 1, 48);
    int pooled = b.int8("pooled", sConv, -3, 1, 2, 2, 3);
    b.int32Const("shape", new int[] {1, 48}, 2);
    b.op(new Op.Conv2D(x, f, bias, conv, Padding.SAME, 1, 1, Activation.NONE))
        .op(new Op.Pool2D(true, conv, pooled, Padding.VALID, 2, 2, 2, 2, Activation.NONE))
        .op(new Op.Reshape(conv, flat));
    return int8Only(b.inputs(x).outputs(conv, flat, pooled)
        .build("three_outputs_conv_maxpool_reshape"));
  }

  /** float32 in and out: QUANTIZE -> DEPTHWISE_CONV_2D -> DEQUANTIZE. */
  private static Case floatEdges() {
    Random r = new Random(44);
    GraphBuilder b = new GraphBuilder();
    float sIn = 0.03f;
    int x = b.float32("input", 1, 4, 4, 3);
    int q = b.int8("input_q", sIn, -6, 1, 4, 4, 3);
    float[] sW = channelScales(r, 3);
    int f = b.filter("dw_filter", weights(r, 9 * 3), sW, 3, 1, 3, 3, 3);
    int bias = b.bias("dw_bias", biases(r, 3, 9), biasScales(sIn, sW));
    int dw = b.int8("dw_out", accScale(sIn, mean(sW), 9), 0, 1, 4, 4, 3);
    int y = b.float32("output", 1, 4, 4, 3);
    b.op(new Op.Quantize(x, q))
        .op(new Op.DepthwiseConv2D(q, f, bias, dw, Padding.SAME, 1, 1, 1, Activation.NONE))
        .op(new Op.Dequantize(dw, y));
    Graph g = b.inputs(x).outputs(y).build("chain_quantize_dw_dequantize");
    return new Case(g, null, rnd -> {
      float[] v = new float[48];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (rnd.nextGaussian() * 1.5);
      }
      return v;
    });
  }
}
