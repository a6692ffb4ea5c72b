package dev.mcutrain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.lower.KernelParams;
import dev.mcutrain.reference.Kernels;
import dev.mcutrain.testing.NativeProbe;
import dev.mcutrain.toolchain.Board;
import dev.mcutrain.toolchain.FirmwareBuild;
import dev.mcutrain.toolchain.ProcessRunner;
import dev.mcutrain.toolchain.Qemu;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mt_conv2d_s8 against the Java reference ({@link Kernels#conv2d}) on random small cases that
 * reach the corners of its fast paths: pointwise and multi-tap filters (up to 90 taps, beyond the
 * 64 whose filter sums it caches; small whole filters such as 3x3x3, whose windows it gathers),
 * channel counts that are and are not multiples of 4, odd pixel
 * and output-channel counts (the 2x2 blocks' tails), misaligned tensors (byte loops instead of
 * word loads), per-tensor and per-channel requantization with shifts of either sign and
 * multipliers of any sign (the exact short requantization and its fallback), large biases and
 * input offsets, narrow and full activation ranges. The same cases run through
 * tests/kernels/probe_conv2d.c built for the host (portable C) and for the emulated Cortex-M7
 * (the DSP paths); both must match the reference byte for byte.
 */
class Conv2dKernelTest {
  private static final int CASES = 1200;

  @TempDir static Path dir;

  /** One case: the probe's 20 header words and its data; expected holds the reference output. */
  record Case(int[] header, byte[] input, byte[] filter, int[] bias, int[] multiplier,
      int[] shift, byte[] expected) {
    String describe() {
      return "case n,h,w,ci,co,kh,kw,oh,ow,sh,sw,ph,pw,io,oo,min,max,perChannel,bias,misalign = "
          + Arrays.toString(header) + " multipliers " + Arrays.toString(multiplier) + " shifts "
          + Arrays.toString(shift);
    }
  }

  private static List<Case> cases;
  private static byte[] stdin;

  @BeforeAll
  static void generate() {
    SplittableRandom r = new SplittableRandom(20261124L);
    cases = new ArrayList<>();
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    while (cases.size() < CASES) {
      Case c = randomCase(r);
      if (c != null) {
        cases.add(c);
        all.writeBytes(encode(c));
      }
    }
    stdin = all.toByteArray();
  }

  @Test
  void hostBuildMatchesTheReference() {
    Path exe = NativeProbe.executable("probe_conv2d");
    ProcessRunner.Result r =
        ProcessRunner.run(List.of(exe.toString()), stdin, Duration.ofSeconds(60));
    assertEquals(0, r.exitCode(), r.stderr());
    check(r.stdout(), "host");
  }

  @Test
  void cortexM7BuildMatchesTheReference() {
    Path probe = NativeProbe.testsDir().resolve("probe_conv2d.c");
    FirmwareBuild.Image image = FirmwareBuild.build(Board.MPS2_AN500, 512L << 10,
        List.of(probe), List.of(), dir.resolve("mps2"), "probe_conv2d");
    Qemu.Result r = Qemu.run(image.elf(), stdin, Duration.ofMinutes(3), false);
    assertEquals(0, r.exitStatus(), r.stderr());
    check(r.stdout(), "Cortex-M7");
  }

  private static void check(byte[] out, String where) {
    ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    for (Case c : cases) {
      assertTrue(b.remaining() >= 4 + c.expected().length, where + ": output ends early");
      assertEquals(0, b.getInt(), where + ": status of " + c.describe());
      byte[] got = new byte[c.expected().length];
      b.get(got);
      if (!Arrays.equals(c.expected(), got)) {
        int i = Arrays.mismatch(c.expected(), got);
        fail(where + ": output byte " + i + " is " + got[i] + ", the reference gives "
            + c.expected()[i] + "; " + c.describe());
      }
    }
    assertEquals(0, b.remaining(), where + ": extra output");
  }

  /** A random case, or null when its tensors would be too large for the probe. */
  private static Case randomCase(SplittableRandom r) {
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
    int oh = (h + 2 * ph - kh) / sh + 1;
    int ow = (w + 2 * pw - kw) / sw + 1;
    if (oh < 1 || ow < 1 || (long) n * h * w * ci > 65536 || (long) co * kh * kw * ci > 65536
        || (long) n * oh * ow * co > 65536) {
      return null;
    }
    byte[] input = new byte[n * h * w * ci];
    byte[] filter = new byte[co * kh * kw * ci];
    for (int i = 0; i < input.length; i++) {
      input[i] = (byte) r.nextInt(256);
    }
    boolean extremeWeights = r.nextInt(8) == 0;
    for (int i = 0; i < filter.length; i++) {
      filter[i] = extremeWeights && r.nextBoolean() ? (byte) (r.nextBoolean() ? -128 : 127)
          : (byte) r.nextInt(256);
    }
    int quantMode = r.nextInt(10);
    boolean perChannel = r.nextInt(4) != 0;
    int qn = perChannel ? co : 1;
    int[] multiplier = new int[qn];
    int[] shift = new int[qn];
    for (int i = 0; i < qn; i++) {
      multiplier[i] = quantMode == 1 ? r.nextInt() : (1 << 30) + r.nextInt(1 << 30);
      shift[i] = switch (quantMode) {
        case 2 -> r.nextInt(-31, 32);
        case 3 -> r.nextInt(-3, 4);
        default -> r.nextInt(-14, -4);
      };
      if (r.nextInt(30) == 0) {
        multiplier[i] = Integer.MIN_VALUE;
      } else if (r.nextInt(30) == 0) {
        multiplier[i] = 0;
      }
    }
    int[] bias = null;
    if (r.nextInt(5) != 0) {
      bias = new int[co];
      for (int i = 0; i < co; i++) {
        bias[i] = quantMode == 0 ? r.nextInt() : r.nextInt(-(1 << 20), (1 << 20) + 1);
      }
    }
    int inputOffset = r.nextInt(25) == 0 ? r.nextInt(-2000, 2001) : r.nextInt(-127, 129);
    int outputOffset = r.nextInt(-128, 128);
    int actMin = -128;
    int actMax = 127;
    if (r.nextBoolean()) {
      actMin = r.nextInt(-128, 1);
      actMax = r.nextInt(actMin, 128);
    }
    int misalign = r.nextInt(3) == 0 ? r.nextInt(64) : 0;
    int[] header = {n, h, w, ci, co, kh, kw, oh, ow, sh, sw, ph, pw, inputOffset, outputOffset,
        actMin, actMax, perChannel ? 1 : 0, bias != null ? 1 : 0, misalign};
    KernelParams.Conv p = new KernelParams.Conv(inputOffset, outputOffset, sh, sw, ph, pw, 1,
        actMin, actMax,
        new KernelParams.Requant(ImmutableIntArray.copyOf(multiplier),
            ImmutableIntArray.copyOf(shift)));
    byte[] expected = new byte[n * oh * ow * co];
    Kernels.conv2d(p, new int[] {n, h, w, ci}, input, new int[] {co, kh, kw, ci}, filter, bias,
        new int[] {n, oh, ow, co}, expected);
    return new Case(header, input, filter, bias, multiplier, shift, expected);
  }

  private static byte[] encode(Case c) {
    int words = c.header().length + (c.bias() != null ? c.bias().length : 0)
        + c.multiplier().length + c.shift().length;
    ByteBuffer b = ByteBuffer.allocate(4 * words + c.input().length + c.filter().length)
        .order(ByteOrder.LITTLE_ENDIAN);
    for (int v : c.header()) {
      b.putInt(v);
    }
    b.put(c.input()).put(c.filter());
    if (c.bias() != null) {
      for (int v : c.bias()) {
        b.putInt(v);
      }
    }
    for (int v : c.multiplier()) {
      b.putInt(v);
    }
    for (int v : c.shift()) {
      b.putInt(v);
    }
    return b.array();
  }
}
