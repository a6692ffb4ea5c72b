package dev.mcutrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import dev.mcutrain.McuTrainException;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.testing.GraphBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputConverterTest {
  @TempDir Path tmp;

  private static Image gray(int h, int w, int... px) {
    byte[] b = new byte[px.length];
    for (int i = 0; i < px.length; i++) {
      b[i] = (byte) px[i];
    }
    return new Image(h, w, 1, b);
  }

  @Test
  void sameSizeIsAnExactCopyShiftedBy128() {
    byte[] q = new InputConverter(2, 2, 1).convert(gray(2, 2, 0, 1, 128, 255));
    assertArrayEquals(new byte[] {-128, -127, 0, 127}, q);
  }

  @Test
  void bilinearWithHalfPixelCentres() {
    // 1x2 -> 1x4: source x = (x + 0.5) / 2 - 0.5 = -0.25 (clamped 0), 0.25, 0.75, 1.25 (1).
    byte[] q = new InputConverter(1, 4, 1).convert(gray(1, 2, 0, 200));
    assertArrayEquals(new byte[] {-128, 50 - 128, 150 - 128, 200 - 128}, q);
    // A constant image stays constant at any size.
    byte[] c = new InputConverter(7, 5, 1).convert(gray(3, 3, 9, 9, 9, 9, 9, 9, 9, 9, 9));
    for (byte v : c) {
      assertEquals(9 - 128, v);
    }
    // 4x4 -> 2x2 averages 2x2 blocks (source = 2 x + 0.5, weights 1/2).
    byte[] d = new InputConverter(2, 2, 1).convert(gray(4, 4, 0, 10, 20, 30, 40, 50, 60, 70, 80,
        90, 100, 110, 120, 130, 140, 150));
    assertArrayEquals(new byte[] {25 - 128, 45 - 128, 105 - 128, 125 - 128}, d);
  }

  @Test
  void channelConversions() {
    byte[] rgb = new InputConverter(1, 1, 3).convert(gray(1, 1, 77));
    assertArrayEquals(new byte[] {77 - 128, 77 - 128, 77 - 128}, rgb);
    Image color = new Image(1, 1, 3, new byte[] {(byte) 255, 0, 0});
    assertArrayEquals(new byte[] {(byte) (76 - 128)}, new InputConverter(1, 1, 1).convert(color));
  }

  @Test
  void theModelMustTakeAnImage() throws Exception {
    GraphBuilder b = new GraphBuilder();
    int in = b.int8("in", 0.1f, 0, 1, 4);
    int out = b.int8("out", 0.1f, 0, 1, 4);
    b.op(new Op.Reshape(in, out));
    Graph g = b.inputs(in).outputs(out).build("vector");
    String m = assertThrows(McuTrainException.class, () -> InputConverter.forModel(g))
        .getMessage();
    assertTrue(m.contains("is not an image"), m);
    GraphBuilder b2 = new GraphBuilder();
    int in2 = b2.int8("in", 0.1f, 0, 1, 6, 6, 3);
    int out2 = b2.int8("out", 0.1f, 0, 1, 108);
    b2.op(new Op.Reshape(in2, out2));
    InputConverter c = InputConverter.forModel(b2.inputs(in2).outputs(out2).build("img"));
    assertEquals(108, c.inputBytes());
  }

  @Test
  void dataSpecFormsAndErrors() throws Exception {
    assertEquals(DataSpec.Kind.FASHION_MNIST, DataSpec.parse("fashion-mnist").kind());
    assertEquals(DataSpec.Kind.IMAGES, DataSpec.parse("images:/x").kind());
    assertEquals(DataSpec.Kind.RAW, DataSpec.parse("raw:/x").kind());
    assertEquals(Path.of("/y"), DataSpec.parse("fashion-mnist:/y").dir());
    Files.write(tmp.resolve("samples.bin"), new byte[8]);
    assertEquals(DataSpec.Kind.RAW, DataSpec.parse(tmp.toString()).kind());
    String m = assertThrows(McuTrainException.class, () -> DataSpec.parse("mnist:/q"))
        .getMessage();
    assertTrue(m.contains("expected fashion-mnist"), m);
    // Raw data: labels decide the classes; the last 20% is the test split.
    Files.write(tmp.resolve("samples.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    Files.write(tmp.resolve("labels.bin"), new byte[] {0, 1, 0, 1, 1});
    DataSpec.TransferData d = DataSpec.parse("raw:" + tmp).load(null, 2,
        DataSpec.Options.defaults());
    assertEquals(2, d.classes());
    assertEquals(4, d.trainX().length);
    assertArrayEquals(new int[] {1}, d.testY());
    m = assertThrows(McuTrainException.class, () -> DataSpec.parse("raw:" + tmp).load(null, 3,
        DataSpec.Options.defaults())).getMessage();
    assertTrue(m.contains("the model's input"), m);
    m = assertThrows(McuTrainException.class, () -> DataSpec.parse("raw:" + tmp).load(null, 2,
        new DataSpec.Options(ClassRange.parse("3-4"), 1, 0, 0, 0.2))).getMessage();
    assertTrue(m.contains("classes 0-1"), m);
  }

  @Test
  void aClassRangeWithoutSamplesIsAnError() {
    LabeledImages d = new LabeledImages(ImmutableList.of(gray(1, 1, 0), gray(1, 1, 1)),
        new int[] {0, 2}, ImmutableList.of("a", "b", "c"));
    String m = assertThrows(McuTrainException.class, () -> d.subset(ClassRange.parse("1")))
        .getMessage();
    assertTrue(m.contains("no sample"), m);
  }
}
