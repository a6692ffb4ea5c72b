package dev.mcutrain.data;

/**
 * A decoded 8-bit image: {@code height × width × channels} unsigned bytes in HWC order
 * (row-major, channels interleaved), grayscale ({@code channels == 1}) or RGB
 * ({@code channels == 3}).
 *
 * <p>The pixel array is shared, not copied: treat it as read-only. Equality is the record's
 * default (the array by identity); compare pixels with {@link java.util.Arrays#equals}.
 *
 * @param pixels {@code height * width * channels} bytes, each read as unsigned 0..255
 */
public record Image(int height, int width, int channels, byte[] pixels) {

  /**
   * @throws IllegalArgumentException for a non-positive size, 2 or 4+ channels, or a wrong length
   */
  public Image {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException("image size must be positive: " + height + "x" + width);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("an image has 1 or 3 channels, not " + channels);
    }
    if ((long) height * width * channels != pixels.length) {
      throw new IllegalArgumentException("a " + height + "x" + width + "x" + channels
          + " image needs " + (long) height * width * channels + " bytes, not " + pixels.length);
    }
  }

  /** The pixel value at row {@code y}, column {@code x}, channel {@code c}, as 0..255. */
  public int get(int y, int x, int c) {
    return pixels[(y * width + x) * channels + c] & 0xff;
  }

  /** {@code "HxWxC"}, e.g. {@code 28x28x1}. */
  public String describe() {
    return height + "x" + width + "x" + channels;
  }
}
