package dev.mcutrain.runtime.accumulate;

import static dev.mcutrain.testing.KernelData.biases;
import static dev.mcutrain.testing.KernelData.count;
import static dev.mcutrain.testing.KernelData.countChanges;
import static dev.mcutrain.testing.KernelData.dims;
import static dev.mcutrain.testing.KernelData.factors;
import static dev.mcutrain.testing.KernelData.geo;
import static dev.mcutrain.testing.KernelData.grads;
import static dev.mcutrain.testing.KernelData.int8s;
import static dev.mcutrain.testing.KernelData.learningRate;
import static dev.mcutrain.testing.KernelData.pickChannels;
import static dev.mcutrain.testing.KernelData.scale;
import static dev.mcutrain.testing.KernelData.slice;
import static dev.mcutrain.testing.NativeProbe.FORBIDDEN_CALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.mcutrain.reference.AccumulateKernels;
import dev.mcutrain.testing.KernelData.Geo;
import dev.mcutrain.testing.NativeProbe.Disassembly;
import dev.mcutrain.testing.NativeProbe.Result;
import dev.mcutrain.testing.NativeProbe.Words;
import dev.mcutrain.testing.NativeProbe;
import dev.mcutrain.testing.UpdateStats;
import dev.mcutrain.train.update.Prng;
import dev.mcutrain.train.update.Rounding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * runtime-c's gradient-accumulation kernels (mt_accumulate.h) against {@link AccumulateKernels},
 * bit for bit: several accumulation rounds per case (accumulate 1-4 samples, then apply the mean
 * with a count of 1-5 and clear), every accumulator, weight, bias and the PRNG end state compared.
 * Plus the invalid-argument checks and the Cortex-M7 objects' instruction and helper-call hygiene.
 */
class AccumulateNativeTest {
  private static final int MT_OK = 0;
  private static final int MT_ERR_ARG = -1;

  // ---- random data -------------------------------------------------------------------------

  /** An accumulator's start: usually cleared (+0), sometimes left-over values including -0. */
  private static float[] accInit(SplittableRandom r, int n) {
    float[] a = new float[n];
    if (r.nextInt(4) == 0) {
      for (int i = 0; i < n; i++) {
        int k = r.nextInt(10);
        a[i] = k == 0 ? -0f : k == 1 ? 0f : (float) (r.nextGaussian() * 0.5);
      }
    }
    return a;
  }

  // ---- rounds, expectations, statistics ----------------------------------------------------

  /** One accumulation round: how many samples are accumulated and the count the mean uses. */
  private record Round(int samples, int count) {}

  private static List<Round> rounds(SplittableRandom r, Stats st) {
    int n = r.nextInt(1, 4);
    List<Round> list = new ArrayList<>();
    for (int k = 0; k < n; k++) {
      int samples = r.nextInt(1, 5);
      int cnt = r.nextInt(3) == 0 ? r.nextInt(1, 6) : samples;
      st.counts[cnt]++;
      list.add(new Round(samples, cnt));
    }
    st.multiRound += n > 1 ? 1 : 0;
    return list;
  }

  /** The expected result words of one record, with labelled sections for failure messages. */
  private static final class Expect {
    final Words words = new Words();
    final List<Integer> starts = new ArrayList<>();
    final List<String> labels = new ArrayList<>();
    final String name;
    int length;

    Expect(String name) {
      this.name = name;
    }

    private void mark(String label, int n) {
      starts.add(length);
      labels.add(label);
      length += n;
    }

    Expect f(String label, float[] v) {
      mark(label, v.length);
      words.f(v);
      return this;
    }

    Expect b(String label, byte[] v) {
      mark(label, v.length);
      words.b(v);
      return this;
    }

    Expect i(String label, int[] v) {
      mark(label, v.length);
      words.i(v);
      return this;
    }

    Expect rng(Prng rng) {
      long s = rng.state();
      return i("PRNG state", new int[] {(int) s, (int) (s >>> 32)});
    }

