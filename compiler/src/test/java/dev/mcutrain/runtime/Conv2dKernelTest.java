package dev.mcutrain.runtime;

import dev.mcutrain.lower.KernelParams;
import dev.mcutrain.reference.Kernels;
import java.util.SplittableRandom;

/**
 * mt_conv2d_s8 against the Java reference ({@link Kernels#conv2d}) on random small cases that
 * reach the corners of its fast paths: pointwise and multi-tap filters (up to 90 taps, beyond the
 * 64 whose filter sums it caches; small whole filters such as 3x3x3, whose windows it gathers),
 * channel counts that are and are not multiples of 4, odd pixel
 * and output-channel counts (the 2x2 blocks' tails), misaligned tensors (byte loops instead of
 * word loads), per-tensor and per-channel requantization with shifts of either sign and
 * multipliers of any sign (the exact short requantization and its fallback), large biases and
 * input offsets, narrow and full activation ranges. Runs through
 * tests/kernels/probe_conv2d.c ({@link ConvKernelProbeTest}).
 */
class Conv2dKernelTest extends ConvKernelProbeTest {
  @Override
  String probe() {
    return "probe_conv2d";
  }

  @Override
  int filterBytes(Shape s) {
    return s.co() * s.kh() * s.kw() * s.ci();
  }

  @Override
  void reference(Shape s, KernelParams.Conv p, byte[] input, byte[] filter, int[] bias,
      byte[] out) {
    Kernels.conv2d(p, new int[] {s.n(), s.h(), s.w(), s.ci()}, input,
        new int[] {s.co(), s.kh(), s.kw(), s.ci()}, filter, bias,
        new int[] {s.n(), s.oh(), s.ow(), s.co()}, out);
  }

  @Override
  Shape randomShape(SplittableRandom r) {
    int kind = r.nextInt(10);
    int n = 1 + r.nextInt(2);
    int h = 1 + r.nextInt(9);
    int w = 1 + r.nextInt(9);
    int ci = switch (r.nextInt(4)) {
      case 0 -> 1 + r.nextInt(40);
      case 1 -> 4 * (1 + r.nextInt(40));
      case 2 -> 8 * (1 + r.nextInt(100));
      default -> 1 + r.nextInt(12);
    };
    int co = 1 + r.nextInt(21);
    int kh = 1;
    int kw = 1;
    int sh = 1;
    int sw = 1;
    int ph = 0;
    int pw = 0;
    if (kind >= 6 && kind < 9) { // several taps, any stride and padding
      kh = 1 + r.nextInt(3);
      kw = 1 + r.nextInt(3);
      sh = 1 + r.nextInt(2);
      sw = 1 + r.nextInt(2);
      ph = r.nextInt(kh);
      pw = r.nextInt(kw);
      if (r.nextInt(3) == 0) { // small whole filters (the stem, 3x3x3): gathered patches
        ci = 1 + r.nextInt(5);
        co = 1 + r.nextInt(16);
      }
    } else if (kind == 9 && r.nextBoolean()) { // 1x1 that is not pointwise
      sh = 1 + r.nextInt(2);
      ph = r.nextInt(2);
    } else if (kind == 9) { // more taps than the kernel caches filter sums for (64)
      kh = 8 + r.nextInt(2);
      kw = 8 + r.nextInt(3);
      h = kh - 2 + r.nextInt(5);
      w = kw - 2 + r.nextInt(5);
      ci = 1 + r.nextInt(6);
      sh = 1 + r.nextInt(2);
      sw = 1 + r.nextInt(2);
      ph = r.nextInt(kh);
      pw = r.nextInt(kw);
    }
    return new Shape(n, h, w, ci, co, kh, kw, sh, sw, ph, pw, 1);
  }
}
