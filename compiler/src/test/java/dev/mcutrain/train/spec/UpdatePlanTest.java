package dev.mcutrain.train.spec;

import static dev.mcutrain.train.spec.Errors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.testing.GraphBuilder;
import dev.mcutrain.testing.SharedAssets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Resolving schemes on graphs. */
class UpdatePlanTest {

  /**
   * ops: 0 CONV_2D 3x3 (8 out, 3 in, bias), 1 DEPTHWISE_CONV_2D 3x3 (8 ch, bias), 2 CONV_2D 1x1
   * (16 out, 8 in, no bias), 3 MEAN, 4 FULLY_CONNECTED (4 units, 16 in, bias), 5 SOFTMAX.
   */
  static Graph small() {
    GraphBuilder b = new GraphBuilder();
    int in = b.int8("in", 0.1f, 0, 1, 8, 8, 3);
    int f0 = b.filter("f0", new byte[8 * 3 * 3 * 3], 0.01f, 8, 3, 3, 3);
    int b0 = b.bias("b0", new int[8], 0.001f);
    int a0 = b.int8("a0", 0.1f, 0, 1, 8, 8, 8);
    int f1 = b.filter("f1", new byte[9 * 8], 0.01f, 1, 3, 3, 8);
    int b1 = b.bias("b1", new int[8], 0.001f);
    int a1 = b.int8("a1", 0.1f, 0, 1, 8, 8, 8);
    int f2 = b.filter("f2", new byte[16 * 8], 0.01f, 16, 1, 1, 8);
    int a2 = b.int8("a2", 0.1f, 0, 1, 8, 8, 16);
    int a3 = b.int8("a3", 0.1f, 0, 1, 16);
    int f4 = b.filter("f4", new byte[4 * 16], 0.01f, 4, 16);
    int b4 = b.bias("b4", new int[4], 0.001f);
    int a4 = b.int8("a4", 0.1f, 0, 1, 4);
    int out = b.int8("out", 1f / 256, -128, 1, 4);
    b.op(new Op.Conv2D(in, f0, b0, a0, Padding.SAME, 1, 1, Activation.RELU))
        .op(new Op.DepthwiseConv2D(a0, f1, b1, a1, Padding.SAME, 1, 1, 1, Activation.RELU))
        .op(new Op.Conv2D(a1, f2, -1, a2, Padding.VALID, 1, 1, Activation.NONE))
        .op(new Op.Mean(a2, a3, ImmutableIntArray.of(1, 2), false))
        .op(new Op.FullyConnected(a3, f4, b4, a4, Activation.NONE))
        .op(new Op.Softmax(a4, out, 1f))
        .inputs(in).outputs(out);
    return b.build("small");
  }

  /** Weight channels per layer. */
  private static List<Integer> w(UpdatePlan p) {
    return p.layers().stream().map(UpdatePlan.Layer::weightChannels).toList();
  }

  /** Bias flags per layer. */
  private static List<Boolean> bias(UpdatePlan p) {
    return p.layers().stream().map(UpdatePlan.Layer::updateBias).toList();
  }

  private static UpdatePlan plan(String scheme) {
    return UpdatePlan.resolve(small(), UpdateScheme.parse(scheme), false);
  }

  @Test
  void layersAreTheTrainableOpsInForwardOrder() {
    UpdatePlan p = plan("full");
    assertEquals(List.of(0, 1, 2, 4),
        p.layers().stream().map(UpdatePlan.Layer::opIndex).toList());
    assertEquals(List.of(0, 1, 2, 3),
        p.layers().stream().map(UpdatePlan.Layer::layerIndex).toList());
    assertEquals(List.of("CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D", "FULLY_CONNECTED"),
        p.layers().stream().map(UpdatePlan.Layer::kind).toList());
    // Ratio channels: conv input channels (dim 3), depthwise channels (dim 3), FC depth (dim 1).
    assertEquals(List.of(3, 8, 8, 16),
        p.layers().stream().map(UpdatePlan.Layer::channels).toList());
    assertEquals(List.of(true, true, false, true),
        p.layers().stream().map(UpdatePlan.Layer::hasBias).toList());
  }

