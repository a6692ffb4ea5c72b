package dev.mcutrain.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.toolchain.Llvm;
import dev.mcutrain.toolchain.ProcessRunner;
import dev.mcutrain.toolchain.RuntimeSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The native side of the C tests: host builds of the programs in tests/kernels, the Cortex-M7
 * disassembly of runtime sources, and the word-record protocol of tests/kernels/probe_records.h
 * (an instance collects records, op + 32-bit payload words, runs the probe once over all of them
 * and returns each record's status and result words).
 */
public final class NativeProbe {
  /** The host build every C test shares (one object cache). */
  public static final HostBuild BUILD = new HostBuild();

  /** Calls that would mean a double, a 64-bit division or a missing libgcc/compiler-rt helper. */
  public static final Pattern FORBIDDEN_CALL =
      Pattern.compile(
          "R_ARM_THM_(CALL|JUMP24)\\s+(__aeabi_l\\w*|__aeabi_ul\\w*|__aeabi_d\\w*|__aeabi_f2[lu]\\w*"
              + "|__aeabi_[lu]\\w*2f|__\\w*di3|__\\w*df\\w*)");

  /** tests/kernels of the project checkout. */
  public static Path testsDir() {
    Path checkout = RuntimeSources.sourceCheckout();
    assertNotNull(checkout, "no project checkout found (tests/kernels holds the C tests)");
    return checkout.resolve("tests/kernels");
  }

  /** Where the C tests' executables go. */
  public static Path outDir() {
    return Path.of("target", "c-tests").toAbsolutePath();
  }

  /** Builds tests/kernels/{@code name}.c with the runtime into the executable {@code name}. */
  public static Path executable(String name) {
    return BUILD.buildExecutable(
        List.of(testsDir().resolve(name + ".c")), List.of(), outDir(), name);
  }

  /**
   * Builds and runs the hand-check program tests/kernels/{@code name}.c: it must exit 0 and report
   * " passed, 0 failed". Returns its output.
   */
  public static String runHandChecks(String name, Duration timeout) {
    ProcessRunner.Result r = ProcessRunner.run(List.of(executable(name).toString()), null, timeout);
    String out = r.stdoutText();
    assertEquals(0, r.exitCode(), out);
    assertTrue(out.contains(" passed, 0 failed"), out);
    return out;
  }

  /** The .c files directly in {@code dir} of the project's sources, sorted. */
  public static List<Path> cSourcesIn(String dir) {
    List<Path> sources = new ArrayList<>();
    try (Stream<Path> s = Files.list(BUILD.sourceRoot().resolve(dir))) {
      s.filter(p -> p.toString().endsWith(".c")).sorted().forEach(sources::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sources;
  }

  /** A Cortex-M7 object and its disassembly (llvm-objdump -dr). */
  public record Disassembly(Path object, String asm) {
    /** No double-precision instruction and no call {@code forbidden} matches. */
    public void assertNoDoubleOrForbiddenCall(Pattern forbidden) {
      assertFalse(asm.contains(".f64"), object + " uses double-precision instructions");
      Matcher m = forbidden.matcher(asm);
      assertFalse(m.find(), () -> object + " calls a 64-bit/double helper: " + m.group());
    }
  }

  /**
   * Compiles {@code sources} for Cortex-M7 into {@code dir} with {@code build} and disassembles
   * each object, checking there is one ARM ELF object per source.
   */
  public static List<Disassembly> cortexM7(HostBuild build, List<Path> sources, Path dir) {
    List<Path> objects = build.compileOnlyForCortexM7(sources, List.of(), dir);
    assertEquals(sources.size(), objects.size());
    List<Disassembly> result = new ArrayList<>();
    for (Path obj : objects) {
      ProcessRunner.Result r =
          ProcessRunner.run(
              List.of(Llvm.get().llvmObjdump().toString(), "-dr", "--mcpu=cortex-m7",
                  obj.toString()),
              null,
              Duration.ofSeconds(60));
      assertEquals(0, r.exitCode(), r.stderr());
      String asm = r.stdoutText();
      assertTrue(asm.contains("file format elf32-littlearm"), obj + ": " + asm.lines().limit(3));
      result.add(new Disassembly(obj, asm));
    }
    return result;
  }

  // ---- the word-record protocol (probe_records.h) -------------------------------------------

  /** One record's payload under construction. */
  public static final class Words {
    private int[] w = new int[64];
    private int n;

    public Words i(int v) {
      if (n == w.length) {
        w = Arrays.copyOf(w, n * 2);
      }
      w[n++] = v;
      return this;
    }

    public Words i(int... vs) {
      for (int v : vs) {
        i(v);
      }
      return this;
    }

    public Words f(float v) {
      return i(Float.floatToRawIntBits(v));
    }

    public Words f(float[] vs) {
      for (float v : vs) {
        f(v);
      }
      return this;
    }

    public Words b(byte[] vs) {
      for (byte v : vs) {
        i(v);
      }
      return this;
    }

    public Words rng(long state, long inc) {
      return i((int) state, (int) (state >>> 32), (int) inc, (int) (inc >>> 32));
    }

    public int[] toArray() {
      return Arrays.copyOf(w, n);
    }
  }

  /** A record's answer: the status and the result words. */
  public record Result(int status, int[] words) {
    public float[] floats(int from, int count) {
      float[] r = new float[count];
      for (int k = 0; k < count; k++) {
        r[k] = Float.intBitsToFloat(words[from + k]);
      }
      return r;
    }

    public byte[] bytes(int from, int count) {
      byte[] r = new byte[count];
      for (int k = 0; k < count; k++) {
        r[k] = (byte) words[from + k];
      }
      return r;
    }

    public int[] ints(int from, int count) {
      return Arrays.copyOfRange(words, from, from + count);
    }

    public long state(int from) {
      return (words[from] & 0xffffffffL) | ((long) words[from + 1] << 32);
    }
  }

  private final String name;
  private final List<Integer> ops = new ArrayList<>();
  private final List<int[]> payloads = new ArrayList<>();

  /** Records for tests/kernels/{@code name}.c. */
  public NativeProbe(String name) {
    this.name = name;
  }

  public int add(int op, Words w) {
    ops.add(op);
    payloads.add(w.toArray());
    return ops.size() - 1;
  }

  public List<Result> run() {
    int total = 0;
    for (int[] p : payloads) {
      total += 8 + 4 * p.length;
    }
    ByteBuffer in = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    for (int k = 0; k < ops.size(); k++) {
      in.putInt(ops.get(k)).putInt(payloads.get(k).length);
      for (int v : payloads.get(k)) {
        in.putInt(v);
      }
    }
    ProcessRunner.Result r =
        ProcessRunner.run(
            List.of(executable(name).toString()), in.array(), Duration.ofSeconds(300));
    assertEquals(0, r.exitCode(), "probe failed: " + r.stderr());
    ByteBuffer out = ByteBuffer.wrap(r.stdout()).order(ByteOrder.LITTLE_ENDIAN);
    List<Result> results = new ArrayList<>();
    for (int k = 0; k < ops.size(); k++) {
      int status = out.getInt();
      int n = out.getInt();
      int[] words = new int[n];
      for (int j = 0; j < n; j++) {
        words[j] = out.getInt();
      }
      results.add(new Result(status, words));
    }
    assertEquals(0, out.remaining(), "trailing probe output");
    return results;
  }
}
