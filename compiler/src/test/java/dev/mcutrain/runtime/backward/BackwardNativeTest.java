package dev.mcutrain.runtime.backward;

import static dev.mcutrain.testing.KernelData.biases;
import static dev.mcutrain.testing.KernelData.count;
import static dev.mcutrain.testing.KernelData.countChanges;
import static dev.mcutrain.testing.KernelData.dims;
import static dev.mcutrain.testing.KernelData.factors;
import static dev.mcutrain.testing.KernelData.geo;
import static dev.mcutrain.testing.KernelData.grad;
import static dev.mcutrain.testing.KernelData.grads;
import static dev.mcutrain.testing.KernelData.int8s;
import static dev.mcutrain.testing.KernelData.learningRate;
import static dev.mcutrain.testing.KernelData.pickChannels;
import static dev.mcutrain.testing.KernelData.scale;
import static dev.mcutrain.testing.KernelData.slice;
import static dev.mcutrain.testing.NativeProbe.FORBIDDEN_CALL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mcutrain.reference.BackwardKernels;
import dev.mcutrain.testing.KernelData.Geo;
import dev.mcutrain.testing.NativeProbe.Disassembly;
import dev.mcutrain.testing.NativeProbe.Result;
import dev.mcutrain.testing.NativeProbe.Words;
import dev.mcutrain.testing.NativeProbe;
import dev.mcutrain.testing.UpdateStats;
import dev.mcutrain.train.update.Prng;
import dev.mcutrain.train.update.Rounding;
import dev.mcutrain.train.update.Update;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runtime-c's backward kernels (mt_backward.h) against the Java reference, bit for bit: {@link
 * BackwardKernels} for masks and input gradients, and ReferenceTrainer's fused update loops
 * (replicated here from ReferenceTrainer.backward / updateBias / step) for the weight and bias
 * updates, including the PRNG end state. Plus the invalid-argument checks and the Cortex-M7
 * objects' instruction and helper-call hygiene.
 */
class BackwardNativeTest {
  private static final int MT_OK = 0;
  private static final int MT_ERR_ARG = -1;

  // ---- random data -------------------------------------------------------------------------

  /** An accumulator's start: all zero (a fresh buffer) or earlier contributions. */
  private static float[] dxInit(SplittableRandom r, int n) {
    float[] d = new float[n];
    if (r.nextBoolean()) {
      for (int i = 0; i < n; i++) {
        d[i] = (float) r.nextGaussian();
      }
    }
    return d;
  }

  private static float[] scales(SplittableRandom r, int channels, boolean perChannel) {
    float[] s = new float[perChannel ? channels : 1];
    for (int i = 0; i < s.length; i++) {
      s[i] = scale(r);
    }
    return s;
  }

  /** Gradients with about a third of the channels (of the innermost c) zero everywhere. */
  private static float[] gradsWithDeadChannels(SplittableRandom r, int n, int c) {
    float[] g = grads(r, n);
    for (int ch = 0; ch < c; ch++) {
      if (r.nextInt(3) == 0) {
        for (int i = ch; i < n; i += c) {
          g[i] = r.nextBoolean() ? 0f : -0f;
        }
      }
    }
    return g;
  }

  /**
   * Scales; when special, now and then one that makes a w_real infinite or NaN (+-inf, NaN, a
   * value whose 128-fold overflows) or zero.
   */
  private static float[] specialScales(SplittableRandom r, int channels, boolean perChannel,
      boolean special) {
    float[] s = scales(r, channels, perChannel);
    if (special) {
      float[] odd = {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 3e37f, 0f};
      for (int i = 0; i < s.length; i++) {
        if (r.nextInt(3 * s.length) == 0) {
          s[i] = odd[r.nextInt(odd.length)];
        }
      }
    }
    return s;
  }

  /** dxInit; when special, now and then with -0 (or, rarely, NaN) values in it. */
  private static float[] specialDx(SplittableRandom r, int n, boolean special) {
    float[] d = dxInit(r, n);
    if (special) {
      int k = r.nextInt(3);
      for (int i = 0; i < n; i++) {
        if (k > 0 && r.nextInt(8) == 0) {
          d[i] = k == 1 || r.nextInt(10) != 0 ? -0f : Float.NaN;
        }
      }
    }
    return d;
  }

  /** A geometry as KernelData.geo, with filters up to kBound - 1 and strides up to 3. */
  private static Geo wideGeo(SplittableRandom r, int inBound, int kBound) {
    while (true) {
      int n = r.nextInt(1, 3);
      int ih = r.nextInt(1, inBound);
      int iw = r.nextInt(1, inBound);
      int kh = r.nextInt(1, kBound);
      int kw = r.nextInt(1, kBound);
      int sh = r.nextInt(1, 4);
      int sw = r.nextInt(1, 4);
      if (r.nextBoolean()) {
        int oh = (ih + sh - 1) / sh;
        int ow = (iw + sw - 1) / sw;
        int ph = Math.max((oh - 1) * sh + kh - ih, 0) / 2;
        int pw = Math.max((ow - 1) * sw + kw - iw, 0) / 2;
        return new Geo(n, ih, iw, kh, kw, sh, sw, ph, pw, oh, ow, true);
      }
      if (ih < kh || iw < kw) {
        continue;
      }
      return new Geo(n, ih, iw, kh, kw, sh, sw, 0, 0, (ih - kh) / sh + 1, (iw - kw) / sw + 1,
          false);
    }
  }

