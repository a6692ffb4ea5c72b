package dev.mcutrain.train.update;

/**
 * The project PRNG: PCG32 with XSH-RR output, bit for bit the same as runtime-c's {@code mt_prng}
 * (mt_train.h). Mutable and not thread-safe; {@link #copy()} forks an identical stream.
 *
 * <pre>
 *   state' = state * 6364136223846793005 + inc           (mod 2^64, inc odd)
 *   out    = rotr32((int) (((state >>> 18) ^ state) >>> 27), (int) (state >>> 59))   of the old state
 * </pre>
 *
 * <p>Seeding from a 32-bit seed is pcg32's {@code srandom(initstate = seed as unsigned,
 * initseq = }{@link #STREAM}{@code )}: {@code inc = (STREAM << 1) | 1; state = 0; step;
 * state += seed; step}. With stream 54 this is the reference pcg32 demo's sequence (seed 42 starts
 * 0xa15c02b7, 0x7b47f409, 0xba1d3330).
 */
public final class Prng {
  /** The fixed PCG32 stream selector ({@code MT_PRNG_STREAM}). */
  public static final long STREAM = 54L;

  /** The LCG multiplier. */
  public static final long MULTIPLIER = 6364136223846793005L;

  private long state;
  private final long inc;

  /** Seeds from {@code seed}, read as an unsigned 32-bit value ({@code mt_prng_seed}). */
  public Prng(int seed) {
    this.state = 0L;
    this.inc = (STREAM << 1) | 1L;
    nextInt();
    this.state += Integer.toUnsignedLong(seed);
    nextInt();
  }

  private Prng(long state, long inc) {
    this.state = state;
    this.inc = inc;
  }

  /**
   * A generator at an exact state ({@code mt_prng} with these two fields).
   *
   * @throws IllegalArgumentException if {@code inc} is even
   */
  public static Prng ofState(long state, long inc) {
    if ((inc & 1L) == 0) {
      throw new IllegalArgumentException("PCG32 increment must be odd: " + inc);
    }
    return new Prng(state, inc);
  }

  /** The current 64-bit state ({@code mt_prng.state}). */
  public long state() {
    return state;
  }

  /** The odd increment ({@code mt_prng.inc}). */
  public long inc() {
    return inc;
  }

  /** An independent generator at the same state. */
  public Prng copy() {
    return new Prng(state, inc);
  }

  /** The next 32 uniformly distributed bits ({@code mt_prng_next_u32}); one step. */
  public int nextInt() {
    long old = state;
    state = old * MULTIPLIER + inc;
    int xorshifted = (int) (((old >>> 18) ^ old) >>> 27);
    int rot = (int) (old >>> 59);
    return Integer.rotateRight(xorshifted, rot);
  }

  /** {@link #nextInt()} as an unsigned value in [0, 2^32). */
  public long nextUnsigned() {
    return Integer.toUnsignedLong(nextInt());
  }

  /**
   * A float in [0, 1): {@code (nextInt() >>> 8) * 2^-24}, exact ({@code mt_prng_next_float}). One
   * step.
   */
  public float nextFloat() {
    return (float) (nextInt() >>> 8) * 0x1p-24f;
  }

  /**
   * A uniformly distributed integer in [0, n) with {@code n} read as unsigned 32-bit, without
   * modulo bias ({@code mt_prng_below}): Lemire's multiply-and-reject. One step, plus one per
   * rejection. {@code n == 0} returns 0 and draws nothing. The result is unsigned too (for
   * {@code n <= Integer.MAX_VALUE} it is a plain non-negative int).
   */
  public int nextBelow(int n) {
    if (n == 0) {
      return 0;
    }
    long un = Integer.toUnsignedLong(n);
    long m = nextUnsigned() * un; // < 2^64: bits are right even where the sign bit is set
    int low = (int) m;
    if (Integer.compareUnsigned(low, n) < 0) {
      int threshold = Integer.remainderUnsigned(-n, n);
      while (Integer.compareUnsigned(low, threshold) < 0) {
        m = nextUnsigned() * un;
        low = (int) m;
      }
    }
    return (int) (m >>> 32);
  }

  @Override
  public String toString() {
    return "Prng[state=0x" + Long.toHexString(state) + ", inc=0x" + Long.toHexString(inc) + "]";
  }

  /**
   * Shuffles {@code a} in place: Fisher–Yates from the end, {@code j = nextBelow(i + 1)} for
   * {@code i} from {@code n-1} down to 1 — the order every seeded shuffle of the project uses.
   */
  public void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = nextBelow(i + 1);
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