    String where(int index) {
      int k = starts.size() - 1;
      while (k > 0 && starts.get(k) > index) {
        k--;
      }
      return labels.get(k) + " element " + (index - starts.get(k));
    }
  }

  private static final class Stats extends UpdateStats {
    final int[] counts = new int[6];
    int multiRound;
    int accNonZero;
  }

  private static void countNonZero(float[] acc, Stats st) {
    for (float v : acc) {
      st.accNonZero += v != 0f ? 1 : 0;
    }
  }

  private static void check(List<Result> out, List<Expect> expected) {
    assertEquals(expected.size(), out.size());
    for (int c = 0; c < expected.size(); c++) {
      Expect e = expected.get(c);
      Result res = out.get(c);
      assertEquals(MT_OK, res.status(), e.name);
      int[] want = e.words.toArray();
      int[] got = res.words();
      assertEquals(want.length, got.length, e.name + ": result words");
      for (int i = 0; i < want.length; i++) {
        if (want[i] != got[i]) {
          fail(e.name + ": " + e.where(i) + ": Java 0x" + Integer.toHexString(want[i])
              + " (int " + want[i] + ", float " + Float.intBitsToFloat(want[i]) + "), C 0x"
              + Integer.toHexString(got[i]) + " (int " + got[i] + ", float "
              + Float.intBitsToFloat(got[i]) + ")");
        }
      }
    }
  }

  private static void checkStats(Stats st, boolean int8) {
    for (int c = 1; c <= 5; c++) {
      assertTrue(st.counts[c] > 5, "count " + c + " used " + st.counts[c] + " times");
    }
    assertTrue(st.multiRound > 50, "multi-round cases: " + st.multiRound);
    assertTrue(st.accNonZero > 500, "non-zero accumulators: " + st.accNonZero);
    if (int8) {
      st.assertCoverage();
    }
  }

  // ---- CONV_2D and DEPTHWISE_CONV_2D -------------------------------------------------------

  @Test
  void conv2dAccumulationMatchesJava() {
    convLike(false, 8101);
  }

  @Test
  void depthwiseAccumulationMatchesJava() {
    convLike(true, 8102);
  }

