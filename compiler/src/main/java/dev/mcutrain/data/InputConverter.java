package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Shape;
import dev.mcutrain.ir.Tensor;

/**
 * Turns an {@link Image} into a model's int8 input tensor, NHWC {@code [1, H, W, C]} with
 * {@code C} 1 or 3 and per-tensor quantization {@code real = scale * (q - zeroPoint)}. Three
 * steps, in this order, all deterministic:
 *
 * <ol>
 *   <li><b>Channels</b>, at the image's own size: gray to RGB replicates the value; RGB to gray is
 *       {@code 0.299f * r + 0.587f * g + 0.114f * b} in float32, added left to right, then
 *       {@code (int) (v + 0.5f)} clamped to 255.
 *   <li><b>Resize</b> to {@code H x W}, bilinear with half-pixel centers (TensorFlow's
 *       {@code half_pixel_centers}), see {@link #resize}. Equal sizes copy the pixels bit for bit.
 *       Large downscales alias (no area averaging).
 *   <li><b>Values</b>: the u8 pixel {@code p} maps linearly onto the real range the input
 *       quantization represents, {@code [lo, hi] = [(-128 - zp) * s, (127 - zp) * s]}: {@code
 *       real = lo + p / 255 * (hi - lo)}, then {@code q = clamp(round_half_away(real / s) + zp,
 *       -128, 127)}. Since {@code hi - lo = 255 * s}, this is {@code real = (p - 128 - zp) * s}
 *       and {@code q = p - 128} for every quantization. The 256-entry table is computed with the
 *       formula all the same, in float32 in this order: {@code lo = (-128 - zp) * s}, {@code hi =
 *       (127 - zp) * s}, {@code real = lo + p / 255f * (hi - lo)}, {@code q = round(real / s) +
 *       zp}. Float rounding moves {@code real / s} by far less than 0.5 whenever {@code s} is a
 *       positive normal float with {@code 256 * s} finite and {@code zp} is in -128..127 (the only
 *       values accepted; subnormal scales, where precision runs out, are rejected), so {@code q =
 *       p - 128} holds exactly: checked for every {@code zp} and {@code p} with 200 scales in each
 *       binade from 2^-126 to 2^120 (3.2 billion cases); the tests check common and random
 *       quantizations. This is what a model expects whose input quantization spans the range it
 *       was trained on: [0, 1] inputs ({@code s = 1/255, zp = -128}) see {@code p / 255}; [-1, 1]
 *       inputs ({@code s = 1/128, zp = 0}) see {@code (p - 128) / 128}.
 * </ol>
 */
public final class InputConverter {
  private final int height;
  private final int width;
  private final int channels;
  private final float scale;
  private final int zeroPoint;
  private final byte[] table = new byte[256];

  /**
   * @param channels 1 or 3
   * @param scale the input scale: positive, normal, with {@code 256 * scale} finite
   * @param zeroPoint the input zero point, -128..127
   * @throws IllegalArgumentException for other values
   */
  public InputConverter(int height, int width, int channels, float scale, int zeroPoint) {
    if (height <= 0 || width <= 0 || (long) height * width > DataLimits.MAX_IMAGE_PIXELS) {
      throw new IllegalArgumentException("bad input size " + height + "x" + width);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("input channels must be 1 or 3, not " + channels);
    }
    if (!(scale >= Float.MIN_NORMAL) || Float.isInfinite(256f * scale)) {
      throw new IllegalArgumentException("input scale must be positive, normal and at most "
          + "Float.MAX_VALUE / 256, not " + scale);
    }
    if (zeroPoint < -128 || zeroPoint > 127) {
      throw new IllegalArgumentException("int8 zero point out of range: " + zeroPoint);
    }
    this.height = height;
    this.width = width;
    this.channels = channels;
    this.scale = scale;
    this.zeroPoint = zeroPoint;
    float lo = (-128 - zeroPoint) * scale;
    float hi = (127 - zeroPoint) * scale;
    for (int p = 0; p < 256; p++) {
      float real = lo + p / 255f * (hi - lo);
      long q = roundHalfAway(real / scale) + zeroPoint;
      table[p] = (byte) Math.max(-128, Math.min(127, q));
    }
  }