  /**
   * The split kernels' operands: of the merged filter w (rows of d innermost values), the slice
   * [rows][split] of the first split values of each row, and the whole filter with those values
   * scrambled (the kernels must not read them).
   */
  private static byte[][] splitFilter(SplittableRandom r, byte[] w, int d, int split) {
    int rows = w.length / d;
    byte[] slice = new byte[rows * split];
    byte[] filter = w.clone();
    for (int row = 0; row < rows; row++) {
      for (int i = 0; i < split; i++) {
        slice[row * split + i] = w[row * d + i];
        filter[row * d + i] = (byte) r.nextInt(-128, 128);
      }
    }
    return new byte[][] {filter, slice};
  }

  // ---- comparisons -------------------------------------------------------------------------

  private static void assertBits(float[] expected, float[] actual, Supplier<String> ctx) {
    assertBits(expected, actual, false, ctx);
  }

  /**
   * Bit-for-bit equality; with anyNaN, a NaN matches any NaN (Java does not pin which NaN an
   * operation on two different NaNs returns: the JIT may swap the operands of + and *).
   */
  private static void assertBits(float[] expected, float[] actual, boolean anyNaN,
      Supplier<String> ctx) {
    assertEquals(expected.length, actual.length, ctx);
    for (int i = 0; i < expected.length; i++) {
      int e = Float.floatToRawIntBits(expected[i]);
      int a = Float.floatToRawIntBits(actual[i]);
      if (anyNaN && Float.isNaN(expected[i]) && Float.isNaN(actual[i])) {
        continue;
      }
      if (e != a) {
        fail(ctx.get() + ": element " + i + ": Java " + expected[i] + " (0x"
            + Integer.toHexString(e) + "), C " + actual[i] + " (0x" + Integer.toHexString(a)
            + ")");
      }
    }
  }

  private static void assertOk(Result res, Supplier<String> ctx) {
    assertEquals(MT_OK, res.status(), ctx);
  }

  // ---- masks -------------------------------------------------------------------------------

  @Test
  void masksMatchJava() {
    SplittableRandom r = new SplittableRandom(7001);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<Object[]> cases = new ArrayList<>();
    for (int c = 0; c < 400; c++) {
      int n = c < 10 ? c : r.nextInt(0, 150);
      int[][] ranges = {{-128, 127}, {-128, 127}, {-5, 127}, {-20, 60}, {0, 0}, {-128, -128}};
      int[] range = ranges[r.nextInt(ranges.length)];
      byte[] y = int8s(r, n, Math.max(-128, range[0] - 1), Math.min(127, range[1] + 1));
      float[] dy = grads(r, n);
      int inPlace = r.nextInt(2);
      probe.add(1, new Words().i(range[0], range[1], n, inPlace).b(y).f(dy));
      cases.add(new Object[] {range, y, dy, inPlace});
    }
    List<Result> out = probe.run();
    int masked = 0;
    for (int c = 0; c < cases.size(); c++) {
      int[] range = (int[]) cases.get(c)[0];
      byte[] y = (byte[]) cases.get(c)[1];
      float[] dy = (float[]) cases.get(c)[2];
      int n = y.length;
      boolean[] m = BackwardKernels.mask(y, range[0], range[1]);
      float[] g = BackwardKernels.applyMask(dy, m);
      int[] bits = new int[(n + 7) / 8];
      for (int i = 0; i < n; i++) {
        if (m[i]) {
          bits[i / 8] |= 1 << (i % 8);
        } else {
          masked++;
        }
      }
      Result res = out.get(c);
      int cc = c;
      Supplier<String> ctx = () -> "mask case " + cc + " n=" + n + " range " + range[0] + ".."
          + range[1] + " inPlace " + cases.get(cc)[3];
      assertOk(res, ctx);
      assertEquals(2 * n + bits.length, res.words().length, ctx);
      assertBits(g, res.floats(0, n), ctx);
      assertArrayEquals(bits, res.ints(n, bits.length), ctx.get());
      assertBits(g, res.floats(n + bits.length, n), ctx);
    }
    assertTrue(masked > 1000, "masked elements: " + masked);
  }

  // ---- input gradients ---------------------------------------------------------------------

