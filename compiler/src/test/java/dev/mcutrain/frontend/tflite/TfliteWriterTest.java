package dev.mcutrain.frontend.tflite;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.McuTrainException;
import dev.mcutrain.cli.Main;
import dev.mcutrain.engine.JavaEngine;
import dev.mcutrain.ir.Activation;
import dev.mcutrain.ir.ConstData;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Padding;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.ir.Shape;
import dev.mcutrain.ir.Tensor;
import dev.mcutrain.testing.GraphBuilder;
import dev.mcutrain.testing.SharedAssets;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.BuiltinOptions;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.OperatorCodeT;
import org.tensorflow.lite.schema.OperatorT;
import org.tensorflow.lite.schema.SubGraphT;
import org.tensorflow.lite.schema.TensorT;

/**
 * {@link TfliteWriter}: written files read back to the same graph (real models and every operator
 * kind), follow the TFLite conventions, are deterministic, and unwritable graphs are refused with a
 * one-line error.
 */
class TfliteWriterTest {

  private static final List<String> PAPER_MODELS =
      List.of("mcunet-5fps.tflite", "mbv2-w0.35.tflite", "proxyless-w0.3.tflite");

  private static Graph readBack(byte[] bytes, String name) {
    return TfliteReader.read(bytes, name, "written " + name);
  }

  // ---------------------------------------------------------------- real models

  /** The real models the reader accepts: all TFLite Micro models and the three paper models. */
  private static List<Path> realModels() throws IOException {
    Path assets = SharedAssets.require();
    List<Path> models = new ArrayList<>();
    try (Stream<Path> s = Files.list(assets.resolve("tflite-micro/models"))) {
      s.filter(p -> p.toString().endsWith(".tflite")).sorted().forEach(models::add);
    }
    PAPER_MODELS.forEach(m -> models.add(assets.resolve("paper-models").resolve(m)));
    return models;
  }

  @TestFactory
  Stream<DynamicTest> everyRealModelReadsBackEqual() throws IOException {
    if (SharedAssets.assetsOrNull() == null) {
      // Reported as one skipped test with SharedAssets' message (a skipped factory is silent).
      return Stream.of(dynamicTest("shared assets", SharedAssets::require));
    }
    List<Path> models = realModels();
    List<String> names = models.stream().map(p -> p.getFileName().toString()).toList();
    assertTrue(names.containsAll(List.of("person_detect.tflite", "hello_world_int8.tflite")),
        names.toString());
    return models.stream().map(path -> dynamicTest(path.getFileName().toString(), () -> {
      Graph g;
      try {
        g = TfliteReader.read(path);
      } catch (ModelFormatException e) {
        // Only TFLite Micro models the reader rejects are skipped; the named ones must read.
        assertFalse(PAPER_MODELS.contains(path.getFileName().toString())
            || path.endsWith("person_detect.tflite") || path.endsWith("hello_world_int8.tflite"),
            e.getMessage());
        return;
      }
      byte[] bytes = TfliteWriter.write(g);
      Graph back = readBack(bytes, g.name());
      assertSameGraph(g, back);
      // The auxiliary operands the reader keeps (shape, paddings) are reused, not appended.
      assertEquals(g, back);
      // Writing the read-back graph gives the same file.
      assertArrayEquals(bytes, TfliteWriter.write(back));
    }));
  }

  @Test
  void writtenPersonDetectInfersLikeTheOriginal() throws IOException {
    Graph original = TfliteReader.read(SharedAssets.personDetect());
    Graph written = readBack(TfliteWriter.write(original), original.name());
    for (String image : List.of("person", "no_person")) {
      byte[] input = Files.readAllBytes(
          SharedAssets.golden("person_detect/" + image).resolve("input.bin"));
      byte[] expected = new JavaEngine(original).run(input, false).output();
      assertArrayEquals(expected, new JavaEngine(written).run(input, false).output(), image);
    }
    byte[] person = Files.readAllBytes(
        SharedAssets.golden("person_detect/person").resolve("input.bin"));
    assertArrayEquals(new byte[] {-113, 113}, new JavaEngine(written).run(person, false).output());
  }