  private static void convLike(boolean depthwise, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    NativeProbe probe = new NativeProbe("probe_mt_accumulate");
    List<Expect> expected = new ArrayList<>();
    Stats st = new Stats();
    int mult2 = 0;
    int stride2 = 0;
    int padded = 0;
    for (int c = 0; c < 400; c++) {
      Geo geo = geo(r, 9);
      int ic = r.nextInt(1, 9);
      int mult = depthwise ? r.nextInt(1, 3) : 1;
      int oc = depthwise ? ic * mult : r.nextInt(1, 6);
      mult2 += mult == 2 ? 1 : 0;
      stride2 += geo.sh() == 2 || geo.sw() == 2 ? 1 : 0;
      padded += geo.ph() > 0 || geo.pw() > 0 ? 1 : 0;
      int[] inDims = {geo.n(), geo.ih(), geo.iw(), ic};
      int[] fDims = depthwise ? new int[] {1, geo.kh(), geo.kw(), oc}
          : new int[] {oc, geo.kh(), geo.kw(), ic};
      int[] outDims = {geo.n(), geo.oh(), geo.ow(), oc};
      float xScale = scale(r);
      int xZp = r.nextInt(-128, 128);
      float[][] k = factors(r, oc, xScale);
      float lr = learningRate(r);
      Rounding rounding = Rounding.values()[r.nextInt(3)];
      st.stochastic += rounding == Rounding.STOCHASTIC ? 1 : 0;
      int channels = pickChannels(r, depthwise ? oc : ic, st);
      if (depthwise && channels > 0 && r.nextInt(3) == 0) {
        channels = r.nextInt(1, oc + 1); // odd counts: a partial last input channel
      }
      boolean hasBias = r.nextInt(4) != 0;
      byte[] w = int8s(r, count(fDims), -127, 127);
      int[] bias = hasBias ? biases(r, oc) : null;
      int nAcc = depthwise ? channels * geo.kh() * geo.kw()
          : oc * geo.kh() * geo.kw() * channels;
      float[] accW = accInit(r, nAcc);
      float[] accB = hasBias ? accInit(r, oc) : null;
      long state = r.nextLong();
      long inc = r.nextLong() | 1L;
      int need = depthwise ? (channels + mult - 1) / mult : channels;
      // the C kernel gets the slice (or, now and then, the full input)
      int xc = channels == 0 ? 0 : (r.nextInt(5) == 0 ? ic : need);
      int[] xDims = {geo.n(), geo.ih(), geo.iw(), xc};
      List<Round> rounds = rounds(r, st);

      Words words = new Words().i(geo.sh(), geo.sw(), geo.ph(), geo.pw());
      if (depthwise) {
        words.i(mult);
      }
      words.f(lr).i(rounding.cValue(), channels, hasBias ? 1 : 0).f(xScale)
          .i(xZp, channels > 0 ? 1 : 0);
      dims(dims(dims(words, xDims), fDims), outDims).f(k[0]).f(k[1]).b(w);
      if (hasBias) {
        words.i(bias);
      }
      words.f(accW);
      if (hasBias) {
        words.f(accB);
      }
      words.rng(state, inc).i(rounds.size());

      String name = (depthwise ? "depthwise" : "conv2d") + " case " + c + " " + geo + " ic=" + ic
          + " oc=" + oc + " M=" + mult + " channels=" + channels + " xc=" + xc + " bias="
          + hasBias + " " + rounding + " rounds=" + rounds;
      Expect e = new Expect(name);
      Prng rng = Prng.ofState(state, inc);
      byte[] wJ = w.clone();
      int[] bJ = hasBias ? bias.clone() : null;
      for (int rd = 0; rd < rounds.size(); rd++) {
        Round round = rounds.get(rd);
        words.i(round.samples(), round.count());
        for (int s = 0; s < round.samples(); s++) {
          byte[] x = int8s(r, count(inDims), -128, 127);
          float[] g = grads(r, count(outDims));
          if (channels > 0) {
            words.b(slice(x, inDims, xc));
          }
          words.f(g);
          if (depthwise) {
            AccumulateKernels.depthwiseGradWeightAcc(geo.sh(), geo.sw(), geo.ph(), geo.pw(),
                mult, xScale, xZp, inDims, x, fDims, channels, outDims, g, accW);
          } else {
            AccumulateKernels.conv2dGradWeightAcc(geo.sh(), geo.sw(), geo.ph(), geo.pw(), xScale,
                xZp, inDims, x, fDims, channels, outDims, g, accW);
          }
          if (hasBias) {
            AccumulateKernels.biasGradAcc(outDims, g, accB);
          }
        }
        countNonZero(accW, st);
        e.f("round " + rd + " acc_w", accW);
        if (hasBias) {
          e.f("round " + rd + " acc_b", accB);
        }
        byte[] wBefore = wJ.clone();
        int[] bBefore = hasBias ? bJ.clone() : null;
        if (depthwise) {
          AccumulateKernels.depthwiseApply(lr, k[0], rounding, rng, round.count(), fDims, wJ,
              channels, accW);
        } else {
          AccumulateKernels.conv2dApply(lr, k[0], rounding, rng, round.count(), fDims, wJ,
              channels, accW);
        }
        if (hasBias) {
          AccumulateKernels.biasApply(lr, k[1], rounding, rng, round.count(), bJ, accB);
        }
        countChanges(wBefore, wJ, bBefore, bJ, st);
        e.b("round " + rd + " weights", wJ);
        if (hasBias) {
          e.i("round " + rd + " biases", bJ);
        }
        e.f("round " + rd + " acc_w after apply", accW);
        if (hasBias) {
          e.f("round " + rd + " acc_b after apply", accB);
        }
      }
      e.rng(rng);
      probe.add(depthwise ? 2 : 1, words);
      expected.add(e);
    }
    check(probe.run(), expected);
    checkStats(st, true);
    assertTrue(stride2 > 50 && padded > 50, "stride 2: " + stride2 + ", padded: " + padded);
    if (depthwise) {
      assertTrue(mult2 > 50, "depth multiplier 2: " + mult2);
    }
  }

