package dev.mcutrain.runtime.accumulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.toolchain.ProcessRunner;
import dev.mcutrain.toolchain.RuntimeSources;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Drives tests/kernels/probe_mt_accumulate.c: collects records (op + 32-bit payload words), runs
 * the probe once over all of them and returns each record's status and result words.
 */
final class AccumulateProbe {
  static final HostBuild BUILD = new HostBuild();

  /** One record's payload under construction. */
  static final class Words {
    private int[] w = new int[64];
    private int n;

    Words i(int v) {
      if (n == w.length) {
        w = Arrays.copyOf(w, n * 2);
      }
      w[n++] = v;
      return this;
    }

    Words i(int... vs) {
      for (int v : vs) {
        i(v);
      }
      return this;
    }

    Words f(float v) {
      return i(Float.floatToRawIntBits(v));
    }

    Words f(float[] vs) {
      for (float v : vs) {
        f(v);
      }
      return this;
    }

    Words b(byte[] vs) {
      for (byte v : vs) {
        i(v);
      }
      return this;
    }

    Words rng(long state, long inc) {
      return i((int) state, (int) (state >>> 32), (int) inc, (int) (inc >>> 32));
    }

    int[] toArray() {
      return Arrays.copyOf(w, n);
    }
  }

  /** A record's answer: the kernel's status and its result words. */
  record Result(int status, int[] words) {
    float[] floats(int from, int count) {
      float[] r = new float[count];
      for (int k = 0; k < count; k++) {
        r[k] = Float.intBitsToFloat(words[from + k]);
      }
      return r;
    }

    byte[] bytes(int from, int count) {
      byte[] r = new byte[count];
      for (int k = 0; k < count; k++) {
        r[k] = (byte) words[from + k];
      }
      return r;
    }

    int[] ints(int from, int count) {
      return Arrays.copyOfRange(words, from, from + count);
    }

    long state(int from) {
      return (words[from] & 0xffffffffL) | ((long) words[from + 1] << 32);
    }
  }

  private final List<Integer> ops = new ArrayList<>();
  private final List<int[]> payloads = new ArrayList<>();

  int add(int op, Words w) {
    ops.add(op);
    payloads.add(w.toArray());
    return ops.size() - 1;
  }

  static Path testsDir() {
    Path checkout = RuntimeSources.sourceCheckout();
    assertNotNull(checkout, "no project checkout found (tests/kernels holds the C tests)");
    return checkout.resolve("tests/kernels");
  }

  static Path executable() {
    return BUILD.buildExecutable(
        List.of(testsDir().resolve("probe_mt_accumulate.c")), List.of(),
        Path.of("target", "c-tests").toAbsolutePath(), "probe_mt_accumulate");
  }

  List<Result> run() {
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
        ProcessRunner.run(List.of(executable().toString()), in.array(), Duration.ofSeconds(300));
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