  @Test
  void fullUpdatesEverythingAndSkipsMissingBiases() {
    UpdatePlan p = plan("full");
    assertEquals(List.of(3, 8, 8, 16), w(p));
    assertEquals(List.of(true, true, false, true), bias(p));
    assertEquals(216 + 72 + 128 + 64, p.updatedWeightElements());
    assertEquals(8 + 8 + 4, p.updatedBiasElements());
    assertEquals(4, p.updated().size());
  }

  @Test
  void lastK() {
    assertEquals(List.of(0, 0, 0, 16), w(plan("last:1")));
    assertEquals(List.of(false, false, false, true), bias(plan("last:1")));
    assertEquals(List.of(0, 8, 8, 16), w(plan("last:3")));
    assertEquals(List.of(false, true, false, true), bias(plan("last:3")));
    assertEquals(w(plan("full")), w(plan("last:4")));
    assertEquals(bias(plan("full")), bias(plan("last:4")));
  }

  @Test
  void biasK() {
    UpdatePlan p = plan("bias:3");
    assertEquals(List.of(0, 0, 0, 0), w(p));
    assertEquals(List.of(false, true, false, true), bias(p));
    assertEquals(0, p.updatedWeightElements());
    assertEquals(12, p.updatedBiasElements());
    // Layer 2 has no bias: it is skipped, so it counts as frozen.
    assertEquals(List.of(1, 3), p.updated().stream().map(UpdatePlan.Layer::layerIndex).toList());
  }

  @Test
  void sparse() {
    UpdatePlan p = plan("sparse:bias=2;w=0:1/2,1:1/8,3:1/4");
    assertEquals(List.of(1, 1, 0, 4), w(p)); // max(1, floor(3/2)), max(1, 8/8), -, 16/4
    assertEquals(List.of(false, false, false, true), bias(p));
    assertEquals(8 * 9 * 1 + 9 * 1 + 4 * 4, p.updatedWeightElements());
    UpdatePlan onlyWeights = plan("sparse:w=2:1");
    assertEquals(List.of(0, 0, 8, 0), w(onlyWeights));
    assertEquals(List.of(false, false, false, false), bias(onlyWeights));
  }

  @Test
  void newHeadIsAlwaysFullyTrained() {
    Graph g = small();
    UpdatePlan p = UpdatePlan.resolve(g, UpdateScheme.parse("bias:2"), true);
    assertEquals(List.of(0, 0, 0, 16), w(p));
    assertEquals(List.of(false, false, false, true), bias(p));
    UpdatePlan s = UpdatePlan.resolve(g, UpdateScheme.parse("sparse:w=0:1"), true);
    assertEquals(List.of(3, 0, 0, 16), w(s));
    assertEquals(List.of(false, false, false, true), bias(s));
    assertTrue(s.describe().contains("new head"), s.describe());
  }

  @Test
  void outOfRangeCountsAndIndicesAreOneLineErrors() {
    assertUserError(() -> plan("last:5"), "update scheme 'last:5'", "K = 5",
        "the model has 4 trainable layers (0..3)");
    assertUserError(() -> plan("bias:9"), "K = 9", "the model has 4 trainable layers");
    assertUserError(() -> plan("sparse:bias=5"), "bias=N = 5", "4 trainable layers");
    assertUserError(() -> plan("sparse:bias=1;w=0:1,4:1/2"), "layer index 4 is out of range",
        "the model has 4 trainable layers (0..3)");
  }

  @Test
  void zeroCountsAreRejectedBeforeResolving() {
    assertUserError(() -> plan("last:0"), "K must be >= 1");
    assertUserError(() -> plan("bias:0"), "K must be >= 1");
  }

