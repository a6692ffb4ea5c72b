package dev.mcutrain.data;

import static dev.mcutrain.data.Fixtures.assertError;
import static dev.mcutrain.data.Fixtures.gray;
import static dev.mcutrain.data.Fixtures.rgb;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.testing.GraphBuilder;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** {@link InputConverter}: resize, channels, the value mapping, and the model factory. */
class InputConverterTest {

  private static Image of(int h, int w, int c, int... values) {
    byte[] p = new byte[values.length];
    for (int i = 0; i < p.length; i++) {
      p[i] = (byte) values[i];
    }
    return new Image(h, w, c, p);
  }

  private static int[] u8(Image im) {
    int[] v = new int[im.pixels().length];
    for (int i = 0; i < v.length; i++) {
      v[i] = im.pixels()[i] & 0xff;
    }
    return v;
  }

  @Test
  void resizeToTheSameSizeIsBitExact() {
    Image g = gray(13, 7, 3);
    assertSame(g, InputConverter.resize(g, 13, 7));
    InputConverter c = new InputConverter(13, 7, 1, 1 / 255f, -128);
    byte[] q = c.convert(g);
    for (int i = 0; i < q.length; i++) {
      assertEquals((g.pixels()[i] & 0xff) - 128, q[i]);
    }
  }

  @Test
  void aConstantImageStaysConstant() {
    for (int v : new int[] {0, 1, 77, 254, 255}) {
      for (int[] size : new int[][] {{5, 3, 17, 29}, {28, 28, 96, 96}, {96, 96, 28, 28},
          {1, 1, 4, 6}, {9, 2, 1, 1}}) {
        byte[] p = new byte[size[0] * size[1] * 3];
        Arrays.fill(p, (byte) v);
        Image r = InputConverter.resize(new Image(size[0], size[1], 3, p), size[2], size[3]);
        assertEquals(size[2] + "x" + size[3] + "x3", r.describe());
        for (int x : u8(r)) {
          assertEquals(v, x);
        }
      }
    }
  }

  @Test
  void upscale2x2To4x4HasTheHalfPixelValues() {
    // src = (dst + 0.5) / 2 - 0.5 = -0.25 -> 0, 0.25, 0.75, 1.25 -> 1 on both axes
    Image r = InputConverter.resize(of(2, 2, 1, 0, 100, 200, 255), 4, 4);
    // row 0 = top row lerped by 0, .25, .75, 1; row 3 = bottom row; rows 1, 2 by .25, .75:
    // 213.75 -> 214, 241.25 -> 241, 72.1875 -> 72, 116.5625 -> 117, 138.75 -> 139,
    // 166.5625 -> 167, 199.6875 -> 200, 216.25 -> 216
    assertArrayEquals(new int[] {
        0, 25, 75, 100,
        50, 72, 117, 139,
        150, 167, 200, 216,
        200, 214, 241, 255}, u8(r));
  }

  @Test
  void downscaleAveragesPixelPairs() {
    // 4 -> 2: src = (dst + 0.5) * 2 - 0.5 = 0.5, 2.5: the mean of each 2x2 block
    Image r = InputConverter.resize(of(4, 4, 1,
        0, 10, 100, 101,
        20, 30, 102, 104,
        255, 255, 1, 2,
        255, 254, 3, 4), 2, 2);
    assertArrayEquals(new int[] {15, 102, 255, 3}, u8(r)); // 15, 101.75, 254.75, 2.5 rounded up
    // 3 -> 1: src = 1.5 * 3 - 0.5 = 1: the middle pixel
    assertArrayEquals(new int[] {42}, u8(InputConverter.resize(of(1, 3, 1, 9, 42, 200), 1, 1)));
    // rows and columns independently: 1x4 -> 1x2 keeps the single row
    assertArrayEquals(new int[] {5, 25}, u8(InputConverter.resize(of(1, 4, 1, 0, 10, 20, 30),
        1, 2)));
  }

  @Test
  void resizeKeepsRgbChannelsApart() {
    Image r = InputConverter.resize(of(1, 2, 3, 0, 100, 200, 100, 100, 0), 1, 4);
    assertArrayEquals(new int[] {0, 100, 200, 25, 100, 150, 75, 100, 50, 100, 100, 0}, u8(r));
  }

  @Test
  void grayToRgbReplicatesAndRgbToGrayUsesBt601Weights() {
    Image g = gray(2, 3, 40);
    Image c3 = InputConverter.toChannels(g, 3);
    for (int y = 0; y < 2; y++) {
      for (int x = 0; x < 3; x++) {
        for (int ch = 0; ch < 3; ch++) {
          assertEquals(g.get(y, x, 0), c3.get(y, x, ch));
        }
      }
    }
    assertArrayEquals(g.pixels(), InputConverter.toChannels(c3, 1).pixels(), "gray round trip");
    Image rgb = of(1, 5, 3, 255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 10, 20, 30);
    // 76.245 -> 76, 149.685 -> 150, 29.07 -> 29, 255, 2.99 + 11.74 + 3.42 = 18.15 -> 18
    assertArrayEquals(new int[] {76, 150, 29, 255, 18}, u8(InputConverter.toChannels(rgb, 1)));
    assertSame(rgb, InputConverter.toChannels(rgb, 3));
  }