  /**
   * The converter for {@code g}'s first input.
   *
   * @throws McuTrainException unless that input is int8 {@code [1, H, W, 1 or 3]} with per-tensor
   *     quantization
   */
  public static InputConverter forModel(Graph g) {
    Tensor t = g.tensor(g.inputs().get(0));
    Shape s = t.shape();
    boolean image = t.dtype() == DType.INT8 && s.rank() == 4 && s.dim(0) == 1
        && (s.dim(3) == 1 || s.dim(3) == 3) && s.dim(1) > 0 && s.dim(2) > 0
        && t.quant().isPresent() && !t.q().isPerChannel();
    if (!image) {
      throw new McuTrainException("model input '" + t.name() + "' (" + t.dtype() + " " + s
          + ") is not an image (expected [1,H,W,1 or 3] int8)");
    }
    float scale = t.q().scale();
    int zp = t.q().zeroPoint();
    if (!(scale >= Float.MIN_NORMAL) || Float.isInfinite(256f * scale) || zp < -128
        || zp > 127) {
      throw new McuTrainException("model input '" + t.name() + "' has an unusable quantization ("
          + t.q() + ")");
    }
    return new InputConverter(s.dim(1), s.dim(2), s.dim(3), scale, zp);
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

  public float scale() {
    return scale;
  }

  public int zeroPoint() {
    return zeroPoint;
  }

  /** Bytes of one converted input: {@code H * W * C}. */
  public int inputBytes() {
    return height * width * channels;
  }

  /** The int8 value a u8 pixel maps to (see the class comment; equals {@code p - 128}). */
  public byte quantize(int pixel) {
    return table[pixel & 0xff];
  }

  /** The model input for {@code im}: {@code H * W * C} int8 values, HWC. */
  public byte[] convert(Image im) {
    Image r = resize(toChannels(im, channels), height, width);
    byte[] px = r.pixels();
    byte[] out = new byte[px.length];
    for (int i = 0; i < px.length; i++) {
      out[i] = table[px[i] & 0xff];
    }
    return out;
  }

  /** {@link #convert} for every image, in order. */
  public byte[][] convertAll(LabeledImages images) {
    byte[][] out = new byte[images.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = convert(images.image(i));
    }
    return out;
  }

  /**
   * {@code im} with {@code channels} channels (1 or 3): unchanged if it already has them, gray to
   * RGB by replication, RGB to gray with the weights 0.299, 0.587, 0.114 (see the class comment).
   */
  public static Image toChannels(Image im, int channels) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 or 3, not " + channels);
    }
    if (im.channels() == channels) {
      return im;
    }
    byte[] in = im.pixels();
    int n = im.height() * im.width();
    byte[] out = new byte[n * channels];
    if (channels == 3) {
      for (int i = 0; i < n; i++) {
        out[3 * i] = in[i];
        out[3 * i + 1] = in[i];
        out[3 * i + 2] = in[i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        float v = 0.299f * (in[3 * i] & 0xff) + 0.587f * (in[3 * i + 1] & 0xff)
            + 0.114f * (in[3 * i + 2] & 0xff);
        out[i] = (byte) Math.min(255, (int) (v + 0.5f));
      }
    }
    return new Image(im.height(), im.width(), channels, out);
  }

  /**
   * Bilinear resize with half-pixel centers, in float32 with this fixed order (Java float
   * arithmetic is IEEE and never fused, so the result is the same everywhere). Per axis, with
   * {@code ratio = (float) in / (float) out}: {@code src = (dst + 0.5f) * ratio - 0.5f}, clamped to
   * {@code [0, in - 1]}; {@code i0 = (int) src}, {@code i1 = min(i0 + 1, in - 1)}, {@code f = src -
   * i0}. Per channel: {@code top = p[y0][x0] + (p[y0][x1] - p[y0][x0]) * fx}, {@code bottom =
   * p[y1][x0] + (p[y1][x1] - p[y1][x0]) * fx}, {@code v = top + (bottom - top) * fy}, then {@code
   * (int) (v + 0.5f)} clamped to 0..255. Returns {@code im} itself when the size is already
   * {@code h x w}.
   */
  public static Image resize(Image im, int h, int w) {
    if (h <= 0 || w <= 0) {
      throw new IllegalArgumentException("bad size " + h + "x" + w);
    }
    if (im.height() == h && im.width() == w) {
      return im;
    }
    int c = im.channels();
    int[] y0 = new int[h];
    int[] y1 = new int[h];
    float[] fy = new float[h];
    axis(im.height(), h, y0, y1, fy);
    int[] x0 = new int[w];
    int[] x1 = new int[w];
    float[] fx = new float[w];
    axis(im.width(), w, x0, x1, fx);
    byte[] in = im.pixels();
    int stride = im.width() * c;
    byte[] out = new byte[h * w * c];
    int k = 0;
    for (int y = 0; y < h; y++) {
      int r0 = y0[y] * stride;
      int r1 = y1[y] * stride;
      for (int x = 0; x < w; x++) {
        int a0 = x0[x] * c;
        int a1 = x1[x] * c;
        for (int ch = 0; ch < c; ch++) {
          float p00 = in[r0 + a0 + ch] & 0xff;
          float p01 = in[r0 + a1 + ch] & 0xff;
          float p10 = in[r1 + a0 + ch] & 0xff;
          float p11 = in[r1 + a1 + ch] & 0xff;
          float top = p00 + (p01 - p00) * fx[x];
          float bottom = p10 + (p11 - p10) * fx[x];
          float v = top + (bottom - top) * fy[y];
          out[k++] = (byte) Math.max(0, Math.min(255, (int) (v + 0.5f)));
        }
      }
    }
    return new Image(h, w, c, out);
  }

  /** Source indices and weights along one axis (see {@link #resize}). */
  private static void axis(int in, int out, int[] i0, int[] i1, float[] f) {
    float ratio = (float) in / (float) out;
    for (int d = 0; d < out; d++) {
      float src = (d + 0.5f) * ratio - 0.5f;
      src = Math.max(0f, Math.min(in - 1, src));
      i0[d] = (int) src;
      i1[d] = Math.min(i0[d] + 1, in - 1);
      f[d] = src - i0[d];
    }
  }

  private static long roundHalfAway(float v) {
    return v >= 0 ? (long) (v + 0.5) : -(long) (-v + 0.5);
  }
}