  @Test
  void conv2dGradInputMatchesJava() {
    SplittableRandom r = new SplittableRandom(7002);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<float[]> expected = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < 500; c++) {
      Geo g = geo(r, 10);
      int ic = r.nextInt(1, 7);
      int oc = r.nextInt(1, 7);
      boolean perChannel = r.nextBoolean();
      int[] in = {g.n(), g.ih(), g.iw(), ic};
      int[] f = {oc, g.kh(), g.kw(), ic};
      int[] out = {g.n(), g.oh(), g.ow(), oc};
      float[] s = scales(r, oc, perChannel);
      byte[] w = int8s(r, count(f), -127, 127);
      float[] gr = grads(r, count(out));
      float[] dx = dxInit(r, count(in));
      probe.add(2, dims(dims(dims(new Words().i(g.sh(), g.sw(), g.ph(), g.pw(),
          perChannel ? 1 : 0), in), f), out).i(s.length).f(s).b(w).f(gr).f(dx));
      BackwardKernels.conv2dGradInput(g.sh(), g.sw(), g.ph(), g.pw(), s, in, f, w, out, gr, dx);
      expected.add(dx);
      names.add("conv2d grad input case " + c + " " + g + " ic=" + ic + " oc=" + oc
          + " perChannel=" + perChannel);
    }
    checkFloats(probe.run(), expected, names);
  }

  @Test
  void depthwiseGradInputMatchesJava() {
    SplittableRandom r = new SplittableRandom(7003);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<float[]> expected = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < 500; c++) {
      Geo g = geo(r, 10);
      int ic = r.nextInt(1, 7);
      int mult = r.nextInt(1, 3);
      int oc = ic * mult;
      boolean perChannel = r.nextBoolean();
      int[] in = {g.n(), g.ih(), g.iw(), ic};
      int[] f = {1, g.kh(), g.kw(), oc};
      int[] out = {g.n(), g.oh(), g.ow(), oc};
      float[] s = scales(r, oc, perChannel);
      byte[] w = int8s(r, count(f), -127, 127);
      float[] gr = grads(r, count(out));
      float[] dx = dxInit(r, count(in));
      probe.add(3, dims(dims(dims(new Words().i(g.sh(), g.sw(), g.ph(), g.pw(), mult,
          perChannel ? 1 : 0), in), f), out).i(s.length).f(s).b(w).f(gr).f(dx));
      BackwardKernels.depthwiseGradInput(g.sh(), g.sw(), g.ph(), g.pw(), mult, s, in, f, w, out,
          gr, dx);
      expected.add(dx);
      names.add("depthwise grad input case " + c + " " + g + " ic=" + ic + " M=" + mult
          + " perChannel=" + perChannel);
    }
    checkFloats(probe.run(), expected, names);
  }

  /**
   * CONV_2D input gradient with more channels (several 4 x 4 blocks, chunks of the live channel
   * list, channel and position edges), dead output channels, the split kernel, and now and then
   * -0 / NaN dx values or non-finite w_real (the kernel's reference fallback).
   */
  @Test
  void conv2dGradInputWideSplitAndSpecialValuesMatchJava() {
    SplittableRandom r = new SplittableRandom(7015);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<float[]> expected = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < 300; c++) {
      Geo g = geo(r, 8);
      int ic = r.nextInt(1, 26);
      int oc = r.nextInt(1, 90);
      boolean perChannel = r.nextBoolean();
      boolean special = r.nextInt(3) == 0;
      int split = r.nextBoolean() ? -1 : r.nextInt(0, ic + 1); // -1: the whole-filter kernel
      int[] in = {g.n(), g.ih(), g.iw(), ic};
      int[] f = {oc, g.kh(), g.kw(), ic};
      int[] out = {g.n(), g.oh(), g.ow(), oc};
      float[] s = specialScales(r, oc, perChannel, special);
      byte[] w = int8s(r, count(f), -127, 127);
      float[] gr = r.nextBoolean() ? gradsWithDeadChannels(r, count(out), oc)
          : grads(r, count(out));
      float[] dx = specialDx(r, count(in), special);
      Words words = dims(dims(dims(new Words().i(g.sh(), g.sw(), g.ph(), g.pw(),
          perChannel ? 1 : 0), in), f), out).i(s.length).f(s);
      if (split < 0) {
        probe.add(2, words.b(w).f(gr).f(dx));
      } else {
        byte[][] fs = splitFilter(r, w, ic, split);
        probe.add(17, words.b(fs[0]).f(gr).f(dx).i(split).b(fs[1]));
      }
      BackwardKernels.conv2dGradInput(g.sh(), g.sw(), g.ph(), g.pw(), s, in, f, w, out, gr, dx);
      expected.add(dx);
      names.add("conv2d grad input (wide) case " + c + " " + g + " ic=" + ic + " oc=" + oc
          + " perChannel=" + perChannel + " split=" + split + " special=" + special);
    }
    checkFloats(probe.run(), expected, names, true);
  }

  /**
   * DEPTHWISE_CONV_2D input gradient with more channels (8- and 4-channel blocks and edges),
   * filters up to 8 x 8 (more taps than the gather's table), strides up to 3, the split kernel,
   * and now and then -0 / NaN dx values or non-finite w_real (the reference fallback).
   */
  @Test
  void depthwiseGradInputWideSplitAndSpecialValuesMatchJava() {
    SplittableRandom r = new SplittableRandom(7016);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<float[]> expected = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < 300; c++) {
      Geo g = wideGeo(r, 12, 9);
      int ic = r.nextInt(1, 30);
      int mult = r.nextInt(4) == 0 ? 2 : 1;
      int oc = ic * mult;
      boolean perChannel = r.nextBoolean();
      boolean special = r.nextInt(3) == 0;
      int split = r.nextBoolean() ? -1 : r.nextInt(0, oc + 1);
      int[] in = {g.n(), g.ih(), g.iw(), ic};
      int[] f = {1, g.kh(), g.kw(), oc};
      int[] out = {g.n(), g.oh(), g.ow(), oc};
      float[] s = specialScales(r, oc, perChannel, special);
      byte[] w = int8s(r, count(f), -127, 127);
      float[] gr = r.nextBoolean() ? gradsWithDeadChannels(r, count(out), oc)
          : grads(r, count(out));
      float[] dx = specialDx(r, count(in), special);
      Words words = dims(dims(dims(new Words().i(g.sh(), g.sw(), g.ph(), g.pw(), mult,
          perChannel ? 1 : 0), in), f), out).i(s.length).f(s);
      if (split < 0) {
        probe.add(3, words.b(w).f(gr).f(dx));
      } else {
        byte[][] fs = splitFilter(r, w, oc, split);
        probe.add(18, words.b(fs[0]).f(gr).f(dx).i(split).b(fs[1]));
      }
      BackwardKernels.depthwiseGradInput(g.sh(), g.sw(), g.ph(), g.pw(), mult, s, in, f, w, out,
          gr, dx);
      expected.add(dx);
      names.add("depthwise grad input (wide) case " + c + " " + g + " ic=" + ic + " M=" + mult
          + " perChannel=" + perChannel + " split=" + split + " special=" + special);
    }
    checkFloats(probe.run(), expected, names, true);
  }

  @Test
  void fullyConnectedGradInputMatchesJava() {
    SplittableRandom r = new SplittableRandom(7004);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<float[]> expected = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < 400; c++) {
      int batches = r.nextInt(1, 3);
      int depth = r.nextInt(1, 40);
      int units = r.nextInt(1, 13);
      boolean perChannel = r.nextBoolean();
      float[] s = scales(r, units, perChannel);
      byte[] w = int8s(r, units * depth, -127, 127);
      float[] gr = grads(r, batches * units);
      float[] dx = dxInit(r, batches * depth);
      probe.add(4, new Words().i(batches, depth, units, perChannel ? 1 : 0, s.length).f(s).b(w)
          .f(gr).f(dx));
      BackwardKernels.fullyConnectedGradInput(batches, depth, units, s, w, gr, dx);
      expected.add(dx);
      names.add("fc grad input case " + c + " b=" + batches + " d=" + depth + " u=" + units);
    }
    checkFloats(probe.run(), expected, names);
  }

  /**
   * FULLY_CONNECTED input gradient with more inputs and units (8-wide blocks and edges, chunks of
   * the live unit list), the split kernel, and now and then -0 / NaN dx values or non-finite
   * w_real (the reference fallback).
   */
  @Test
  void fullyConnectedGradInputWideSplitAndSpecialValuesMatchJava() {
    SplittableRandom r = new SplittableRandom(7017);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<float[]> expected = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < 300; c++) {
      int batches = r.nextInt(1, 4);
      int depth = r.nextInt(1, 150);
      int units = r.nextInt(1, 150);
      boolean perChannel = r.nextBoolean();
      boolean special = r.nextInt(3) == 0;
      int split = r.nextBoolean() ? -1 : r.nextInt(0, depth + 1);
      float[] s = specialScales(r, units, perChannel, special);
      byte[] w = int8s(r, units * depth, -127, 127);
      float[] gr = r.nextBoolean() ? gradsWithDeadChannels(r, batches * units, units)
          : grads(r, batches * units);
      float[] dx = specialDx(r, batches * depth, special);
      Words words = new Words().i(batches, depth, units, perChannel ? 1 : 0, s.length).f(s);
      if (split < 0) {
        probe.add(4, words.b(w).f(gr).f(dx));
      } else {
        byte[][] fs = splitFilter(r, w, depth, split);
        probe.add(19, words.b(fs[0]).f(gr).f(dx).i(split).b(fs[1]));
      }
      BackwardKernels.fullyConnectedGradInput(batches, depth, units, s, w, gr, dx);
      expected.add(dx);
      names.add("fc grad input (wide) case " + c + " b=" + batches + " d=" + depth + " u="
          + units + " perChannel=" + perChannel + " split=" + split + " special=" + special);
    }
    checkFloats(probe.run(), expected, names, true);
  }

  @Test
  void addGradInputMatchesJava() {
    SplittableRandom r = new SplittableRandom(7005);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<float[]> expected = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < 400; c++) {
      int[] out = {r.nextInt(1, 3), r.nextInt(1, 7), r.nextInt(1, 7), r.nextInt(1, 9)};
      int[] in = out.clone();
      int kind = r.nextInt(4);
      for (int k = 0; k < 4; k++) {
        if (kind == 1 && r.nextBoolean() || kind == 2) {
          in[k] = 1; // broadcast axis (kind 2: a scalar)
        }
      }
      if (kind == 3) {
        in = new int[] {1, 1, 1, out[3]}; // per-channel vector
      }
      float[] gr = grads(r, count(out));
      float[] dx = dxInit(r, count(in));
      probe.add(8, dims(dims(new Words(), in), out).f(gr).f(dx));
      BackwardKernels.addGradInput(in, out, gr, dx);
      expected.add(dx);
      names.add("add grad input case " + c + " in " + java.util.Arrays.toString(in) + " out "
          + java.util.Arrays.toString(out));
    }
    checkFloats(probe.run(), expected, names);
  }

  @Test
  void avgPoolGradInputMatchesJava() {
    SplittableRandom r = new SplittableRandom(7006);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<float[]> expected = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < 400; c++) {
      Geo g = geo(r, 10);
      int ph = g.ph();
      int pw = g.pw();
      int oh = g.oh();
      int ow = g.ow();
      if (r.nextInt(4) == 0) { // explicit paddings up to filter - 1 on both sides
        ph = r.nextInt(0, g.kh());
        pw = r.nextInt(0, g.kw());
        oh = (g.ih() + 2 * ph - g.kh()) / g.sh() + 1;
        ow = (g.iw() + 2 * pw - g.kw()) / g.sw() + 1;
        if (oh < 1 || ow < 1) {
          c--;
          continue;
        }
      }
      int ch = r.nextInt(1, 7);
      int[] in = {g.n(), g.ih(), g.iw(), ch};
      int[] out = {g.n(), oh, ow, ch};
      float[] gr = grads(r, count(out));
      float[] dx = dxInit(r, count(in));
      probe.add(9, dims(dims(new Words().i(g.sh(), g.sw(), g.kh(), g.kw(), ph, pw), in), out)
          .f(gr).f(dx));
      BackwardKernels.avgPoolGradInput(g.sh(), g.sw(), g.kh(), g.kw(), ph, pw, in, out, gr, dx);
      expected.add(dx);
      names.add("avg pool grad input case " + c + " " + g + " pad " + ph + "," + pw);
    }
    checkFloats(probe.run(), expected, names);
  }

  @Test
  void meanAndPadGradInputMatchJava() {
    SplittableRandom r = new SplittableRandom(7007);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<float[]> expected = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < 300; c++) {
      int[] in = {r.nextInt(1, 3), r.nextInt(1, 9), r.nextInt(1, 9), r.nextInt(1, 9)};
      float[] gr = grads(r, in[0] * in[3]);
      float[] dx = dxInit(r, count(in));
      probe.add(10, dims(new Words(), in).f(gr).f(dx));
      BackwardKernels.meanGradInput(in, gr, dx);
      expected.add(dx);
      names.add("mean grad input case " + c + " " + java.util.Arrays.toString(in));
    }
    for (int c = 0; c < 300; c++) {
      int[] in = {r.nextInt(1, 3), r.nextInt(1, 7), r.nextInt(1, 7), r.nextInt(1, 5)};
      int[] before = new int[4];
      int[] out = new int[4];
      for (int k = 0; k < 4; k++) {
        boolean padAxis = k == 1 || k == 2 || r.nextInt(4) == 0;
        before[k] = padAxis ? r.nextInt(0, 3) : 0;
        out[k] = in[k] + before[k] + (padAxis ? r.nextInt(0, 3) : 0);
      }
      float[] gr = grads(r, count(out));
      float[] dx = dxInit(r, count(in));
      probe.add(11, dims(dims(new Words().i(before), in), out).f(gr).f(dx));
      BackwardKernels.padGradInput(before, in, out, gr, dx);
      expected.add(dx);
      names.add("pad grad input case " + c + " before " + java.util.Arrays.toString(before)
          + " in " + java.util.Arrays.toString(in) + " out " + java.util.Arrays.toString(out));
    }
    checkFloats(probe.run(), expected, names);
  }

  private static void checkFloats(List<Result> out, List<float[]> expected, List<String> names) {
    checkFloats(out, expected, names, false);
  }

  private static void checkFloats(List<Result> out, List<float[]> expected, List<String> names,
      boolean anyNaN) {
    assertEquals(expected.size(), out.size());
    for (int c = 0; c < expected.size(); c++) {
      int cc = c;
      Supplier<String> ctx = () -> names.get(cc);
      assertOk(out.get(c), ctx);
      assertBits(expected.get(c), out.get(c).floats(0, out.get(c).words().length), anyNaN, ctx);
    }
  }

  // ---- fused weight gradient + update -----------------------------------------------------

  /** One update case's expectation: new weights, new biases (or null), PRNG end state. */
  private record Expect(byte[] w, int[] bias, long state, String name) {}

  private static long[] rngState(SplittableRandom r) {
    return new long[] {r.nextLong(), r.nextLong() | 1L};
  }

  private static void checkUpdates(List<Result> out, List<Expect> expected, UpdateStats st) {
    assertEquals(expected.size(), out.size());
    for (int c = 0; c < expected.size(); c++) {
      Expect e = expected.get(c);
      Result res = out.get(c);
      assertEquals(MT_OK, res.status(), e.name());
      int nb = e.bias() == null ? 0 : e.bias().length;
      assertEquals(e.w().length + nb + 2, res.words().length, e.name());
      assertArrayEquals(e.w(), res.bytes(0, e.w().length), e.name() + ": weights");
      if (e.bias() != null) {
        assertArrayEquals(e.bias(), res.ints(e.w().length, nb), e.name() + ": biases");
      }
      long cState = res.state(e.w().length + nb);
      if (cState != e.state()) {
        fail(e.name() + ": PRNG state C 0x" + Long.toHexString(cState) + ", Java 0x"
            + Long.toHexString(e.state()));
      }
    }
    st.assertCoverage();
  }

  @Test
  void conv2dUpdateMatchesReferenceTrainer() {
    conv2dUpdateCases(7008, 500, 10, 9, 6, false);
  }

  /**
   * Wider layers (several 4 x 4 channel blocks and their edges, several PRNG cursors), output
   * channels whose gradient is zero everywhere and now and then an x_scale whose 256-fold
   * overflows (no zero term may be left out then).
   */
  @Test
  void conv2dUpdateWideMatchesReferenceTrainer() {
    conv2dUpdateCases(7013, 300, 7, 14, 14, true);
  }

  private static void conv2dUpdateCases(long seed, int cases, int inBound, int icBound,
      int ocBound, boolean special) {
    SplittableRandom r = new SplittableRandom(seed);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<Expect> expected = new ArrayList<>();
    UpdateStats st = new UpdateStats();
    for (int c = 0; c < cases; c++) {
      Geo geo = geo(r, inBound);
      int ic = r.nextInt(1, icBound);
      int oc = r.nextInt(1, ocBound);
      int[] inDims = {geo.n(), geo.ih(), geo.iw(), ic};
      int[] fDims = {oc, geo.kh(), geo.kw(), ic};
      int[] outDims = {geo.n(), geo.oh(), geo.ow(), oc};
      float xScale = special && r.nextInt(8) == 0 ? 3e37f : scale(r);
      int xZp = r.nextInt(-128, 128);
      byte[] x = int8s(r, count(inDims), -128, 127);
      float[][] k = factors(r, oc, xScale);
      float lr = learningRate(r);
      Rounding rounding = Rounding.values()[r.nextInt(3)];
      st.stochastic += rounding == Rounding.STOCHASTIC ? 1 : 0;
      int channels = pickChannels(r, ic, st);
      boolean hasBias = r.nextInt(4) != 0;
      byte[] w = int8s(r, count(fDims), -127, 127);
      float[] g = special ? gradsWithDeadChannels(r, count(outDims), oc) : grads(r, count(outDims));
      int[] bias = hasBias ? biases(r, oc) : null;
      long[] rs = rngState(r);
      // the C kernel gets the slice (or, now and then, the full input)
      int xc = channels == 0 ? 0 : (r.nextInt(5) == 0 ? ic : channels);
      int[] xDims = {geo.n(), geo.ih(), geo.iw(), xc};
      Words words = new Words().i(geo.sh(), geo.sw(), geo.ph(), geo.pw()).f(lr)
          .i(rounding.cValue(), channels, hasBias ? 1 : 0).f(xScale).i(xZp, channels > 0 ? 1 : 0);
      dims(dims(dims(words, xDims), fDims), outDims).f(k[0]).f(k[1]);
      if (channels > 0) {
        words.b(slice(x, inDims, xc));
      }
      words.b(w).f(g);
      if (hasBias) {
        words.i(bias);
      }
      probe.add(5, words.rng(rs[0], rs[1]));

      // ReferenceTrainer.backward, CONV_2D branch
      byte[] wJ = w.clone();
      int[] bJ = hasBias ? bias.clone() : null;
      Prng rng = Prng.ofState(rs[0], rs[1]);
      for (int o = 0; o < oc && channels > 0; o++) {
        float kf = k[0][o];
        for (int ky = 0; ky < fDims[1]; ky++) {
          for (int kx = 0; kx < fDims[2]; kx++) {
            for (int ch = 0; ch < channels; ch++) {
              float gw = BackwardKernels.conv2dGradWeight(geo.sh(), geo.sw(), geo.ph(), geo.pw(),
                  xScale, xZp, inDims, x, outDims, g, o, ky, kx, ch);
              int idx = ((o * fDims[1] + ky) * fDims[2] + kx) * ic + ch;
              wJ[idx] = Update.s8(wJ[idx], Update.qasDelta(gw, kf, lr), rounding, rng);
            }
          }
        }
      }
      if (hasBias) {
        updateBias(bJ, outDims, g, k[1], lr, rounding, rng);
      }
      countChanges(w, wJ, bias, bJ, st);
      expected.add(new Expect(wJ, bJ, rng.state(), "conv2d update case " + c + " " + geo
          + " ic=" + ic + " oc=" + oc + " channels=" + channels + " xc=" + xc + " bias="
          + hasBias + " " + rounding));
    }
    checkUpdates(probe.run(), expected, st);
  }

  /** ReferenceTrainer.updateBias with the factors precomputed. */
  private static void updateBias(int[] b, int[] outDims, float[] g, float[] kb, float lr,
      Rounding rounding, Prng rng) {
    for (int o = 0; o < b.length; o++) {
      float gb = BackwardKernels.biasGrad(outDims, g, o);
      b[o] = Update.s32(b[o], Update.qasDelta(gb, kb[o], lr), rounding, rng);
    }
  }

  @Test
  void depthwiseUpdateMatchesReferenceTrainer() {
    depthwiseUpdateCases(7009, 500, 10, 9, false);
  }

  /** As conv2dUpdateWideMatchesReferenceTrainer, for DEPTHWISE_CONV_2D. */
  @Test
  void depthwiseUpdateWideMatchesReferenceTrainer() {
    depthwiseUpdateCases(7014, 300, 8, 20, true);
  }

  private static void depthwiseUpdateCases(long seed, int cases, int inBound, int icBound,
      boolean special) {
    SplittableRandom r = new SplittableRandom(seed);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<Expect> expected = new ArrayList<>();
    UpdateStats st = new UpdateStats();
    for (int c = 0; c < cases; c++) {
      Geo geo = geo(r, inBound);
      int ic = r.nextInt(1, icBound);
      int mult = r.nextInt(1, 3);
      int oc = ic * mult;
      int[] inDims = {geo.n(), geo.ih(), geo.iw(), ic};
      int[] fDims = {1, geo.kh(), geo.kw(), oc};
      int[] outDims = {geo.n(), geo.oh(), geo.ow(), oc};
      float xScale = special && r.nextInt(8) == 0 ? 3e37f : scale(r);
      int xZp = r.nextInt(-128, 128);
      byte[] x = int8s(r, count(inDims), -128, 127);
      float[][] k = factors(r, oc, xScale);
      float lr = learningRate(r);
      Rounding rounding = Rounding.values()[r.nextInt(3)];
      st.stochastic += rounding == Rounding.STOCHASTIC ? 1 : 0;
      int channels = pickChannels(r, oc, st);
      if (channels > 0 && r.nextInt(3) == 0) {
        channels = r.nextInt(1, oc + 1); // odd counts: a partial last input channel
      }
      boolean hasBias = r.nextInt(4) != 0;
      byte[] w = int8s(r, count(fDims), -127, 127);
      float[] g = special ? gradsWithDeadChannels(r, count(outDims), oc) : grads(r, count(outDims));
      int[] bias = hasBias ? biases(r, oc) : null;
      long[] rs = rngState(r);
      int need = (channels + mult - 1) / mult;
      int xc = channels == 0 ? 0 : (r.nextInt(5) == 0 ? ic : need);
      int[] xDims = {geo.n(), geo.ih(), geo.iw(), xc};
      Words words = new Words().i(geo.sh(), geo.sw(), geo.ph(), geo.pw(), mult).f(lr)
          .i(rounding.cValue(), channels, hasBias ? 1 : 0).f(xScale).i(xZp, channels > 0 ? 1 : 0);
      dims(dims(dims(words, xDims), fDims), outDims).f(k[0]).f(k[1]);
      if (channels > 0) {
        words.b(slice(x, inDims, xc));
      }
      words.b(w).f(g);
      if (hasBias) {
        words.i(bias);
      }
      probe.add(6, words.rng(rs[0], rs[1]));

      // ReferenceTrainer.backward, DEPTHWISE_CONV_2D branch
      byte[] wJ = w.clone();
      int[] bJ = hasBias ? bias.clone() : null;
      Prng rng = Prng.ofState(rs[0], rs[1]);
      for (int o = 0; o < channels; o++) {
        float kf = k[0][o];
        for (int ky = 0; ky < fDims[1]; ky++) {
          for (int kx = 0; kx < fDims[2]; kx++) {
            float gw = BackwardKernels.depthwiseGradWeight(geo.sh(), geo.sw(), geo.ph(), geo.pw(),
                mult, xScale, xZp, inDims, x, outDims, g, o, ky, kx);
            int idx = (ky * fDims[2] + kx) * oc + o;
            wJ[idx] = Update.s8(wJ[idx], Update.qasDelta(gw, kf, lr), rounding, rng);
          }
        }
      }
      if (hasBias) {
        updateBias(bJ, outDims, g, k[1], lr, rounding, rng);
      }
      countChanges(w, wJ, bias, bJ, st);
      expected.add(new Expect(wJ, bJ, rng.state(), "depthwise update case " + c + " " + geo
          + " ic=" + ic + " M=" + mult + " channels=" + channels + " xc=" + xc + " bias="
          + hasBias + " " + rounding));
    }
    checkUpdates(probe.run(), expected, st);
  }

  @Test
  void fullyConnectedUpdateMatchesReferenceTrainer() {
    fullyConnectedUpdateCases(7010, 500, 3, 40, 13, false);
  }

  /** Longer rows (several runs of sums per unit), an overflowing x_scale now and then. */
  @Test
  void fullyConnectedUpdateWideMatchesReferenceTrainer() {
    fullyConnectedUpdateCases(7018, 200, 4, 200, 20, true);
  }

  private static void fullyConnectedUpdateCases(long seed, int cases, int batchBound,
      int depthBound, int unitBound, boolean special) {
    SplittableRandom r = new SplittableRandom(seed);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<Expect> expected = new ArrayList<>();
    UpdateStats st = new UpdateStats();
    for (int c = 0; c < cases; c++) {
      int batches = r.nextInt(1, batchBound);
      int depth = r.nextInt(1, depthBound);
      int units = r.nextInt(1, unitBound);
      float xScale = special && r.nextInt(8) == 0 ? 3e37f : scale(r);
      int xZp = r.nextInt(-128, 128);
      byte[] x = int8s(r, batches * depth, -128, 127);
      float[][] k = factors(r, units, xScale);
      float lr = learningRate(r);
      Rounding rounding = Rounding.values()[r.nextInt(3)];
      st.stochastic += rounding == Rounding.STOCHASTIC ? 1 : 0;
      int channels = pickChannels(r, depth, st);
      boolean hasBias = r.nextInt(4) != 0;
      byte[] w = int8s(r, units * depth, -127, 127);
      float[] g = grads(r, batches * units);
      int[] bias = hasBias ? biases(r, units) : null;
      long[] rs = rngState(r);
      Words words = new Words().f(lr).i(rounding.cValue(), channels, hasBias ? 1 : 0).f(xScale)
          .i(xZp, batches, depth, units).f(k[0]).f(k[1])
          .b(slice(x, new int[] {1, 1, batches, depth}, channels)).b(w).f(g);
      if (hasBias) {
        words.i(bias);
      }
      probe.add(7, words.rng(rs[0], rs[1]));

      // ReferenceTrainer.backward, FULLY_CONNECTED branch
      byte[] wJ = w.clone();
      int[] bJ = hasBias ? bias.clone() : null;
      Prng rng = Prng.ofState(rs[0], rs[1]);
      for (int o = 0; o < units && channels > 0; o++) {
        float kf = k[0][o];
        for (int d = 0; d < channels; d++) {
          float gw = BackwardKernels.fullyConnectedGradWeight(batches, depth, units, xScale, xZp,
              x, g, o, d);
          int idx = o * depth + d;
          wJ[idx] = Update.s8(wJ[idx], Update.qasDelta(gw, kf, lr), rounding, rng);
        }
      }
      if (hasBias) {
        updateBias(bJ, new int[] {1, 1, batches, units}, g, k[1], lr, rounding, rng);
      }
      countChanges(w, wJ, bias, bJ, st);
      expected.add(new Expect(wJ, bJ, rng.state(), "fc update case " + c + " b=" + batches
          + " d=" + depth + " u=" + units + " channels=" + channels + " bias=" + hasBias + " "
          + rounding));
    }
    checkUpdates(probe.run(), expected, st);
  }

  // ---- fp32 head, dequantize, arguments ---------------------------------------------------

  @Test
  void fp32HeadAndDequantizeMatchJava() {
    SplittableRandom r = new SplittableRandom(7011);
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    List<float[]> expected = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < 300; c++) {
      int units = r.nextInt(1, 13);
      int depth = r.nextInt(1, 64);
      float[] w = new float[units * depth];
      for (int i = 0; i < w.length; i++) {
        w[i] = (float) (r.nextGaussian() * 0.1);
      }
      float[] b = new float[units];
      for (int i = 0; i < units; i++) {
        b[i] = r.nextInt(3) == 0 ? 0f : (float) (r.nextGaussian() * 0.01);
      }
      float[] f = new float[depth];
      for (int i = 0; i < depth; i++) {
        f[i] = (float) (0.05 * r.nextInt(-128, 128));
      }
      float[] dl = grads(r, units);
      float lr = (float) Math.pow(10, r.nextDouble(-3, 0));
      String name = " case " + c + " units=" + units + " depth=" + depth;

      // ReferenceTrainer.logitsFrom (head)
      float[] logits = new float[units];
      for (int u = 0; u < units; u++) {
        float acc = 0f;
        for (int d = 0; d < depth; d++) {
          acc += w[u * depth + d] * f[d];
        }
        logits[u] = acc + b[u];
      }
      probe.add(12, new Words().i(units, depth).f(w).f(b).f(f));
      expected.add(logits);
      names.add("fc_f32" + name);

      // ReferenceTrainer.step: the head's input gradient
      float[] df = dxInit(r, depth);
      probe.add(13, new Words().i(units, depth).f(w).f(dl).f(df));
      for (int u = 0; u < units; u++) {
        float g = dl[u];
        if (g == 0f) {
          continue;
        }
        for (int d = 0; d < depth; d++) {
          df[d] += g * w[u * depth + d];
        }
      }
      expected.add(df);
      names.add("fc_f32 grad input" + name);

      // ReferenceTrainer.step: the head's update
      probe.add(14, new Words().i(units, depth).f(lr).f(w).f(b).f(f).f(dl));
      float[] wb = new float[units * depth + units];
      for (int u = 0; u < units; u++) {
        for (int d = 0; d < depth; d++) {
          int i = u * depth + d;
          float gw = dl[u] * f[d];
          wb[i] = w[i] - lr * gw;
        }
        wb[units * depth + u] = b[u] - lr * dl[u];
      }
      expected.add(wb);
      names.add("fc_f32 update" + name);
    }
    for (int c = 0; c < 200; c++) {
      int n = r.nextInt(0, 100);
      float scale = scale(r);
      int zp = r.nextInt(-128, 128);
      byte[] q = int8s(r, n, -128, 127);
      probe.add(15, new Words().i(n).f(scale).i(zp).b(q));
      float[] e = new float[n];
      for (int i = 0; i < n; i++) {
        e[i] = BackwardKernels.dequantize(q[i], scale, zp);
      }
      expected.add(e);
      names.add("dequantize case " + c + " n=" + n);
    }
    checkFloats(probe.run(), expected, names);
  }

  @Test
  void invalidArgumentsAreRejectedWithoutWrites() {
    NativeProbe probe = new NativeProbe("probe_mt_backward");
    probe.add(16, new Words());
    Result res = probe.run().get(0);
    assertEquals(MT_OK, res.status());
    assertTrue(res.words().length >= 40, "checks: " + res.words().length);
    for (int i = 0; i < res.words().length; i++) {
      assertEquals(MT_ERR_ARG, res.words()[i], "invalid call " + i);
    }
  }

  @Test
  void compilesForCortexM7WithoutDoubleOr64BitHelpers(@TempDir Path tmp) {
    List<Path> sources = NativeProbe.cSourcesIn("runtime-c/src/backward");
    assertTrue(sources.size() >= 13, "backward sources: " + sources);
    sources.add(NativeProbe.testsDir().resolve("probe_mt_backward.c"));
    for (Disassembly d : NativeProbe.cortexM7(NativeProbe.BUILD, sources, tmp.resolve("m7"))) {
      d.assertNoDoubleOrForbiddenCall(FORBIDDEN_CALL);
    }
  }
}
