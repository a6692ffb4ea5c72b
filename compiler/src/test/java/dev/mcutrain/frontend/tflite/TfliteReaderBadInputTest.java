package dev.mcutrain.frontend.tflite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.testing.SharedAssets;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.lite.schema.BuiltinOperator;
import org.tensorflow.lite.schema.Model;
import org.tensorflow.lite.schema.ModelT;
import org.tensorflow.lite.schema.TensorT;
import org.tensorflow.lite.schema.TensorType;

/**
 * Malformed models give a one-line {@link ModelFormatException} that names the problem. Each case
 * is a mutation of a real model (person_detect), not just an empty file.
 */
class TfliteReaderBadInputTest {

  private static byte[] personDetect() throws IOException {
    return Files.readAllBytes(SharedAssets.personDetect());
  }

  private static byte[] mutate(Consumer<ModelT> change) throws IOException {
    ModelT m = Model.getRootAsModel(ByteBuffer.wrap(personDetect())).unpack();
    change.accept(m);
    FlatBufferBuilder b = new FlatBufferBuilder(1 << 20);
    int root = Model.pack(b, m);
    Model.finishModelBuffer(b, root);
    return b.sizedByteArray();
  }

  private static String error(byte[] bytes) {
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> TfliteReader.read(bytes, "m", "model.tflite"));
    String msg = e.getMessage();
    assertFalse(msg.contains("\n"), "one line: " + msg);
    assertTrue(msg.startsWith("model.tflite: "), msg);
    return msg;
  }

  @Test
  void readsTheUnmodifiedRoundTrippedModel() throws IOException {
    Graph g = TfliteReader.read(mutate(m -> {}), "m", "model.tflite");
    assertEquals(31, g.ops().size());
  }

  @Test
  void rejectsMissingFile(@TempDir Path dir) {
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> TfliteReader.read(dir.resolve("nope.tflite")));
    assertTrue(e.getMessage().contains("no such file"), e.getMessage());
  }

  @Test
  void rejectsUnreadableFile(@TempDir Path dir) {
    ModelFormatException e = assertThrows(ModelFormatException.class,
        () -> TfliteReader.read(dir));
    assertTrue(e.getMessage().contains("cannot read"), e.getMessage());
  }

  @Test
  void rejectsEmptyAndTinyFiles() {
    assertTrue(error(new byte[0]).contains("not a TFLite model"));
    assertTrue(error(new byte[5]).contains("not a TFLite model"));
  }

  @Test
  void rejectsWrongIdentifier() throws IOException {
    byte[] b = personDetect();
    b[4] = 'X';
    assertTrue(error(b).contains("file identifier is 'XFL3'"));
  }

  @Test
  void rejectsTextFile() {
    String msg = error("hello, this is not a model at all\n".getBytes());
    assertTrue(msg.contains("not a TFLite model"), msg);
  }

  @Test
  void rejectsTruncatedFilesAtEveryTenthOfTheLength() throws IOException {
    byte[] b = personDetect();
    for (int i = 1; i < 10; i++) {
      byte[] cut = Arrays.copyOf(b, b.length * i / 10);
      String msg = error(cut);
      assertTrue(msg.contains("corrupt") || msg.contains("truncated"), msg);
    }
  }

  @Test
  void rejectsRootOffsetOutOfRange() throws IOException {
    byte[] b = personDetect();
    ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0, b.length + 100);
    assertTrue(error(b).contains("root table offset"));
  }

  @Test
  void rejectsAbsurdVectorLengths() throws IOException {
    // Overwrite the length word of the model's buffer vector with a huge value.
    byte[] b = personDetect();
    ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    Model m = Model.getRootAsModel(bb);
    int buffersVector = m.buffersLength();
    assertTrue(buffersVector > 0);
    int lengthAt = findVectorLengthWord(bb, buffersVector);
    bb.putInt(lengthAt, 0x7fffffff);
    String msg = error(b);
    assertTrue(msg.contains("corrupt"), msg);
  }

  /** The position of the buffers vector's length word (via the Model table's vtable). */
  private static int findVectorLengthWord(ByteBuffer bb, int expectedLength) {
    int root = bb.getInt(0);
    int vtable = root - bb.getInt(root);
    int fieldOffset = bb.getShort(vtable + 4 + 2 * 4); // field 4 of Model: buffers
    int at = root + fieldOffset;
    int vec = at + bb.getInt(at);
    assertEquals(expectedLength, bb.getInt(vec));
    return vec;
  }

  @Test
  void rejectsNegativeShapeDimension() throws IOException {
    String msg = error(mutate(m -> m.getSubgraphs()[0].getTensors()[34].setShape(
        new int[] {1, -48, 48, 8})));
    assertTrue(msg.contains("invalid shape dimension -48"), msg);
  }

  @Test
  void rejectsAbsurdShape() throws IOException {
    String msg = error(mutate(m -> m.getSubgraphs()[0].getTensors()[34].setShape(
        new int[] {1, 1 << 20, 1 << 20, 8})));
    assertTrue(msg.contains("absurd"), msg);
  }

  @Test
  void rejectsOutputShapeThatDisagreesWithTheOperator() throws IOException {
    String msg = error(mutate(m -> m.getSubgraphs()[0].getTensors()[34].setShape(
        new int[] {1, 47, 48, 8})));
    assertTrue(msg.contains("operator 0 (DEPTHWISE_CONV_2D)") && msg.contains("produces"), msg);
  }

  @Test
  void rejectsFloatModelWithAHint() throws IOException {
    String msg = error(mutate(m -> {
      for (TensorT t : m.getSubgraphs()[0].getTensors()) {
        var data = m.getBuffers()[(int) t.getBuffer()].getData();
        boolean activation = data == null || data.length == 0;
        if (t.getType() == TensorType.INT8 && activation) {
          t.setType(TensorType.FLOAT32);
          t.setQuantization(null);
        }
      }
    }));
    assertTrue(msg.contains("float model") && msg.contains("int8"), msg);
  }

  @Test
  void rejectsUnsupportedOperatorByNameAndIndex() throws IOException {
    String msg = error(mutate(m -> {
      int code = m.getSubgraphs()[0].getOperators()[27].getOpcodeIndex() >= 0
          ? (int) m.getSubgraphs()[0].getOperators()[27].getOpcodeIndex() : 0;
      m.getOperatorCodes()[code].setBuiltinCode(BuiltinOperator.TANH);
      m.getOperatorCodes()[code].setDeprecatedBuiltinCode((byte) BuiltinOperator.TANH);
    }));
    assertTrue(msg.contains("unsupported operator TANH at index 27"), msg);
  }

  @Test
  void rejectsOperandIndexOutOfRange() throws IOException {
    String msg = error(mutate(m -> m.getSubgraphs()[0].getOperators()[3].setInputs(
        new int[] {9999, 1, 2})));
    assertTrue(msg.contains("tensor 9999"), msg);
  }

  @Test
  void rejectsWeightBufferOfTheWrongSize() throws IOException {
    String msg = error(mutate(m -> {
      TensorT filter = m.getSubgraphs()[0].getTensors()[m.getSubgraphs()[0].getOperators()[2]
          .getInputs()[1]];
      var buf = m.getBuffers()[(int) filter.getBuffer()];
      buf.setData(Arrays.copyOf(buf.getData(), buf.getData().length - 3));
    }));
    assertTrue(msg.contains("bytes of data"), msg);
  }

  @Test
  void rejectsOpcodeIndexOutOfRange() throws IOException {
    String msg = error(mutate(m -> m.getSubgraphs()[0].getOperators()[5].setOpcodeIndex(77)));
    assertTrue(msg.contains("opcode index 77"), msg);
  }

  @Test
  void rejectsOperatorsOutOfExecutionOrder() throws IOException {
    String msg = error(mutate(m -> {
      var ops = m.getSubgraphs()[0].getOperators();
      var t = ops[0];
      ops[0] = ops[1];
      ops[1] = t;
    }));
    assertTrue(msg.contains("before any operator writes it"), msg);
  }

  @Test
  void rejectsModelWithoutOperators() throws IOException {
    String msg = error(mutate(m -> {
      m.getSubgraphs()[0].setOperators(new org.tensorflow.lite.schema.OperatorT[0]);
      m.getSubgraphs()[0].setOutputs(m.getSubgraphs()[0].getInputs());
    }));
    assertTrue(msg.contains("no operators"), msg);
  }

  @Test
  void toleratesPersonDetectBiasQuantizedDimensionQuirk() throws IOException {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    // The quirky 1-D bias tensors read as per-channel along axis 0.
    int bias = g.ops().get(0).inputs().get(2);
    assertEquals(0, g.tensor(bias).q().axis());
    assertTrue(g.tensor(bias).q().isPerChannel());
  }

  @Test
  void randomByteCorruptionNeverEscapesAsAnUncheckedException() throws IOException {
    byte[] original = personDetect();
    java.util.Random rnd = new java.util.Random(42);
    for (int trial = 0; trial < 300; trial++) {
      byte[] b = original.clone();
      // Corrupt the table region (the first part of the file holds offsets and vtables).
      for (int k = 0; k < 4; k++) {
        int pos = rnd.nextInt(Math.min(b.length, 4096));
        b[pos] = (byte) rnd.nextInt(256);
      }
      try {
        TfliteReader.read(b, "m", "model.tflite");
      } catch (ModelFormatException e) {
        assertFalse(e.getMessage().contains("\n"));
      }
    }
  }
}