  @Test
  void convertDoesChannelsResizeAndValues() {
    InputConverter c = new InputConverter(4, 4, 3, 0.5f, 3);
    assertEquals(48, c.inputBytes());
    byte[] q = c.convert(of(2, 2, 1, 0, 100, 200, 255));
    int[] expected = {
        0, 25, 75, 100,
        50, 72, 117, 139,
        150, 167, 200, 216,
        200, 214, 241, 255};
    for (int i = 0; i < 16; i++) {
      for (int ch = 0; ch < 3; ch++) {
        assertEquals(expected[i] - 128, q[3 * i + ch]);
      }
    }
    byte[][] all = c.convertAll(new LabeledImages(List.of(rgb(3, 3, 0), gray(8, 8, 9)),
        new int[] {0, 1}, List.of("a", "b")));
    assertEquals(2, all.length);
    assertEquals(48, all[1].length);
  }

  /**
   * The mapping reduces to q = p - 128 for every quantization: real = lo + p/255 (hi - lo) with
   * hi - lo = 255 s is (p - 128 - zp) s, so real/s + zp = p - 128. These are the usual input
   * quantizations ([0, 1]: s = 1/255, zp = -128; [-1, 1]: s = 2/255 or 1/128 with zp 0 or -1;
   * [0, 255]: s = 1, zp = -128) and some odd ones.
   */
  @Test
  void valuesMapToPMinus128ForCommonQuantizations() {
    float[][] cases = {{1 / 255f, -128}, {2 / 255f, 0}, {0.0078125f, 0}, {0.007843138f, -1},
        {1f, -128}, {0.003921569f, -128}, {0.02f, 27}, {1e-6f, 127}, {1000f, -128},
        {Float.MIN_NORMAL, 0}, {Float.MAX_VALUE / 256, -128}};
    for (float[] sz : cases) {
      InputConverter c = new InputConverter(1, 1, 1, sz[0], (int) sz[1]);
      for (int p = 0; p < 256; p++) {
        assertEquals(p - 128, c.quantize(p), "s=" + sz[0] + " zp=" + sz[1] + " p=" + p);
      }
    }
  }

  /** The same for any accepted scale (positive, normal, 256 s finite) and int8 zero point. */
  @Property(tries = 300)
  void valuesMapToPMinus128ForAnyQuantization(
      @ForAll @FloatRange(min = 1f, max = 2f, maxIncluded = false) float mantissa,
      @ForAll @IntRange(min = -126, max = 119) int exponent,
      @ForAll @IntRange(min = -128, max = 127) int zp) {
    float scale = Math.scalb(mantissa, exponent);
    InputConverter c = new InputConverter(1, 1, 1, scale, zp);
    for (int p = 0; p < 256; p++) {
      assertEquals(p - 128, c.quantize(p), "s=" + scale + " zp=" + zp + " p=" + p);
    }
  }

  @Test
  void realValuesAreWhatTheModelExpects() {
    // [0, 1] input: real = s * (q - zp) = p / 255
    InputConverter c = new InputConverter(1, 1, 1, 1 / 255f, -128);
    for (int p = 0; p < 256; p++) {
      assertEquals(p / 255f, (c.quantize(p) + 128) / 255f, 1e-6);
    }
    // [-1, 1] input with s = 1/128, zp = 0: real = (p - 128) / 128
    InputConverter d = new InputConverter(1, 1, 1, 0.0078125f, 0);
    assertEquals(-1f, d.quantize(0) * 0.0078125f);
    assertEquals(127 / 128f, d.quantize(255) * 0.0078125f);
  }

  @Test
  void badParameters() {
    assertThrows(IllegalArgumentException.class, () -> new InputConverter(1, 1, 2, 1f, 0));
    assertThrows(IllegalArgumentException.class, () -> new InputConverter(0, 1, 1, 1f, 0));
    assertThrows(IllegalArgumentException.class, () -> new InputConverter(1, 1, 1, 0f, 0));
    assertThrows(IllegalArgumentException.class, () -> new InputConverter(1, 1, 1, 1e-40f, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new InputConverter(1, 1, 1, Float.NaN, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new InputConverter(1, 1, 1, Float.MAX_VALUE, 0));
    assertThrows(IllegalArgumentException.class, () -> new InputConverter(1, 1, 1, 1f, 128));
  }

  private static Graph model(int inputId, GraphBuilder b) {
    int out = b.int8("out", 1f, 0, 1, 2);
    return b.op(new Op.Reshape(inputId, out)).inputs(inputId).outputs(out).build("m");
  }

  @Test
  void fromAModel() {
    GraphBuilder b = new GraphBuilder();
    InputConverter c = InputConverter.forModel(model(b.int8("in", 0.5f, -3, 1, 96, 64, 3), b));
    assertEquals(96, c.height());
    assertEquals(64, c.width());
    assertEquals(3, c.channels());
    assertEquals(0.5f, c.scale());
    assertEquals(-3, c.zeroPoint());
  }

  @Test
  void aNonImageModelInputIsAnError() {
    GraphBuilder a = new GraphBuilder();
    assertError(() -> InputConverter.forModel(model(a.int8("in", 1f, 0, 1, 10), a)),
        "model input 'in'", "is not an image (expected [1,H,W,1 or 3] int8)");
    GraphBuilder b = new GraphBuilder();
    assertError(() -> InputConverter.forModel(model(b.int8("in", 1f, 0, 1, 8, 8, 4), b)),
        "is not an image");
    GraphBuilder c = new GraphBuilder();
    assertError(() -> InputConverter.forModel(model(c.int8("in", 1f, 0, 2, 8, 8, 1), c)),
        "is not an image");
    GraphBuilder d = new GraphBuilder();
    assertError(() -> InputConverter.forModel(model(d.float32("in", 1, 8, 8, 1), d)),
        "FLOAT32", "is not an image");
  }
}