  @Test
  void personDetectFollowsTfliteConventions() throws IOException {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    byte[] bytes = TfliteWriter.write(g);
    checkConventions(g, bytes);
    ModelT m = unpack(bytes);
    // person_detect declares quantized_dimension=3 on its 1-D biases; the writer writes 0.
    for (TensorT t : m.getSubgraphs()[0].getTensors()) {
      if (t.getQuantization() != null && t.getShape().length == 1) {
        assertEquals(0, t.getQuantization().getQuantizedDimension(), t.getName());
      }
    }
    // The RESHAPE reads person_detect's own shape tensor (the reader keeps it as tensor 32).
    Op.Reshape ir = (Op.Reshape) g.ops().get(29);
    OperatorT reshape = m.getSubgraphs()[0].getOperators()[29];
    assertArrayEquals(new int[] {ir.input(), 32}, reshape.getInputs());
  }

  @Test
  void paperModelPadsReadTheirOwnPaddingsTensors() throws IOException {
    Graph g = TfliteReader.read(SharedAssets.require().resolve("paper-models/mbv2-w0.35.tflite"));
    byte[] bytes = TfliteWriter.write(g);
    checkConventions(g, bytes);
    Map<String, String> padOperands = new LinkedHashMap<>();
    ModelT m = unpack(bytes);
    SubGraphT sg = m.getSubgraphs()[0];
    for (OperatorT op : sg.getOperators()) {
      if (builtin(m, op) == BuiltinOperator.PAD) {
        padOperands.put(sg.getTensors()[op.getOutputs()[0]].getName(),
            sg.getTensors()[op.getInputs()[1]].getName());
      }
    }
    // Five PADs with identical paddings: each still gets its own tensor, as in the source file.
    assertEquals(5, padOperands.size());
    padOperands.forEach((out, paddings) ->
        assertEquals(out.replace(".pad", ".paddings"), paddings, out));
  }

  // ---------------------------------------------------------------- every operator kind

