package dev.mcutrain.data;

/**
 * An 8-bit image: {@code pixels} holds height x width x channels bytes (HWC, unsigned), with 1
 * (gray) or 3 (RGB) channels.
 */
public record Image(int height, int width, int channels, byte[] pixels) {
  public Image {
    if (height < 1 || width < 1 || (channels != 1 && channels != 3)
        || pixels.length != height * width * channels) {
      throw new IllegalArgumentException("bad image " + height + "x" + width + "x" + channels);
    }
  }

  /** The unsigned value at (y, x, c). */
  public int at(int y, int x, int c) {
    return pixels[(y * width + x) * channels + c] & 0xff;
  }
}
