package dev.mcutrain.train.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * runtime-c's mt_train.h on the host and for Cortex-M7: the hand-derived checks of
 * tests/kernels/test_mt_update.c, a bit-exact comparison with {@link Prng} and {@link Update} on
 * long random call sequences sharing one PRNG stream, and the Cortex-M7 objects' instruction and
 * helper-call hygiene.
 */
class UpdateNativeTest {
  @Test
  void cHandCasesPass() {
    String out = NativeProbe.runHandChecks("test_mt_update", Duration.ofSeconds(60));
    Matcher m = Pattern.compile("(\\d+) passed, 0 failed").matcher(out);
    assertTrue(m.find(), out);
    assertTrue(Integer.parseInt(m.group(1)) >= 80, out);
  }

  private record Rec(int op, int a, int b, int c) {}

  @Test
  void cMatchesJavaBitForBitOnOneSharedStream() {
    Path exe = NativeProbe.executable("probe_mt_update");
    SplittableRandom rnd = new SplittableRandom(20240612L);
    List<Rec> recs = new ArrayList<>();
    recs.add(new Rec(5, 1234567, 0, 0));
    int updates = 0;
    for (int i = 0; i < 260_000; i++) {
      int kind = rnd.nextInt(100);
      int mode = rnd.nextInt(3);
      int bits = Float.floatToRawIntBits(UpdateCases.randomDelta(rnd));
      if (kind < 50) {
        recs.add(new Rec(0, rnd.nextInt(-128, 128), bits, mode));
        updates++;
      } else if (kind < 85) {
        recs.add(new Rec(1, UpdateCases.randomBias(rnd), bits, mode));
        updates++;
      } else if (kind < 90) {
        recs.add(new Rec(2, Float.floatToRawIntBits((float) rnd.nextGaussian()),
            Float.floatToRawIntBits(UpdateCases.randomDelta(rnd)), bits));
      } else if (kind < 94) {
        int n = switch (rnd.nextInt(4)) {
          case 0 -> rnd.nextInt(0, 20);
          case 1 -> 0x8000_0000 + rnd.nextInt(0, 3); // about half the draws rejected
          case 2 -> rnd.nextInt();
          default -> rnd.nextInt(1, 100_000);
        };
        recs.add(new Rec(3, n, 0, 0));
      } else if (kind < 96) {
        recs.add(new Rec(4, 0, 0, 0));
      } else if (kind < 98) {
        recs.add(new Rec(6, 0, 0, 0));
      } else if (kind < 99) {
        recs.add(new Rec(7, Float.floatToRawIntBits((float) rnd.nextGaussian()),
            Float.floatToRawIntBits((float) rnd.nextGaussian()), bits));
      } else {
        recs.add(new Rec(5, rnd.nextInt(), 0, 0));
      }
    }
    assertTrue(updates >= 200_000, "update calls: " + updates);

    ByteBuffer in = ByteBuffer.allocate(recs.size() * 16).order(ByteOrder.LITTLE_ENDIAN);
    for (Rec k : recs) {
      in.putInt(k.op).putInt(k.a).putInt(k.b).putInt(k.c);
    }
    ProcessRunner.Result r =
        ProcessRunner.run(List.of(exe.toString()), in.array(), Duration.ofSeconds(120));
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals(recs.size() * 12, r.stdout().length);
    ByteBuffer out = ByteBuffer.wrap(r.stdout()).order(ByteOrder.LITTLE_ENDIAN);

    Prng rng = new Prng(0);
    int stochastic = 0;
    for (int i = 0; i < recs.size(); i++) {
      Rec k = recs.get(i);
      int cResult = out.getInt();
      long cState = out.getLong();
      int j;
      boolean isFloat = false;
      switch (k.op) {
        case 0 -> {
          j = Update.s8((byte) k.a, f(k.b), Rounding.values()[k.c], rng);
          stochastic += k.c == 2 ? 1 : 0;
        }
        case 1 -> {
          j = Update.s32(k.a, f(k.b), Rounding.values()[k.c], rng);
          stochastic += k.c == 2 ? 1 : 0;
        }
        case 2 -> {
          j = Float.floatToRawIntBits(Update.qasDelta(f(k.a), f(k.b), f(k.c)));
          isFloat = true;
        }
        case 3 -> j = rng.nextBelow(k.a);
        case 4 -> j = Float.floatToRawIntBits(rng.nextFloat());
        case 5 -> {
          rng = new Prng(k.a);
          j = 0;
        }
        case 6 -> j = rng.nextInt();
        case 7 -> {
          float[] w = {f(k.a)};
          Update.sgdF32(w, new float[] {f(k.b)}, f(k.c));
          j = Float.floatToRawIntBits(w[0]);
          isFloat = true;
        }
        default -> throw new AssertionError(k);
      }
      boolean same = cResult == j || (isFloat && Float.isNaN(f(cResult)) && Float.isNaN(f(j)));
      if (!same) {
        fail("record " + i + " " + k + ": C 0x" + Integer.toHexString(cResult) + ", Java 0x"
            + Integer.toHexString(j));
      }
      if (cState != rng.state()) {
        fail("record " + i + " " + k + ": PRNG state C 0x" + Long.toHexString(cState) + ", Java 0x"
            + Long.toHexString(rng.state()));
      }
    }
    assertTrue(stochastic > 50_000, "stochastic updates: " + stochastic);
  }

  @Test
  void compilesForCortexM7WithoutDoubleOr64BitDivision(@TempDir Path tmp) {
    Path root = NativeProbe.BUILD.sourceRoot();
    List<Path> sources =
        List.of(
            root.resolve("runtime-c/src/support/mt_prng.c"),
            root.resolve("runtime-c/src/update/mt_update.c"),
            NativeProbe.testsDir().resolve("test_mt_update.c"),
            NativeProbe.testsDir().resolve("probe_mt_update.c"));
    for (Disassembly d : NativeProbe.cortexM7(NativeProbe.BUILD, sources, tmp.resolve("m7"))) {
      d.assertNoDoubleOrForbiddenCall(NativeProbe.FORBIDDEN_CALL);
    }
  }

  private static float f(int bits) {
    return Float.intBitsToFloat(bits);
  }
}