  /** Small valid graphs that together use every operator kind (and both pool kinds). */
  static Stream<Graph> singleOpGraphs() {
    List<Graph> graphs = new ArrayList<>();
    Random rnd = new Random(7);

    // Float32 edges first: in a union of these graphs they stay 4-byte aligned (see TfliteReader).
    GraphBuilder b = new GraphBuilder();
    int x = b.float32("x", 1, 8);
    int y = b.int8("y", 0.02f, 3, 1, 8);
    graphs.add(b.op(new Op.Quantize(x, y)).inputs(x).outputs(y).build("quantize"));

    b = new GraphBuilder();
    x = b.int8("x", 0.02f, 3, 1, 8);
    y = b.int8("y", 0.05f, -1, 1, 8);
    graphs.add(b.op(new Op.Quantize(x, y)).inputs(x).outputs(y).build("requantize"));

    b = new GraphBuilder();
    x = b.int8("x", 0.02f, 3, 1, 8);
    y = b.float32("y", 1, 8);
    graphs.add(b.op(new Op.Dequantize(x, y)).inputs(x).outputs(y).build("dequantize"));

    b = new GraphBuilder();
    x = b.int8("x", 0.5f, -1, 1, 4, 4, 2);
    int f = b.filter("w", weights(rnd, 54), new float[] {0.01f, 0.02f, 0.03f}, 0, 3, 3, 3, 2);
    int bias = b.bias("b", new int[] {10, -20, 30}, 0.005f, 0.01f, 0.015f);
    y = b.int8("y", 0.25f, -128, 1, 2, 2, 3);
    graphs.add(b.op(new Op.Conv2D(x, f, bias, y, Padding.SAME, 2, 2, Activation.RELU6))
        .inputs(x).outputs(y).build("conv"));

    b = new GraphBuilder();
    x = b.int8("x", 0.5f, 3, 1, 5, 5, 2);
    f = b.filter("w", weights(rnd, 36), 0.02f, 2, 3, 3, 2);
    y = b.int8("y", 0.25f, 0, 1, 3, 3, 2);
    graphs.add(b.op(new Op.Conv2D(x, f, -1, y, Padding.VALID, 1, 1, Activation.NONE))
        .inputs(x).outputs(y).build("conv_no_bias"));

    b = new GraphBuilder();
    x = b.int8("x", 0.5f, 0, 1, 3, 3, 2);
    f = b.filter("w", weights(rnd, 36), new float[] {0.1f, 0.2f, 0.3f, 0.4f}, 3, 1, 3, 3, 4);
    bias = b.bias("b", new int[] {1, 2, 3, 4}, 0.05f, 0.1f, 0.15f, 0.2f);
    y = b.int8("y", 0.5f, -128, 1, 1, 1, 4);
    graphs.add(b.op(new Op.DepthwiseConv2D(x, f, bias, y, Padding.VALID, 1, 1, 2,
        Activation.RELU)).inputs(x).outputs(y).build("depthwise"));

    b = new GraphBuilder();
    x = b.int8("x", 0.1f, 5, 1, 4);
    f = b.filter("w", weights(rnd, 12), 0.02f, 3, 4);
    bias = b.bias("b", new int[] {-7, 0, 7}, 0.002f);
    y = b.int8("y", 0.3f, -2, 1, 3);
    graphs.add(b.op(new Op.FullyConnected(x, f, bias, y, Activation.RELU_N1_TO_1))
        .inputs(x).outputs(y).build("fully_connected"));

    b = new GraphBuilder();
    x = b.int8("x", 0.1f, 5, 2, 1, 4);
    f = b.filter("w", weights(rnd, 12), new float[] {0.01f, 0.02f, 0.03f}, 0, 3, 4);
    y = b.int8("y", 0.3f, -2, 2, 1, 3);
    graphs.add(b.op(new Op.FullyConnected(x, f, -1, y, Activation.NONE))
        .inputs(x).outputs(y).build("fully_connected_keep_dims"));

    b = new GraphBuilder();
    int a1 = b.int8("a", 0.1f, 1, 1, 2, 2, 3);
    int a2 = b.int8("c", 0.2f, -3, 1, 1, 1, 3);
    y = b.int8("y", 0.3f, 0, 1, 2, 2, 3);
    graphs.add(b.op(new Op.Add(a1, a2, y, Activation.RELU)).inputs(a1, a2).outputs(y)
        .build("add"));

    b = new GraphBuilder();
    x = b.int8("x", 0.1f, 1, 1, 4, 4, 2);
    y = b.int8("y", 0.1f, 1, 1, 2, 2, 2);
    graphs.add(b.op(new Op.Pool2D(true, x, y, Padding.VALID, 2, 2, 2, 2, Activation.NONE))
        .inputs(x).outputs(y).build("max_pool"));

    b = new GraphBuilder();
    x = b.int8("x", 0.1f, 1, 1, 4, 4, 2);
    y = b.int8("y", 0.1f, 1, 1, 4, 4, 2);
    graphs.add(b.op(new Op.Pool2D(false, x, y, Padding.SAME, 1, 1, 3, 3, Activation.RELU6))
        .inputs(x).outputs(y).build("average_pool"));

    for (boolean keep : new boolean[] {false, true}) {
      b = new GraphBuilder();
      x = b.int8("x", 0.1f, 1, 1, 3, 3, 4);
      y = keep ? b.int8("y", 0.05f, 2, 1, 1, 1, 4) : b.int8("y", 0.05f, 2, 1, 4);
      graphs.add(b.op(new Op.Mean(x, y, ImmutableIntArray.of(1, 2), keep)).inputs(x).outputs(y)
          .build(keep ? "mean_keep_dims" : "mean"));
    }

    b = new GraphBuilder();
    x = b.int8("x", 0.1f, 1, 1, 1, 1, 10);
    y = b.int8("y", 0.1f, 1, 1, 10);
    graphs.add(b.op(new Op.Reshape(x, y)).inputs(x).outputs(y).build("reshape"));

    b = new GraphBuilder();
    x = b.int8("x", 0.1f, 1, 1, 10);
    y = b.int8("y", 1f / 256, -128, 1, 10);
    graphs.add(b.op(new Op.Softmax(x, y, 0.5f)).inputs(x).outputs(y).build("softmax"));

    b = new GraphBuilder();
    x = b.int8("x", 0.1f, -4, 1, 3, 3, 2);
    y = b.int8("y", 0.1f, -4, 1, 4, 6, 2);
    graphs.add(b.op(new Op.Pad(x, y, ImmutableIntArray.of(0, 1, 1, 0),
        ImmutableIntArray.of(0, 0, 2, 0))).inputs(x).outputs(y).build("pad"));

    return graphs.stream();
  }

