package dev.mcutrain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mcutrain.quant.FixedPoint;
import dev.mcutrain.testing.NativeProbe;
import dev.mcutrain.toolchain.ProcessRunner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Runs runtime-c's arithmetic on the host: the hand-derived checks of
 * tests/kernels/test_mt_support.c, and a bit-exact comparison of mt_support.h with the Java
 * reference {@link FixedPoint} on many random inputs.
 */
class SupportArithmeticTest {
  @Test
  void cSupportAndKernelChecksPass() {
    NativeProbe.runHandChecks("test_mt_support", Duration.ofSeconds(60));
  }

  private record Case(int op, int a, int b, int c) {}

  @Test
  void cMatchesJavaFixedPointBitForBit() {
    Path exe = NativeProbe.executable("probe_mt_support");
    SplittableRandom rnd = new SplittableRandom(20240611L);
    List<Case> cases = new ArrayList<>();
    int[] edges = {0, 1, -1, 2, -2, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30, -(1 << 30),
        (1 << 30) + 1, 3, -3, 5, -5};
    for (int a : edges) {
      for (int b : edges) {
        cases.add(new Case(0, a, b, 0));
        cases.add(new Case(2, a, b == Integer.MIN_VALUE ? 1 << 30 : Math.abs(b % 31), 0));
      }
      for (int e = 0; e <= 31; e++) {
        cases.add(new Case(1, a, e, 0));
      }
    }
    for (int i = 0; i < 20_000; i++) {
      int a = wide(rnd);
      cases.add(new Case(0, a, wide(rnd), 0));
      cases.add(new Case(1, a, rnd.nextInt(32), 0));
      // multipliers in [2^30, 2^31) as QuantizeMultiplier makes, shifts in [-31, 8]
      int m = (1 << 30) + rnd.nextInt(1 << 30);
      int shift = rnd.nextInt(-31, 9);
      int x = shift > 0 ? rnd.nextInt(-(1 << (30 - shift)), 1 << (30 - shift)) : a;
      cases.add(new Case(2, x, m, shift));
      cases.add(new Case(3, -Math.abs(a == Integer.MIN_VALUE ? 0 : a), 0, 0));
      cases.add(new Case(3, -rnd.nextInt(1 << 27), 0, 0));
      cases.add(new Case(4, rnd.nextInt(Integer.MAX_VALUE), 0, 0));
      cases.add(new Case(5, 1 + rnd.nextInt(Integer.MAX_VALUE), 12, 0));
      // the prepared requantization: accumulators near and beyond its |x| < 2^30 bound, any
      // multiplier, shifts around its shift <= -1 domain
      int rx = switch (rnd.nextInt(3)) {
        case 0 -> rnd.nextInt(-(1 << 30) + 1, 1 << 30);
        case 1 -> (rnd.nextBoolean() ? 1 : -1) * ((1 << 30) - 1 - rnd.nextInt(4));
        default -> wide(rnd);
      };
      int rm = rnd.nextBoolean() ? m : wide(rnd);
      cases.add(new Case(6, rx, rm, rnd.nextInt(-31, 4)));
    }
    for (int a : edges) {
      for (int s : new int[] {-31, -30, -17, -2, -1, 0, 1}) {
        for (int mm : new int[] {0, 1, 1 << 30, Integer.MAX_VALUE, -1, Integer.MIN_VALUE}) {
          cases.add(new Case(6, a, mm, s));
        }
      }
    }
    ByteBuffer in = ByteBuffer.allocate(cases.size() * 16).order(ByteOrder.LITTLE_ENDIAN);
    for (Case k : cases) {
      in.putInt(k.op).putInt(k.a).putInt(k.b).putInt(k.c);
    }
    ProcessRunner.Result r =
        ProcessRunner.run(List.of(exe.toString()), in.array(), Duration.ofSeconds(60));
    assertEquals(0, r.exitCode(), r.stderr());
    ByteBuffer out = ByteBuffer.wrap(r.stdout()).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(cases.size() * 8, r.stdout().length);
    for (Case k : cases) {
      int c0 = out.getInt();
      int c1 = out.getInt();
      int[] bits = new int[1];
      int j0;
      int j1 = 0;
      switch (k.op) {
        case 0 -> j0 = FixedPoint.srdhm(k.a, k.b);
        case 1 -> j0 = FixedPoint.roundingDivideByPot(k.a, k.b);
        case 2 -> j0 = FixedPoint.multiplyByQuantizedMultiplier(k.a, k.b, k.c);
        case 3 -> j0 = FixedPoint.expOnNegativeValues(k.a);
        case 4 -> j0 = FixedPoint.oneOverOnePlusXForXIn01(k.a);
        case 6 -> {
          j0 = FixedPoint.multiplyByQuantizedMultiplier(k.a, k.b, k.c);
          long absA = Math.abs((long) k.a);
          j1 = (k.b >= 0 && k.c <= -1 && k.c >= -31 && absA < (1L << 30)) ? 1 : 0;
        }
        default -> {
          j0 = FixedPoint.reciprocal(k.a, k.b, bits);
          j1 = bits[0];
        }
      }
      assertEquals(j0, c0, "C vs Java, " + k);
      assertEquals(j1, c1, "C vs Java (second result), " + k);
    }
  }

  private static int wide(SplittableRandom rnd) {
    // mix of magnitudes: uniform 32-bit values and small ones
    int bits = rnd.nextInt(1, 33);
    long v = rnd.nextLong() >> (64 - bits);
    return (int) v;
  }
}
