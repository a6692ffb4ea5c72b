package dev.mcutrain.train.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mcutrain.testing.NativeProbe.Disassembly;
import dev.mcutrain.testing.NativeProbe;
import dev.mcutrain.toolchain.ProcessRunner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runtime-c's float math (mt_math.h, src/loss/mt_softmax_xent_f32.c) on the host: the hand checks
 * of tests/kernels/test_mt_math.c, and a bit-for-bit comparison with {@link FloatMath} and {@link
 * SoftmaxCrossEntropy} through tests/kernels/probe_mt_math.c; plus a Cortex-M7 compile that must
 * stay single precision.
 */
class MtMathCTest {
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(120);

  /** Double-precision instructions' helpers, 64-bit helpers and libm calls. */
  private static final Pattern FORBIDDEN_CALL =
      Pattern.compile(
          "R_ARM_THM_(CALL|JUMP24)\\s+(__aeabi_l\\w*|__aeabi_d\\w*|__aeabi_f2[lu]\\w*"
              + "|__aeabi_[lu]\\w*2f|__\\w*di3|__\\w*df\\w*|expf|logf|exp|log)\\b");
  /** Fused multiply-add would break agreement with Java (-ffp-contract=off forbids it). */
  private static final Pattern FUSED = Pattern.compile("\\bv(f|fn)m[as]\\.");

  @Test
  void cHandChecksPass() {
    String out = NativeProbe.runHandChecks("test_mt_math", RUN_TIMEOUT);
    System.out.print("test_mt_math: " + out);
  }

  // ---- exp / log ----