  private static Graph singleOpGraph(String name) {
    return singleOpGraphs().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
  }

  private static byte[] weights(Random rnd, int n) {
    byte[] w = new byte[n];
    for (int i = 0; i < n; i++) {
      w[i] = (byte) (rnd.nextInt(255) - 127);
    }
    return w;
  }

  @Test
  void singleOpGraphsCoverEveryOperatorKind() {
    Set<Class<?>> used = singleOpGraphs().flatMap(g -> g.ops().stream())
        .map(op -> (Class<?>) op.getClass()).collect(Collectors.toSet());
    assertEquals(Set.of(Op.class.getPermittedSubclasses()), used);
    Set<String> kinds = singleOpGraphs().flatMap(g -> g.ops().stream()).map(Op::kind)
        .collect(Collectors.toSet());
    assertTrue(kinds.containsAll(Set.of("MAX_POOL_2D", "AVERAGE_POOL_2D")), kinds.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("singleOpGraphs")
  void everyOperatorKindReadsBack(Graph g) {
    byte[] bytes = TfliteWriter.write(g);
    Graph back = readBack(bytes, g.name());
    assertSameGraph(g, back);
    checkConventions(back, bytes);
    // RESHAPE, MEAN and PAD get their operand appended as a new constant; nothing else is added.
    Op op = g.ops().get(0);
    boolean aux = op instanceof Op.Mean || op instanceof Op.Reshape || op instanceof Op.Pad;
    assertEquals(g.tensors().size() + (aux ? 1 : 0), back.tensors().size());
    // The read-back graph is a fixed point: it writes the same file and reads back equal.
    assertArrayEquals(bytes, TfliteWriter.write(back));
    assertEquals(back, readBack(TfliteWriter.write(back), g.name()));
  }

  @Test
  void appendedOperandsHoldTheAttributes() {
    Map<String, Graph> graphs = singleOpGraphs()
        .collect(Collectors.toMap(Graph::name, g -> g));
    assertArrayEquals(new int[] {1, 10}, appendedOperand(graphs.get("reshape"), DType.INT32));
    assertArrayEquals(new int[] {1, 2}, appendedOperand(graphs.get("mean"), DType.INT32));
    assertArrayEquals(new int[] {0, 0, 1, 0, 1, 2, 0, 0},
        appendedOperand(graphs.get("pad"), DType.INT32));
    ModelT m = unpack(TfliteWriter.write(graphs.get("pad")));
    TensorT paddings = m.getSubgraphs()[0].getTensors()[2];
    assertArrayEquals(new int[] {4, 2}, paddings.getShape());
    assertEquals("y/paddings", paddings.getName());
    assertNull(paddings.getQuantization());
  }

  private static int[] appendedOperand(Graph g, DType dtype) {
    Graph back = readBack(TfliteWriter.write(g), g.name());
    Tensor t = back.tensors().get(back.tensors().size() - 1);
    assertEquals(dtype, t.dtype());
    assertTrue(t.quant().isEmpty());
    return t.data().orElseThrow().toInt32Array();
  }

  @Test
  void reusesAnUnreadConstantHoldingTheOperand() {
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("x", 0.1f, 1, 1, 1, 1, 10);
    b.int32Const("other_shape", new int[] {10, 1}, 2);
    int shape = b.int32Const("my_shape", new int[] {1, 10}, 2);
    int y = b.int8("y", 0.1f, 1, 1, 10);
    Graph g = b.op(new Op.Reshape(x, y)).inputs(x).outputs(y).build("reuse");
    byte[] bytes = TfliteWriter.write(g);
    assertEquals(g, readBack(bytes, g.name()));
    OperatorT op = unpack(bytes).getSubgraphs()[0].getOperators()[0];
    assertArrayEquals(new int[] {x, shape}, op.getInputs());
  }

  @Test
  void reusesInt64Paddings() {
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("x", 0.1f, -4, 1, 3, 3, 2);
    int y = b.int8("y", 0.1f, -4, 1, 4, 6, 2);
    Graph built = b.op(new Op.Pad(x, y, ImmutableIntArray.of(0, 1, 1, 0),
        ImmutableIntArray.of(0, 0, 2, 0))).inputs(x).outputs(y).build("pad64");
    ByteBuffer values = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : new long[] {0, 0, 1, 0, 1, 2, 0, 0}) {
      values.putLong(v);
    }
    List<Tensor> tensors = new ArrayList<>(built.tensors());
    tensors.add(new Tensor(2, "paddings64", DType.INT64, Shape.of(4, 2), Optional.empty(),
        Optional.of(ConstData.copyOf(values.array()))));
    Graph g = new Graph(built.name(), ImmutableList.copyOf(tensors), built.ops(), built.inputs(),
        built.outputs());
    byte[] bytes = TfliteWriter.write(g);
    assertEquals(g, readBack(bytes, g.name()));
    assertArrayEquals(new int[] {x, 2}, unpack(bytes).getSubgraphs()[0].getOperators()[0]
        .getInputs());
  }

  @Test
  void chainOfAllOperatorsReadsBack() {
    Graph chain = GraphBuilder.union("chain", singleOpGraphs().toList());
    byte[] bytes = TfliteWriter.write(chain);
    Graph back = readBack(bytes, chain.name());
    assertSameGraph(chain, back);
    checkConventions(back, bytes);
    ModelT m = unpack(bytes);
    Set<Integer> codes = new HashSet<>();
    for (OperatorCodeT c : m.getOperatorCodes()) {
      assertTrue(codes.add(c.getBuiltinCode()), "one operator code per builtin");
    }
    assertEquals(12, codes.size());
  }

  // ---------------------------------------------------------------- determinism, files, CLI

  @Test
  void writingIsDeterministic(@TempDir Path dir) throws IOException {
    Graph g = GraphBuilder.union("chain", singleOpGraphs().toList());
    byte[] first = TfliteWriter.write(g);
    Graph rebuilt = GraphBuilder.union("chain", singleOpGraphs().toList());
    assertArrayEquals(first, TfliteWriter.write(g));
    assertArrayEquals(first, TfliteWriter.write(rebuilt));
    Path file = dir.resolve("chain.tflite");
    TfliteWriter.write(g, file);
    assertArrayEquals(first, Files.readAllBytes(file));
  }

  @Test
  void personDetectWritesDeterministically() throws IOException {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    assertArrayEquals(TfliteWriter.write(g), TfliteWriter.write(g));
  }

  @Test
  void inspectAcceptsAWrittenFile(@TempDir Path dir) throws IOException {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    Path file = dir.resolve("written.tflite");
    TfliteWriter.write(g, file);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"inspect", file.toString()}, new PrintWriter(out, true),
        new PrintWriter(err, true));
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("model written: 31 operators, 89 tensors"),
        out.toString());
  }

  @Test
  void inspectAcceptsAWrittenBuiltGraph(@TempDir Path dir) {
    Path file = dir.resolve("chain.tflite");
    TfliteWriter.write(GraphBuilder.union("chain", singleOpGraphs().toList()), file);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new String[] {"inspect", file.toString()}, new PrintWriter(out, true),
        new PrintWriter(err, true));
    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("model chain: 16 operators"), out.toString());
  }

  @Test
  void unwritablePathIsAOneLineError(@TempDir Path dir) {
    Graph g = singleOpGraph("conv");
    Path file = dir.resolve("missing/dir/m.tflite");
    McuTrainException e = assertThrows(McuTrainException.class,
        () -> TfliteWriter.write(g, file));
    assertEquals(file + ": cannot write (no such directory)", e.getMessage());
  }

  // ---------------------------------------------------------------- unwritable graphs

  /** Writing {@code g} fails with a one-line error naming the graph and containing {@code part}. */
  private static void assertRefused(Graph g, String part) {
    McuTrainException e = assertThrows(McuTrainException.class, () -> TfliteWriter.write(g));
    String msg = e.getMessage();
    assertFalse(msg.contains("\n"), "one line: " + msg);
    assertTrue(msg.startsWith("cannot write graph '" + g.name() + "': "), msg);
    assertTrue(msg.contains(part), msg);
  }

  /** The conv graph with tensor {@code id} replaced by {@code change} of it. */
  private static Graph convWith(int id, UnaryOperator<Tensor> change) {
    Graph g = singleOpGraph("conv");
    List<Tensor> tensors = new ArrayList<>(g.tensors());
    tensors.set(id, change.apply(tensors.get(id)));
    return new Graph(g.name(), ImmutableList.copyOf(tensors), g.ops(), g.inputs(), g.outputs());
  }

  @Test
  void refusesInt8ActivationWithoutQuantization() {
    Graph g = convWith(0, t -> new Tensor(0, "x", DType.INT8, t.shape(), Optional.empty(),
        Optional.empty()));
    assertRefused(g, "operator 0 (CONV_2D): int8 tensor 0 ('x') has no quantization");
  }

  @Test
  void refusesAFloatConvolutionThroughTheReader() {
    Graph g = convWith(0, t -> new Tensor(0, "x", DType.FLOAT32, t.shape(), Optional.empty(),
        Optional.empty()));
    assertRefused(g, "operator 0 (CONV_2D) computes in float32");
  }

  @Test
  void refusesPerChannelScalesOffTheirAxis() {
    Graph g = convWith(1, w -> new Tensor(1, w.name(), w.dtype(), w.shape(),
        Optional.of(new QuantParams(new float[] {1f, 2f, 3f}, ImmutableIntArray.of(0, 0, 0), 3)),
        w.data()));
    assertRefused(g, "tensor 1 ('w') has 3 per-channel scales that do not match axis 3");
  }

  @Test
  void refusesDataOfTheWrongSize() {
    Graph g = convWith(2, b -> new Tensor(2, b.name(), b.dtype(), b.shape(), b.quant(),
        Optional.of(ConstData.ofInt32(1, 2))));
    assertRefused(g, "tensor 2 ('b') has 8 bytes of data but its shape [3] needs 12");
  }

  @Test
  void refusesMissingTensors() {
    Graph conv = singleOpGraph("conv");
    Graph g = new Graph(conv.name(), conv.tensors(),
        ImmutableList.of(new Op.Conv2D(0, 9, 2, 3, Padding.SAME, 2, 2, Activation.RELU6)),
        conv.inputs(), conv.outputs());
    assertRefused(g, "operator 0 (CONV_2D) input is tensor 9 of 4");
  }

  @Test
  void refusesAttributesThatWouldReadBackDifferently() {
    GraphBuilder b = new GraphBuilder();
    int x = b.int8("x", 0.1f, 1, 1, 3, 3, 4);
    int y = b.int8("y", 0.05f, 2, 1, 4);
    Graph g = b.op(new Op.Mean(x, y, ImmutableIntArray.of(2, 1), false)).inputs(x).outputs(y)
        .build("mean");
    assertRefused(g, "operator 0 (MEAN) would read back as");
  }

  // ---------------------------------------------------------------- helpers

  /**
   * {@code actual} (read back from a written file) has {@code expected}'s tensors at the same ids,
   * its operators, inputs and outputs; any further tensors are constants no IR operator reads.
   */
  private static void assertSameGraph(Graph expected, Graph actual) {
    assertTrue(actual.tensors().size() >= expected.tensors().size());
    for (Tensor e : expected.tensors()) {
      Tensor a = actual.tensor(e.id());
      String what = "tensor " + e.id() + " (" + e.name() + ")";
      assertEquals(e.name(), a.name(), what);
      assertEquals(e.dtype(), a.dtype(), what);
      assertEquals(e.shape(), a.shape(), what);
      assertEquals(e.quant(), a.quant(), what);
      assertEquals(e.data().isPresent(), a.data().isPresent(), what);
      if (e.data().isPresent()) {
        assertArrayEquals(e.data().get().toByteArray(), a.data().get().toByteArray(), what);
      }
    }
    assertEquals(expected.ops(), actual.ops());
    assertEquals(expected.inputs(), actual.inputs());
    assertEquals(expected.outputs(), actual.outputs());
    Set<Integer> read = new HashSet<>();
    actual.ops().forEach(op -> read.addAll(op.inputs()));
    for (Tensor extra : actual.tensors().subList(expected.tensors().size(),
        actual.tensors().size())) {
      assertTrue(extra.isConstant(), extra.name());
      assertFalse(read.contains(extra.id()), extra.name());
    }
  }

  private static ModelT unpack(byte[] bytes) {
    return Model.getRootAsModel(ByteBuffer.wrap(bytes)).unpack();
  }

  private static int builtin(ModelT m, OperatorT op) {
    return m.getOperatorCodes()[(int) op.getOpcodeIndex()].getBuiltinCode();
  }

  /** The file conventions of a written model whose read-back graph is {@code g}. */
  private static void checkConventions(Graph g, byte[] bytes) {
    ByteBuffer bb = ByteBuffer.wrap(bytes);
    assertTrue(Model.ModelBufferHasIdentifier(bb));
    Model model = Model.getRootAsModel(bb);
    for (int i = 1; i < model.buffersLength(); i++) {
      ByteBuffer data = model.buffers(i).dataAsByteBuffer();
      assertEquals(0, data.position() % TfliteWriter.BUFFER_ALIGNMENT, "buffer " + i);
    }
    ModelT m = model.unpack();
    assertEquals(3, m.getVersion());
    assertEquals("mcutrain", m.getDescription());
    assertEquals(1, m.getSubgraphs().length);
    assertEquals(0, m.getBuffers()[0].getData().length, "buffer 0 is the empty sentinel");

    Map<Integer, Integer> expectedVersion = Map.ofEntries(
        Map.entry(BuiltinOperator.CONV_2D, 3), Map.entry(BuiltinOperator.DEPTHWISE_CONV_2D, 3),
        Map.entry(BuiltinOperator.ADD, 2), Map.entry(BuiltinOperator.AVERAGE_POOL_2D, 2),
        Map.entry(BuiltinOperator.MAX_POOL_2D, 2), Map.entry(BuiltinOperator.MEAN, 2),
        Map.entry(BuiltinOperator.RESHAPE, 1), Map.entry(BuiltinOperator.SOFTMAX, 2),
        Map.entry(BuiltinOperator.PAD, 2), Map.entry(BuiltinOperator.QUANTIZE, 2),
        Map.entry(BuiltinOperator.DEQUANTIZE, 2));
    Set<Integer> seen = new HashSet<>();
    for (OperatorCodeT c : m.getOperatorCodes()) {
      assertTrue(seen.add(c.getBuiltinCode()), "duplicate operator code " + c.getBuiltinCode());
      assertEquals(Math.min(c.getBuiltinCode(), 127), c.getDeprecatedBuiltinCode());
      if (c.getBuiltinCode() == BuiltinOperator.FULLY_CONNECTED) {
        assertTrue(c.getVersion() == 4 || c.getVersion() == 5, "FULLY_CONNECTED version");
      } else {
        assertEquals(expectedVersion.get(c.getBuiltinCode()), c.getVersion(),
            BuiltinOperator.name(c.getBuiltinCode()));
      }
    }

    SubGraphT sg = m.getSubgraphs()[0];
    assertEquals(g.name(), sg.getName());
    assertEquals(g.tensors().size(), sg.getTensors().length);
    assertArrayEquals(g.inputs().stream().mapToInt(i -> i).toArray(), sg.getInputs());
    assertArrayEquals(g.outputs().stream().mapToInt(i -> i).toArray(), sg.getOutputs());
    Set<Long> buffers = new HashSet<>();
    for (int i = 0; i < sg.getTensors().length; i++) {
      TensorT t = sg.getTensors()[i];
      Tensor ir = g.tensor(i);
      if (ir.isConstant()) {
        assertTrue(t.getBuffer() > 0 && buffers.add(t.getBuffer()), "own buffer: " + t.getName());
      } else {
        assertEquals(0, t.getBuffer(), "activation on buffer 0: " + t.getName());
      }
      assertEquals(ir.quant().isPresent(), t.getQuantization() != null, t.getName());
    }
    assertEquals(buffers.size() + 1, m.getBuffers().length, "one buffer per constant");

    Map<Integer, Byte> optionsOf = Map.ofEntries(
        Map.entry(BuiltinOperator.CONV_2D, BuiltinOptions.Conv2DOptions),
        Map.entry(BuiltinOperator.DEPTHWISE_CONV_2D, BuiltinOptions.DepthwiseConv2DOptions),
        Map.entry(BuiltinOperator.FULLY_CONNECTED, BuiltinOptions.FullyConnectedOptions),
        Map.entry(BuiltinOperator.ADD, BuiltinOptions.AddOptions),
        Map.entry(BuiltinOperator.AVERAGE_POOL_2D, BuiltinOptions.Pool2DOptions),
        Map.entry(BuiltinOperator.MAX_POOL_2D, BuiltinOptions.Pool2DOptions),
        Map.entry(BuiltinOperator.MEAN, BuiltinOptions.ReducerOptions),
        Map.entry(BuiltinOperator.RESHAPE, BuiltinOptions.ReshapeOptions),
        Map.entry(BuiltinOperator.SOFTMAX, BuiltinOptions.SoftmaxOptions),
        Map.entry(BuiltinOperator.PAD, BuiltinOptions.PadOptions),
        Map.entry(BuiltinOperator.QUANTIZE, BuiltinOptions.NONE),
        Map.entry(BuiltinOperator.DEQUANTIZE, BuiltinOptions.NONE));
    for (int i = 0; i < sg.getOperators().length; i++) {
      OperatorT op = sg.getOperators()[i];
      int code = builtin(m, op);
      assertEquals(g.ops().get(i).kind(), BuiltinOperator.name(code));
      assertEquals(optionsOf.get(code), op.getBuiltinOptions().getType(), "options of op " + i);
      int[] expectedInputs = g.ops().get(i).inputs().stream().mapToInt(t -> t).toArray();
      if (code == BuiltinOperator.RESHAPE || code == BuiltinOperator.MEAN
          || code == BuiltinOperator.PAD) {
        assertEquals(2, op.getInputs().length, "op " + i + " has its constant operand");
        assertTrue(g.tensor(op.getInputs()[1]).isConstant());
        expectedInputs = Arrays.copyOf(expectedInputs, 2);
        expectedInputs[1] = op.getInputs()[1];
      }
      assertArrayEquals(expectedInputs, op.getInputs(), "inputs of op " + i);
      if (code == BuiltinOperator.RESHAPE) {
        assertArrayEquals(g.tensor(g.ops().get(i).output()).shape().dims().toArray(),
            op.getBuiltinOptions().asReshapeOptions().getNewShape());
      }
    }
  }
}