  @Test
  void graphWithoutTrainableLayers() {
    GraphBuilder b = new GraphBuilder();
    int in = b.int8("in", 0.1f, 0, 1, 4);
    int out = b.int8("out", 1f / 256, -128, 1, 4);
    b.op(new Op.Softmax(in, out, 1f)).inputs(in).outputs(out);
    assertUserError(() -> UpdatePlan.resolve(b.build("nothing"), UpdateScheme.FULL, false),
        "model 'nothing' has no trainable layers");
  }

  /** A graph whose last trainable layer is {@code last}, after a 1x1 conv. */
  private static Graph endingWith(String last) {
    GraphBuilder b = new GraphBuilder();
    int in = b.int8("in", 0.1f, 0, 1, 4, 4, 8);
    int f0 = b.filter("f0", new byte[8 * 8], 0.01f, 8, 1, 1, 8);
    int a0 = b.int8("a0", 0.1f, 0, 1, 4, 4, 8);
    b.op(new Op.Conv2D(in, f0, -1, a0, Padding.VALID, 1, 1, Activation.NONE));
    int out;
    switch (last) {
      case "dw" -> {
        int f = b.filter("f", new byte[9 * 8], 0.01f, 1, 3, 3, 8);
        out = b.int8("out", 0.1f, 0, 1, 4, 4, 8);
        b.op(new Op.DepthwiseConv2D(a0, f, -1, out, Padding.SAME, 1, 1, 1, Activation.NONE));
      }
      case "conv3x3" -> {
        int f = b.filter("f", new byte[2 * 9 * 8], 0.01f, 2, 3, 3, 8);
        out = b.int8("out", 0.1f, 0, 1, 2, 2, 2);
        b.op(new Op.Conv2D(a0, f, -1, out, Padding.VALID, 1, 1, Activation.NONE));
      }
      default -> {
        int f = b.filter("f", new byte[2 * 8], 0.01f, 2, 1, 1, 8);
        out = b.int8("out", 0.1f, 0, 1, 4, 4, 2);
        b.op(new Op.Conv2D(a0, f, -1, out, Padding.VALID, 1, 1, Activation.NONE));
      }
    }
    return b.inputs(in).outputs(out).build(last);
  }

  @Test
  void onlyAnFcOr1x1ConvClassifierCanBeReplaced() {
    assertUserError(() -> UpdatePlan.resolve(endingWith("dw"), UpdateScheme.FULL, true),
        "cannot replace the classifier of 'dw'", "op 1", "DEPTHWISE_CONV_2D");
    assertUserError(() -> UpdatePlan.resolve(endingWith("conv3x3"), UpdateScheme.FULL, true),
        "cannot replace the classifier of 'conv3x3'", "3x3 CONV_2D");
    UpdatePlan p = UpdatePlan.resolve(endingWith("conv1x1"), UpdateScheme.parse("bias:1"), true);
    assertEquals(List.of(0, 8), w(p));
    // The old 1x1 head has no bias but the fresh head gets one, so it is trained.
    assertEquals(List.of(false, true), bias(p));
    // Without a new head the same graphs resolve fine.
    assertEquals(2, UpdatePlan.resolve(endingWith("dw"), UpdateScheme.FULL, false)
        .layers().size());
  }

  @Test
  void describeListsUpdatedLayers() {
    assertEquals(String.join(System.lineSeparator(),
            "update sparse:bias=3;w=0:1/2: 3 of 4 layers, 72 weights + 12 biases",
            "  layer 0 (op 0 CONV_2D): weights 1/3 channels",
            "  layer 1 (op 1 DEPTHWISE_CONV_2D): weights frozen, bias",
            "  layer 3 (op 4 FULLY_CONNECTED): weights frozen, bias"),
        plan("sparse:bias=3;w=0:1/2").describe());
  }

