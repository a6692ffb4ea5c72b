package dev.mcutrain.runtime;

import dev.mcutrain.lower.KernelParams;
import dev.mcutrain.reference.Kernels;
import java.util.SplittableRandom;

/**
 * mt_depthwise_conv2d_s8 against the Java reference ({@link Kernels#depthwiseConv2d}) on random
 * small cases that reach the corners of its paths: depth multiplier 1 (four channels per word
 * with SMLABB/SMLATT on Cortex-M, runs of interior pixels through the tap table, border pixels
 * through the valid-tap rectangle, channel counts that are and are not multiples of 4, misaligned
 * tensors that must take the byte loops) and larger multipliers; 1x1 to 7x7 filters and larger,
 * any stride and padding. Runs through tests/kernels/probe_depthwise.c
 * ({@link ConvKernelProbeTest}).
 */
class DepthwiseKernelTest extends ConvKernelProbeTest {
  @Override
  String probe() {
    return "probe_depthwise";
  }

  @Override
  int filterBytes(Shape s) {
    return s.kh() * s.kw() * s.co();
  }

  @Override
  void reference(Shape s, KernelParams.Conv p, byte[] input, byte[] filter, int[] bias,
      byte[] out) {
    Kernels.depthwiseConv2d(p, new int[] {s.n(), s.h(), s.w(), s.ci()}, input,
        new int[] {1, s.kh(), s.kw(), s.co()}, filter, bias,
        new int[] {s.n(), s.oh(), s.ow(), s.co()}, out);
  }

  @Override
  Shape randomShape(SplittableRandom r) {
    int n = 1 + r.nextInt(2);
    int h = 1 + r.nextInt(10);
    int w = 1 + r.nextInt(10);
    int ci = switch (r.nextInt(3)) {
      case 0 -> 1 + r.nextInt(13);
      case 1 -> 4 * (1 + r.nextInt(24));
      default -> 8 * (1 + r.nextInt(40));
    };
    int mult = r.nextInt(5) == 0 ? 2 + r.nextInt(2) : 1;
    int co = ci * mult;
    int kh = switch (r.nextInt(6)) {
      case 0 -> 1;
      case 1 -> 5;
      case 2 -> 7;
      case 3 -> 2 + r.nextInt(9);
      default -> 3;
    };
    int kw = r.nextInt(5) == 0 ? 1 + r.nextInt(9) : kh;
    int sh = 1 + r.nextInt(3);
    int sw = r.nextBoolean() ? sh : 1 + r.nextInt(3);
    int ph = r.nextInt(kh);
    int pw = r.nextInt(kw);
    return new Shape(n, h, w, ci, co, kh, kw, sh, sw, ph, pw, mult);
  }
}