  /** Inputs for exp and log: edge values, edge ranges bit by bit, and random values. */
  static int[] scalarInputs(long seed, boolean forLog) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Integer> v = new ArrayList<>();
    int[] edges = {
      0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000,
      0x80800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
      0x7f800001, 0xff800001, 0x7fbadbad, 0x7fffffff, 0xffffffff, 0x3f800000, 0xbf800000,
      0x3fb504f3, 0x3fb504f4, 0x3f3504f3, 0x3f3504f4, 0x40000000, 0x3f000000
    };
    for (int e : edges) {
      v.add(e);
    }
    // thresholds and their neighbours, bit by bit
    float[] centres = {
      FloatMath.EXP_OVERFLOW, FloatMath.EXP_UNDERFLOW, -87.33654f, -103.97208f, -126 * 0.6931472f,
      0.0f, 1.0f, 2.0f, 0.5f, 0.3465736f, -0.3465736f, 0x1.6a09e6p0f, 0x1.6a09e6p-1f,
      Float.MIN_NORMAL, Float.MAX_VALUE, 44.0f, -44.0f
    };
    for (float c : centres) {
      int b = Float.floatToRawIntBits(c);
      for (int d = -2000; d <= 2000; d++) {
        v.add(b + d);
        v.add((b + d) ^ 0x80000000);
      }
    }
    // every exponent of two with neighbours
    for (int e = 0; e < 256; e++) {
      for (int d = -20; d <= 20; d++) {
        v.add((e << 23) + d);
        v.add(((e << 23) + d) ^ 0x80000000);
      }
    }
    while (v.size() < 1_100_000) {
      switch (rnd.nextInt(6)) {
        case 0 -> v.add(rnd.nextInt()); // any bit pattern: NaNs, infs, subnormals, everything
        case 1 -> v.add(rnd.nextInt(0x00800000) | (rnd.nextBoolean() ? 0x80000000 : 0)); // subnormal
        case 2 -> v.add(Float.floatToRawIntBits((float) (rnd.nextDouble() * 220 - 115))); // exp range
        case 3 -> v.add(Float.floatToRawIntBits((float) (rnd.nextDouble() * 2 - 1))); // near 0 / 1
        case 4 -> v.add(rnd.nextInt(0x7f800000)); // positive finite, any magnitude
        default -> v.add(0x3f800000 + rnd.nextInt(-(1 << 22), 1 << 22)); // around 1 for log
      }
    }
    int[] out = new int[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = v.get(i);
    }
    return out;
  }

  private static int[] runScalar(Path exe, int op, int[] inputs) {
    ByteBuffer in = ByteBuffer.allocate(8 + 4 * inputs.length).order(ByteOrder.LITTLE_ENDIAN);
    in.putInt(op).putInt(inputs.length);
    for (int x : inputs) {
      in.putInt(x);
    }
    ProcessRunner.Result r = ProcessRunner.run(List.of(exe.toString()), in.array(), RUN_TIMEOUT);
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals(4 * inputs.length, r.stdout().length);
    ByteBuffer out = ByteBuffer.wrap(r.stdout()).order(ByteOrder.LITTLE_ENDIAN);
    int[] res = new int[inputs.length];
    for (int i = 0; i < res.length; i++) {
      res[i] = out.getInt();
    }
    return res;
  }

  @Test
  void cExpAndLogMatchJavaBitForBit() {
    Path exe = NativeProbe.executable("probe_mt_math");
    for (int op = 0; op <= 1; op++) {
      int[] inputs = scalarInputs(op == 0 ? 20240601L : 20240602L, op == 1);
      int[] c = runScalar(exe, op, inputs);
      int mismatches = 0;
      StringBuilder first = new StringBuilder();
      for (int i = 0; i < inputs.length; i++) {
        float x = Float.intBitsToFloat(inputs[i]);
        float j = op == 0 ? FloatMath.exp(x) : FloatMath.log(x);
        int jb = Float.floatToRawIntBits(j);
        if (jb != c[i]) {
          if (mismatches++ < 10) {
            first.append(String.format("%n  x=%08x (%s): C %08x, Java %08x", inputs[i], x, c[i], jb));
          }
        }
      }
      String name = op == 0 ? "exp" : "log";
      System.out.printf("mt_%sf vs FloatMath.%s: %d inputs, %d mismatches%n", name, name,
          inputs.length, mismatches);
      assertEquals(0, mismatches, name + ": C and Java differ" + first);
    }
  }

  // ---- softmax cross-entropy ----

  private record XentCase(int op, int n, int label, float[] logits) {}

  static List<XentCase> xentCases(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<XentCase> cases = new ArrayList<>();
    // bad arguments (C sees the same n and label; Java sees n logits)
    cases.add(new XentCase(2, 0, 0, new float[0]));
    cases.add(new XentCase(2, -3, 0, new float[0]));
    cases.add(new XentCase(2, 4, -1, new float[] {1, 2, 3, 4}));
    cases.add(new XentCase(2, 4, 4, new float[] {1, 2, 3, 4}));
    cases.add(new XentCase(3, 4, 7, new float[] {1, 2, 3, 4}));
    double[] scales = {1e-6, 0.01, 1, 4, 30, 100, 1e4, 1e30};
    for (int t = 0; t < 4000; t++) {
      int n = 1 + (t % 3 == 0 ? rnd.nextInt(1000) : rnd.nextInt(t % 3 == 1 ? 4 : 64));
      double scale = scales[rnd.nextInt(scales.length)];
      double shift = rnd.nextInt(4) == 0 ? rnd.nextDouble() * 200 - 100 : 0;
      float[] x = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = (float) (shift + scale * (2 * rnd.nextDouble() - 1));
      }
      if (rnd.nextInt(20) == 0) { // duplicates and ties for the maximum
        for (int i = 1; i < n; i += 2) {
          x[i] = x[i - 1];
        }
      }
      if (rnd.nextInt(25) == 0) { // specials
        float[] sp = {Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN,
            Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, -0.0f};
        x[rnd.nextInt(n)] = sp[rnd.nextInt(sp.length)];
      }
      cases.add(new XentCase(rnd.nextInt(8) == 0 ? 3 : 2, n, rnd.nextInt(n), x));
    }
    return cases;
  }

  /** Bits equal, or both NaN (NaN payloads of float arithmetic are not part of the contract). */
  private static boolean same(int a, int b) {
    return a == b || (Float.isNaN(Float.intBitsToFloat(a)) && Float.isNaN(Float.intBitsToFloat(b)));
  }

  @Test
  void cSoftmaxCrossEntropyMatchesJavaBitForBit() {
    Path exe = NativeProbe.executable("probe_mt_math");
    List<XentCase> cases = xentCases(20240603L);
    int bytes = 0;
    for (XentCase k : cases) {
      bytes += 12 + 4 * k.logits.length;
    }
    ByteBuffer in = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    for (XentCase k : cases) {
      in.putInt(k.op).putInt(k.n).putInt(k.label);
      for (float v : k.logits) {
        in.putInt(Float.floatToRawIntBits(v));
      }
    }
    ProcessRunner.Result r = ProcessRunner.run(List.of(exe.toString()), in.array(), RUN_TIMEOUT);
    assertEquals(0, r.exitCode(), r.stderr());
    ByteBuffer out = ByteBuffer.wrap(r.stdout()).order(ByteOrder.LITTLE_ENDIAN);
    long elements = 0;
    int nanCases = 0;
    for (int ci = 0; ci < cases.size(); ci++) {
      XentCase k = cases.get(ci);
      int m = k.logits.length;
      float[] grad = new float[m];
      java.util.Arrays.fill(grad, Float.intBitsToFloat(0x7fbadbad));
      float[] logits = k.logits.clone();
      float loss =
          k.op == 3
              ? SoftmaxCrossEntropy.lossAndGrad(logits, k.label, logits)
              : SoftmaxCrossEntropy.lossAndGrad(logits, k.label, grad);
      float[] jg = k.op == 3 ? logits : grad;
      int cLoss = out.getInt();
      if (Float.isNaN(loss)) {
        nanCases++;
      }
      if (!same(cLoss, Float.floatToRawIntBits(loss))) {
        fail(String.format("case %d (n=%d label=%d op=%d): loss C %08x, Java %08x", ci, k.n,
            k.label, k.op, cLoss, Float.floatToRawIntBits(loss)));
      }
      for (int i = 0; i < m; i++) {
        int c = out.getInt();
        int j = Float.floatToRawIntBits(jg[i]);
        if (!same(c, j)) {
          fail(String.format("case %d (n=%d label=%d op=%d): grad[%d] C %08x, Java %08x", ci, k.n,
              k.label, k.op, i, c, j));
        }
        elements++;
      }
    }
    assertFalse(out.hasRemaining(), "probe wrote more than expected");
    System.out.printf(
        "mt_softmax_xent_f32 vs SoftmaxCrossEntropy: %d cases (%d with NaN loss), %d gradient"
            + " elements, all equal%n", cases.size(), nanCases, elements);
  }

  // ---- Cortex-M7 ----

  @Test
  void compilesForCortexM7InSinglePrecision(@TempDir Path tmp) {
    Path root = NativeProbe.BUILD.sourceRoot();
    List<Path> sources =
        List.of(
            root.resolve("runtime-c/src/loss/mt_softmax_xent_f32.c"),
            NativeProbe.testsDir().resolve("probe_mt_math.c"),
            NativeProbe.testsDir().resolve("test_mt_math.c"));
    for (Disassembly d : NativeProbe.cortexM7(NativeProbe.BUILD, sources, tmp.resolve("m7"))) {
      Path obj = d.object();
      String asm = d.asm();
      if (!obj.getFileName().toString().startsWith("test_")) { // the hand checks fold to constants
        assertTrue(asm.contains("vmul.f32"), obj + " has no single-precision multiply");
      }
      assertFalse(asm.contains(".f64"), obj + " uses double-precision instructions");
      Matcher call = FORBIDDEN_CALL.matcher(asm);
      assertFalse(call.find(), obj + " calls a double/64-bit/libm helper: "
          + (call.find(0) ? call.group() : ""));
      Matcher fused = FUSED.matcher(asm);
      assertFalse(
          fused.find(), obj + " uses fused multiply-add: " + (fused.find(0) ? fused.group() : ""));
    }
  }
}