  @Test
  void personDetect() {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    UpdatePlan full = UpdatePlan.resolve(g, UpdateScheme.FULL, false);
    ImmutableList<UpdatePlan.Layer> layers = full.layers();
    // MobileNetV1 0.25 for 1-channel input: the stem is a 3x3 DEPTHWISE_CONV_2D with multiplier 8
    // (not a CONV_2D), then 13 depthwise + pointwise pairs, then the 1x1 CONV_2D classifier (after
    // AVERAGE_POOL_2D; followed by RESHAPE and SOFTMAX): 28 trainable layers among 31 ops, and
    // layer i is op i except the classifier (layer 27 = op 28).
    assertEquals(31, g.ops().size());
    assertEquals(28, layers.size());
    assertEquals("DEPTHWISE_CONV_2D", layers.get(0).kind());
    assertEquals(8, layers.get(0).channels()); // C * M = 1 * 8
    for (int i = 1; i <= 26; i++) {
      assertEquals(i % 2 == 1 ? "DEPTHWISE_CONV_2D" : "CONV_2D", layers.get(i).kind(), "" + i);
      assertEquals(i, layers.get(i).opIndex());
    }
    UpdatePlan.Layer head = layers.get(27);
    assertEquals("CONV_2D", head.kind());
    assertEquals(28, head.opIndex());
    assertEquals("AVERAGE_POOL_2D", g.ops().get(27).kind());
    assertEquals("RESHAPE", g.ops().get(29).kind());
    assertEquals("SOFTMAX", g.ops().get(30).kind());
    assertEquals(256, head.channels());
    assertTrue(layers.stream().allMatch(UpdatePlan.Layer::hasBias));
    assertEquals(layers.stream().mapToLong(UpdatePlan.Layer::filterElements).sum(),
        full.updatedWeightElements());

    // The paper's scheme counts layers of a bigger network: index 36 does not exist here.
    assertUserError(() -> UpdatePlan.resolve(g, UpdateScheme.parse(UpdateSchemeTest.PAPER),
        true), "layer index 30 is out of range", "the model has 28 trainable layers (0..27)");
    assertUserError(() -> UpdatePlan.resolve(g, new UpdateScheme.LastK(29), false),
        "the model has 28 trainable layers");

    UpdatePlan sparse = UpdatePlan.resolve(g,
        UpdateScheme.parse("sparse:bias=22;w=20:1,22:1/8,24:1/4"), true);
    assertEquals(22, sparse.layers().stream().filter(UpdatePlan.Layer::updateBias).count());
    assertFalse(sparse.layer(5).updateBias());
    assertTrue(sparse.layer(6).updateBias());
    assertEquals(sparse.layer(20).channels(), sparse.layer(20).weightChannels());
    assertEquals(sparse.layer(22).channels() / 8, sparse.layer(22).weightChannels());
    assertEquals(sparse.layer(24).channels() / 4, sparse.layer(24).weightChannels());
    assertEquals(256, sparse.layer(27).weightChannels()); // new head
    assertEquals(List.of(20, 22, 24, 27), sparse.layers().stream()
        .filter(l -> l.weightChannels() > 0).map(UpdatePlan.Layer::layerIndex)
        .collect(Collectors.toList()));
    assertTrue(sparse.describe().startsWith("update sparse:bias=22;w=20:1,22:1/8,24:1/4 "
        + "(new head): 22 of 28 layers, 27,136 weights + 2,626 biases"), sparse.describe());

    assertEquals(String.join(System.lineSeparator(),
            "update last:2: 2 of 28 layers, 66,048 weights + 258 biases",
            "  layer 26 (op 26 CONV_2D): weights 256/256 channels, bias",
            "  layer 27 (op 28 CONV_2D): weights 256/256 channels, bias"),
        UpdatePlan.resolve(g, new UpdateScheme.LastK(2), false).describe());
  }
}