  // ---- FULLY_CONNECTED ---------------------------------------------------------------------

  @Test
  void fullyConnectedAccumulationMatchesJava() {
    SplittableRandom r = new SplittableRandom(8103);
    NativeProbe probe = new NativeProbe("probe_mt_accumulate");
    List<Expect> expected = new ArrayList<>();
    Stats st = new Stats();
    for (int c = 0; c < 400; c++) {
      int batches = r.nextInt(1, 3);
      int depth = r.nextInt(1, 40);
      int units = r.nextInt(1, 13);
      float xScale = scale(r);
      int xZp = r.nextInt(-128, 128);
      float[][] k = factors(r, units, xScale);
      float lr = learningRate(r);
      Rounding rounding = Rounding.values()[r.nextInt(3)];
      st.stochastic += rounding == Rounding.STOCHASTIC ? 1 : 0;
      int channels = pickChannels(r, depth, st);
      boolean hasBias = r.nextInt(4) != 0;
      byte[] w = int8s(r, units * depth, -127, 127);
      int[] bias = hasBias ? biases(r, units) : null;
      float[] accW = accInit(r, units * channels);
      float[] accB = hasBias ? accInit(r, units) : null;
      long state = r.nextLong();
      long inc = r.nextLong() | 1L;
      List<Round> rounds = rounds(r, st);
      Words words = new Words().f(lr).i(rounding.cValue(), channels, hasBias ? 1 : 0).f(xScale)
          .i(xZp, batches, depth, units).f(k[0]).f(k[1]).b(w);
      if (hasBias) {
        words.i(bias);
      }
      words.f(accW);
      if (hasBias) {
        words.f(accB);
      }
      words.rng(state, inc).i(rounds.size());

      String name = "fc case " + c + " b=" + batches + " d=" + depth + " u=" + units
          + " channels=" + channels + " bias=" + hasBias + " " + rounding + " rounds=" + rounds;
      Expect e = new Expect(name);
      Prng rng = Prng.ofState(state, inc);
      byte[] wJ = w.clone();
      int[] bJ = hasBias ? bias.clone() : null;
      int[] outDims = {1, 1, batches, units};
      for (int rd = 0; rd < rounds.size(); rd++) {
        Round round = rounds.get(rd);
        words.i(round.samples(), round.count());
        for (int s = 0; s < round.samples(); s++) {
          byte[] x = int8s(r, batches * depth, -128, 127);
          float[] g = grads(r, batches * units);
          // the C kernel gets the slice [batches, channels]; the Java one the full rows
          words.b(slice(x, new int[] {1, 1, batches, depth}, channels)).f(g);
          AccumulateKernels.fullyConnectedGradWeightAcc(batches, depth, units, xScale, xZp, x,
              channels, g, accW);
          if (hasBias) {
            AccumulateKernels.biasGradAcc(outDims, g, accB);
          }
        }
        countNonZero(accW, st);
        e.f("round " + rd + " acc_w", accW);
        if (hasBias) {
          e.f("round " + rd + " acc_b", accB);
        }
        byte[] wBefore = wJ.clone();
        int[] bBefore = hasBias ? bJ.clone() : null;
        AccumulateKernels.fullyConnectedApply(lr, k[0], rounding, rng, round.count(), depth,
            units, wJ, channels, accW);
        if (hasBias) {
          AccumulateKernels.biasApply(lr, k[1], rounding, rng, round.count(), bJ, accB);
        }
        countChanges(wBefore, wJ, bBefore, bJ, st);
        e.b("round " + rd + " weights", wJ);
        if (hasBias) {
          e.i("round " + rd + " biases", bJ);
        }
        e.f("round " + rd + " acc_w after apply", accW);
        if (hasBias) {
          e.f("round " + rd + " acc_b after apply", accB);
        }
      }
      e.rng(rng);
      probe.add(3, words);
      expected.add(e);
    }
    check(probe.run(), expected);
    checkStats(st, true);
  }

