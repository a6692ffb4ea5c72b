package dev.mcutrain.train.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Prng} against a second, independent formulation of PCG32 written with BigInteger
 * arithmetic straight from the definition, the published pcg32 demo values, and statistical sanity
 * checks.
 */
class PrngTest {
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
  private static final BigInteger MULT = new BigInteger("6364136223846793005");

  /** PCG32 XSH-RR from the definition, with arbitrary-precision integers. */
  private static final class Reference {
    BigInteger state = BigInteger.ZERO;
    final BigInteger inc;

    Reference(long seed, long stream) {
      inc = BigInteger.valueOf(stream).shiftLeft(1).or(BigInteger.ONE).mod(TWO_64);
      next();
      state = state.add(BigInteger.valueOf(seed)).mod(TWO_64);
      next();
    }

    long next() {
      BigInteger old = state;
      state = old.multiply(MULT).add(inc).mod(TWO_64);
      long xorshifted = old.shiftRight(18).xor(old).shiftRight(27).mod(BigInteger.ONE.shiftLeft(32))
          .longValueExact();
      int rot = old.shiftRight(59).intValueExact();
      // rotate right within 32 bits, via a 64-bit doubled word
      long doubled = (xorshifted << 32) | xorshifted;
      return (doubled >>> rot) & 0xFFFF_FFFFL;
    }

    long below(long n) {
      BigInteger bn = BigInteger.valueOf(n);
      BigInteger threshold = TWO_64.shiftRight(32).subtract(bn).mod(bn);
      while (true) {
        BigInteger m = BigInteger.valueOf(next()).multiply(bn);
        BigInteger low = m.mod(BigInteger.ONE.shiftLeft(32));
        if (low.compareTo(threshold) >= 0) {
          return m.shiftRight(32).longValueExact();
        }
      }
    }
  }

  @Test
  void matchesThePublishedPcg32DemoSequence() {
    // pcg32-demo: srandom(42u, 54u), "Round 1"
    Prng p = new Prng(42);
    int[] expected = {0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e};
    for (int e : expected) {
      assertEquals(Integer.toHexString(e), Integer.toHexString(p.nextInt()));
    }
    assertEquals(109L, p.inc());
  }

  @Test
  void matchesTheBigIntegerFormulation() {
    long[] seeds = {0L, 1L, 42L, 0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 123456789L};
    for (long seed : seeds) {
      Prng p = new Prng((int) seed);
      Reference r = new Reference(seed, 54);
      for (int i = 0; i < 2000; i++) {
        assertEquals(r.next(), p.nextUnsigned(), "seed " + seed + " output " + i);
      }
      assertEquals(r.state.longValue(), p.state(), "state after 2000 steps, seed " + seed);
    }
    SplittableRandom rnd = new SplittableRandom(5);
    for (int k = 0; k < 200; k++) {
      int seed = rnd.nextInt();
      Prng p = new Prng(seed);
      Reference r = new Reference(Integer.toUnsignedLong(seed), 54);
      for (int i = 0; i < 50; i++) {
        assertEquals(r.next(), p.nextUnsigned(), "seed " + seed);
      }
    }
  }

  @Test
  void nextFloatIsTheTop24BitsScaledExactly() {
    Prng p = new Prng(3);
    Prng q = p.copy();
    for (int i = 0; i < 100_000; i++) {
      float f = p.nextFloat();
      long u = q.nextUnsigned();
      assertEquals((double) (u >>> 8) / 16777216.0, (double) f);
      assertTrue(f >= 0.0f && f < 1.0f);
    }
    assertEquals(q.state(), p.state());
  }

  @Test
  void nextBelowMatchesTheReferenceRejectionSampler() {
    SplittableRandom rnd = new SplittableRandom(11);
    long[] ns = {1, 2, 3, 7, 10, 255, 1000, 0x7FFF_FFFFL, 0x8000_0000L, 0x8000_0001L, 0xC000_0000L,
        0xFFFF_FFFFL};
    for (long n : ns) {
      int seed = rnd.nextInt();
      Prng p = new Prng(seed);
      Reference r = new Reference(Integer.toUnsignedLong(seed), 54);
      for (int i = 0; i < 3000; i++) {
        long got = Integer.toUnsignedLong(p.nextBelow((int) n));
        assertEquals(r.below(n), got, "n=" + n + " draw " + i);
        assertTrue(got < n);
      }
      assertEquals(r.state.longValue(), p.state(), "same number of draws, n=" + n);
    }
  }

  @Test
  void nextBelowZeroDrawsNothingAndBelowOneIsZero() {
    Prng p = new Prng(8);
    long s = p.state();
    assertEquals(0, p.nextBelow(0));
    assertEquals(s, p.state());
    assertEquals(0, p.nextBelow(1));
    assertTrue(p.state() != s, "below(1) draws one value");
  }

  @Test
  void nextBelowHasNoModuloBias() {
    // n = 3 * 2^30: x mod n would put values below 2^30 twice as often as the rest
    Prng p = new Prng(77);
    int n = 0xC000_0000;
    int draws = 300_000;
    int low = 0;
    for (int i = 0; i < draws; i++) {
      if (Integer.compareUnsigned(p.nextBelow(n), 1 << 30) < 0) {
        low++;
      }
    }
    double frac = (double) low / draws;
    assertEquals(1.0 / 3.0, frac, 0.005, "fraction below 2^30");
  }

  @Test
  void outputsAreRoughlyUniform() {
    Prng p = new Prng(2024);
    int draws = 1_000_000;
    long[] top = new long[256];
    long[] bottom = new long[256];
    long[] tens = new long[10];
    double sum = 0;
    for (int i = 0; i < draws; i++) {
      int x = p.nextInt();
      top[x >>> 24]++;
      bottom[x & 0xFF]++;
    }
    for (int i = 0; i < draws; i++) {
      tens[p.nextBelow(10)]++;
      sum += p.nextFloat();
    }
    // chi-square with 255 (resp. 9) degrees of freedom: mean 255, sd ~22.6; loose bounds
    assertTrue(chiSquare(top, draws) < 400, "top byte chi-square " + chiSquare(top, draws));
    assertTrue(chiSquare(bottom, draws) < 400, "low byte chi-square " + chiSquare(bottom, draws));
    assertTrue(chiSquare(tens, draws) < 40, "below(10) chi-square " + chiSquare(tens, draws));
    assertEquals(0.5, sum / draws, 0.002, "mean of nextFloat");
  }

  @Test
  void copyForksAnIdenticalStreamAndOfStateRestoresOne() {
    Prng p = new Prng(5);
    p.nextInt();
    Prng c = p.copy();
    Prng s = Prng.ofState(p.state(), p.inc());
    for (int i = 0; i < 100; i++) {
      int v = p.nextInt();
      assertEquals(v, c.nextInt());
      assertEquals(v, s.nextInt());
    }
    assertThrows(IllegalArgumentException.class, () -> Prng.ofState(1, 2));
  }

  private static double chiSquare(long[] counts, int draws) {
    double expected = (double) draws / counts.length;
    double chi = 0;
    for (long c : counts) {
      chi += (c - expected) * (c - expected) / expected;
    }
    return chi;
  }
}
