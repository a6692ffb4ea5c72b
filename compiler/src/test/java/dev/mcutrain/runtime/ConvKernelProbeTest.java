package dev.mcutrain.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.primitives.ImmutableIntArray;
import dev.mcutrain.lower.KernelParams;
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
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A C convolution kernel against the Java reference on random small cases: the subclass draws
 * the shapes ({@link #randomShape}) and computes the reference ({@link #reference}); this class
 * draws the data and the quantization (per-tensor and per-channel, shifts of either sign,
 * multipliers of any sign, large biases and input offsets, narrow and full activation ranges,
 * misaligned tensors), and runs the same cases through tests/kernels/{@link #probe}.c built for
 * the host (portable C) and for the emulated Cortex-M7 (the DSP paths). Both must match the
 * reference byte for byte. Protocol: tests/kernels/probe_conv.h.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ConvKernelProbeTest {
  private static final int CASES = 1200;

  /** The layer's geometry; {@code mult} is the depth multiplier (1 for CONV_2D). */
  record Shape(int n, int h, int w, int ci, int co, int kh, int kw, int sh, int sw, int ph,
      int pw, int mult) {
    int oh() {
      return (h + 2 * ph - kh) / sh + 1;
    }

    int ow() {
      return (w + 2 * pw - kw) / sw + 1;
    }
  }

  /** One case: the probe's 20 header words and its data; expected holds the reference output. */
  record Case(int[] header, byte[] input, byte[] filter, int[] bias, int[] multiplier,
      int[] shift, byte[] expected) {
    String describe() {
      return "case n,h,w,ci,co,kh,kw,oh,ow,sh,sw,ph,pw,io,oo,min,max,perChannel,bias,misalign = "
          + Arrays.toString(header) + " multipliers " + Arrays.toString(multiplier) + " shifts "
          + Arrays.toString(shift);
    }
  }

  /** The probe program's name (tests/kernels/NAME.c). */
  abstract String probe();

  /** A random geometry, or null to draw again. */
  abstract Shape randomShape(SplittableRandom r);

  /** Bytes of the filter for a shape. */
  abstract int filterBytes(Shape s);

  /** The Java reference output. */
  abstract void reference(Shape s, KernelParams.Conv p, byte[] input, byte[] filter, int[] bias,
      byte[] out);

  @TempDir Path dir;

  private List<Case> cases;
  private byte[] stdin;

  @BeforeAll
  void generate() {
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
    Path exe = NativeProbe.executable(probe());
    ProcessRunner.Result r =
        ProcessRunner.run(List.of(exe.toString()), stdin, Duration.ofSeconds(60));
    assertEquals(0, r.exitCode(), r.stderr());
    check(r.stdout(), "host");
  }

  @Test
  void cortexM7BuildMatchesTheReference() {
    Path src = NativeProbe.testsDir().resolve(probe() + ".c");
    FirmwareBuild.Image image = FirmwareBuild.build(Board.MPS2_AN500, 512L << 10,
        List.of(src), List.of(), dir.resolve("mps2"), probe());
    Qemu.Result r = Qemu.run(image.elf(), stdin, Duration.ofMinutes(3), false);
    assertEquals(0, r.exitStatus(), r.stderr());
    check(r.stdout(), "Cortex-M7");
  }

  private void check(byte[] out, String where) {
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
  private Case randomCase(SplittableRandom r) {
    Shape s = randomShape(r);
    if (s == null) {
      return null;
    }
    int n = s.n();
    int h = s.h();
    int w = s.w();
    int ci = s.ci();
    int co = s.co();
    int oh = s.oh();
    int ow = s.ow();
    if (oh < 1 || ow < 1 || (long) n * h * w * ci > 65536 || filterBytes(s) > 65536
        || (long) n * oh * ow * co > 65536 || co > 1024) {
      return null;
    }
    byte[] input = new byte[n * h * w * ci];
    byte[] filter = new byte[filterBytes(s)];
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
    int[] header = {n, h, w, ci, co, s.kh(), s.kw(), oh, ow, s.sh(), s.sw(), s.ph(), s.pw(),
        inputOffset, outputOffset,
        actMin, actMax, perChannel ? 1 : 0, bias != null ? 1 : 0, misalign};
    KernelParams.Conv p = new KernelParams.Conv(inputOffset, outputOffset, s.sh(), s.sw(), s.ph(),
        s.pw(), s.mult(),
        actMin, actMax,
        new KernelParams.Requant(ImmutableIntArray.copyOf(multiplier),
            ImmutableIntArray.copyOf(shift)));
    byte[] expected = new byte[n * oh * ow * co];
    reference(s, p, input, filter, bias, expected);
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