  // ---- fp32 head ---------------------------------------------------------------------------

  @Test
  void fp32HeadAccumulationMatchesJava() {
    SplittableRandom r = new SplittableRandom(8104);
    NativeProbe probe = new NativeProbe("probe_mt_accumulate");
    List<Expect> expected = new ArrayList<>();
    Stats st = new Stats();
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
      float[] accW = accInit(r, units * depth);
      float[] accB = accInit(r, units);
      float lr = (float) Math.pow(10, r.nextDouble(-3, 0));
      List<Round> rounds = rounds(r, st);
      Words words = new Words().i(units, depth).f(lr).f(w).f(b).f(accW).f(accB)
          .i(rounds.size());
      Expect e = new Expect("fp32 head case " + c + " units=" + units + " depth=" + depth
          + " rounds=" + rounds);
      for (int rd = 0; rd < rounds.size(); rd++) {
        Round round = rounds.get(rd);
        words.i(round.samples(), round.count());
        for (int s = 0; s < round.samples(); s++) {
          float[] f = new float[depth];
          for (int i = 0; i < depth; i++) {
            f[i] = r.nextInt(8) == 0 ? 0f : (float) (0.05 * r.nextInt(-128, 128));
          }
          float[] dl = grads(r, units);
          words.f(f).f(dl);
          AccumulateKernels.headGradAcc(units, depth, f, dl, accW, accB);
        }
        countNonZero(accW, st);
        e.f("round " + rd + " acc_w", accW).f("round " + rd + " acc_b", accB);
        AccumulateKernels.headApply(units, depth, w, b, accW, accB, round.count(), lr);
        e.f("round " + rd + " w", w).f("round " + rd + " b", b);
        e.f("round " + rd + " acc_w after apply", accW)
            .f("round " + rd + " acc_b after apply", accB);
      }
      probe.add(4, words);
      expected.add(e);
    }
    check(probe.run(), expected);
    checkStats(st, false);
  }

  // ---- the mean is a division -------------------------------------------------------------

  /**
   * An accumulator value within 4 ulps of count * (m + 0.5) (NEAREST) or count * m (TRUNCATE):
   * with k = lr = 1 the update is -(acc / count), right at a rounding boundary, where
   * acc * (1 / count) would round the other way now and then.
   */
  private static float boundary(SplittableRandom r, int cnt, Rounding rounding) {
    int m = r.nextInt(-60, 61);
    float v = (float) cnt * (rounding == Rounding.NEAREST ? m + 0.5f : (float) m);
    int steps = r.nextInt(-4, 5);
    for (int k = 0; k < Math.abs(steps); k++) {
      v = steps > 0 ? Math.nextUp(v) : Math.nextDown(v);
    }
    return v;
  }

  private static float[] boundaries(SplittableRandom r, int n, int cnt, Rounding rounding) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = boundary(r, cnt, rounding);
    }
    return a;
  }

  /**
   * Apply only (rounds of zero samples) from accumulators set near rounding boundaries, for the
   * conv (op 1), depthwise (op 2) and fully connected (op 3) weights and the biases: the C mean
   * must be the same division as the Java one (a reciprocal multiply fails here).
   */
  @Test
  void meanIsTheSameDivisionNearRoundingBoundaries() {
    SplittableRandom r = new SplittableRandom(8105);
    NativeProbe probe = new NativeProbe("probe_mt_accumulate");
    List<Expect> expected = new ArrayList<>();
    int changed = 0;
    for (int c = 0; c < 300; c++) {
      int op = 1 + c % 3;
      int cnt = r.nextInt(1, 8);
      Rounding rounding = r.nextBoolean() ? Rounding.NEAREST : Rounding.TRUNCATE;
      int kh = r.nextInt(1, 4);
      int kw = r.nextInt(1, 4);
      int ic = r.nextInt(1, 9);
      int mult = op == 2 ? r.nextInt(1, 3) : 1;
      int oc = op == 2 ? ic * mult : r.nextInt(1, 6);
      int depth = r.nextInt(1, 40);
      int units = r.nextInt(1, 13);
      int outC = op == 3 ? units : oc;
      int channels = op == 1 ? ic : op == 2 ? oc : depth;
      float[] ones = new float[outC];
      Arrays.fill(ones, 1f);
      int[] fDims = op == 1 ? new int[] {oc, kh, kw, ic}
          : op == 2 ? new int[] {1, kh, kw, oc} : new int[] {1, 1, units, depth};
      byte[] w = new byte[count(fDims)];
      int[] bias = new int[outC];
      float[] accW = boundaries(r, count(fDims), cnt, rounding);
      float[] accB = boundaries(r, outC, cnt, rounding);
      Words words = new Words();
      if (op == 3) {
        words.f(1f).i(rounding.cValue(), channels, 1).f(0.01f).i(0, 1, depth, units);
      } else {
        words.i(1, 1, 0, 0);
        if (op == 2) {
          words.i(mult);
        }
        words.f(1f).i(rounding.cValue(), channels, 1).f(0.01f).i(0, 1);
        dims(dims(dims(words, new int[] {1, 4, 4, ic}), fDims), new int[] {1, 4, 4, outC});
      }
      words.f(ones).f(ones).b(w).i(bias).f(accW).f(accB).rng(1L, 1L).i(1).i(0, cnt);
      Expect e = new Expect("boundary case " + c + " op " + op + " count=" + cnt + " "
          + rounding + " f=" + Arrays.toString(fDims));
      e.f("acc_w", accW).f("acc_b", accB);
      Prng rng = Prng.ofState(1L, 1L);
      if (op == 1) {
        AccumulateKernels.conv2dApply(1f, ones, rounding, rng, cnt, fDims, w, channels, accW);
      } else if (op == 2) {
        AccumulateKernels.depthwiseApply(1f, ones, rounding, rng, cnt, fDims, w, channels, accW);
      } else {
        AccumulateKernels.fullyConnectedApply(1f, ones, rounding, rng, cnt, depth, units, w,
            channels, accW);
      }
      AccumulateKernels.biasApply(1f, ones, rounding, rng, cnt, bias, accB);
      for (byte v : w) {
        changed += v != 0 ? 1 : 0;
      }
      e.b("weights", w).i("biases", bias).f("acc_w after apply", accW)
          .f("acc_b after apply", accB).rng(rng);
      probe.add(op, words);
      expected.add(e);
    }
    check(probe.run(), expected);
    assertTrue(changed > 5000, "weights changed: " + changed);
  }

  // ---- arguments and Cortex-M7 -------------------------------------------------------------

  @Test
  void invalidArgumentsAreRejectedWithoutWrites() {
    NativeProbe probe = new NativeProbe("probe_mt_accumulate");
    probe.add(5, new Words());
    Result res = probe.run().get(0);
    assertEquals(MT_OK, res.status());
    assertEquals(70, res.words().length, "invalid calls (plus one word per unexpected write)");
    for (int i = 0; i < res.words().length; i++) {
      assertEquals(MT_ERR_ARG, res.words()[i], "invalid call " + i);
    }
  }

  @Test
  void compilesForCortexM7WithoutDoubleOr64BitHelpers(@TempDir Path tmp) {
    List<Path> sources = NativeProbe.cSourcesIn("runtime-c/src/accumulate");
    assertEquals(10, sources.size(), "accumulate sources: " + sources);
    sources.add(NativeProbe.testsDir().resolve("probe_mt_accumulate.c"));
    for (Disassembly d : NativeProbe.cortexM7(NativeProbe.BUILD, sources, tmp.resolve("m7"))) {
      d.assertNoDoubleOrForbiddenCall(FORBIDDEN_CALL);
      if (d.object().getFileName().toString().contains("_apply_acc")) {
        assertTrue(d.asm().contains("vdiv.f32"), d.object() + ": the mean must be a division");
      }
    }
  }
}
