package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Tensor;

/**
 * Turns an {@link Image} into a model's int8 input tensor [1, H, W, C]:
 *
 * <ol>
 *   <li>channels: gray to RGB replicates; RGB to gray is 0.299 R + 0.587 G + 0.114 B;
 *   <li>size: bilinear with half-pixel centres (source = (dst + 0.5) * in / out - 0.5, clamped to
 *       the edges), in float32, rows then columns; a copy when the size already matches;
 *   <li>values: the pixel range [0, 255] maps linearly onto the model's whole representable input
 *       range [(-128 - zp) s, (127 - zp) s], which works out to {@code q = round(p) - 128} for any
 *       input quantization (round half away from zero). A model trained on [0, 1] inputs with the
 *       usual input quantization (s = 1/255, zp = -128) thus sees p / 255, one trained on [-1, 1]
 *       (s = 2/255, zp = 0, approximately) sees p / 127.5 - 1.
 * </ol>
 */
public final class InputConverter {
  private final int height;
  private final int width;
  private final int channels;

  public InputConverter(int height, int width, int channels) {
    if (height < 1 || width < 1 || (channels != 1 && channels != 3)) {
      throw new IllegalArgumentException(height + "x" + width + "x" + channels);
    }
    this.height = height;
    this.width = width;
    this.channels = channels;
  }

  /** The converter for a model whose input is an int8 image [1, H, W, 1 or 3]. */
  public static InputConverter forModel(Graph g) {
    Tensor in = g.tensor(g.inputs().get(0));
    var s = in.shape();
    if (g.inputs().size() != 1 || in.dtype() != DType.INT8 || s.rank() != 4 || s.dim(0) != 1
        || (s.dim(3) != 1 && s.dim(3) != 3)) {
      throw new McuTrainException("the model's input " + in.name() + " " + s + " " + in.dtype()
          + " is not an image (expected one int8 input [1,H,W,1] or [1,H,W,3])");
    }
    return new InputConverter(s.dim(1), s.dim(2), s.dim(3));
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  public int channels() {
    return channels;
  }

  public int inputBytes() {
    return height * width * channels;
  }

  public byte[] convert(Image im) {
    float[] src = channelsOf(im);
    byte[] out = new byte[inputBytes()];
    if (im.height() == height && im.width() == width) {
      for (int i = 0; i < out.length; i++) {
        out[i] = toInt8(src[i]);
      }
      return out;
    }
    int ih = im.height();
    int iw = im.width();
    float sy = (float) ih / height;
    float sx = (float) iw / width;
    for (int y = 0; y < height; y++) {
      float fy = Math.max(0f, Math.min(ih - 1, (y + 0.5f) * sy - 0.5f));
      int y0 = (int) fy;
      int y1 = Math.min(y0 + 1, ih - 1);
      float wy = fy - y0;
      for (int x = 0; x < width; x++) {
        float fx = Math.max(0f, Math.min(iw - 1, (x + 0.5f) * sx - 0.5f));
        int x0 = (int) fx;
        int x1 = Math.min(x0 + 1, iw - 1);
        float wx = fx - x0;
        for (int c = 0; c < channels; c++) {
          float a = src[(y0 * iw + x0) * channels + c];
          float b = src[(y0 * iw + x1) * channels + c];
          float d = src[(y1 * iw + x0) * channels + c];
          float e = src[(y1 * iw + x1) * channels + c];
          float top = a + (b - a) * wx;
          float bottom = d + (e - d) * wx;
          out[(y * width + x) * channels + c] = toInt8(top + (bottom - top) * wy);
        }
      }
    }
    return out;
  }

  /** All images, converted. */
  public byte[][] convertAll(LabeledImages data) {
    byte[][] out = new byte[data.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = convert(data.images().get(i));
    }
    return out;
  }

  private static byte toInt8(float p) {
    int q = Math.round(p) - 128; // p >= 0: Math.round is half away from zero here
    return (byte) Math.max(-128, Math.min(127, q));
  }

  /** The image's pixels as float32 with the model's channel count. */
  private float[] channelsOf(Image im) {
    int n = im.height() * im.width();
    float[] v = new float[n * channels];
    byte[] p = im.pixels();
    for (int i = 0; i < n; i++) {
      if (im.channels() == channels) {
        for (int c = 0; c < channels; c++) {
          v[i * channels + c] = p[i * channels + c] & 0xff;
        }
      } else if (channels == 3) {
        float g = p[i] & 0xff;
        v[3 * i] = g;
        v[3 * i + 1] = g;
        v[3 * i + 2] = g;
      } else {
        v[i] = 0.299f * (p[3 * i] & 0xff) + 0.587f * (p[3 * i + 1] & 0xff)
            + 0.114f * (p[3 * i + 2] & 0xff);
      }
    }
    return v;
  }
}
