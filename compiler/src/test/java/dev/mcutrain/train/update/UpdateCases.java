package dev.mcutrain.train.update;

import java.util.SplittableRandom;

/** Random update inputs that reach every branch: small, halves, boundaries, huge, non-finite. */
final class UpdateCases {
  private UpdateCases() {}

  private static final float[] SPECIAL = {
    0f, -0f, 0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, Math.nextDown(0.5f), Math.nextUp(0.5f),
    -Math.nextDown(0.5f), Math.nextDown(1f), -Math.nextDown(1f), Float.MIN_VALUE, -Float.MIN_VALUE,
    Float.MIN_NORMAL, 1e-10f, -1e-10f, 127f, -127f, 254f, 255f, 256f, 257f, -255f, -256f,
    -257f, 8388607.5f, -8388607.5f, 8388608f, -8388608f, 16777217f, 2147483520f, 2147483648f,
    -2147483648f, 4294967040f, -4294967040f, 4294967296f, -4294967296f, 1e30f, -1e30f,
    Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
    Float.NaN, Float.intBitsToFloat(0xffc00001), Float.intBitsToFloat(0x7f800001)
  };

  static float randomDelta(SplittableRandom rnd) {
    switch (rnd.nextInt(8)) {
      case 0:
        return SPECIAL[rnd.nextInt(SPECIAL.length)];
      case 1:
        return Float.intBitsToFloat(rnd.nextInt()); // any bit pattern
      case 2:
        return rnd.nextInt(-600, 600) * 0.5f; // exact halves
      case 3: {
        float f = (float) rnd.nextDouble(-2e10, 2e10);
        return rnd.nextBoolean() ? f : Math.nextUp(f);
      }
      case 4:
        return (float) rnd.nextDouble(-1e-6, 1e-6);
      case 5: {
        float h = rnd.nextInt(-40, 40) + 0.5f; // neighbours of halves
        return rnd.nextBoolean() ? Math.nextUp(h) : Math.nextDown(h);
      }
      default:
        return (float) rnd.nextDouble(-3, 3);
    }
  }

  static int randomBias(SplittableRandom rnd) {
    switch (rnd.nextInt(4)) {
      case 0:
        return rnd.nextBoolean() ? Integer.MAX_VALUE - rnd.nextInt(300)
            : Integer.MIN_VALUE + rnd.nextInt(300);
      case 1:
        return rnd.nextInt();
      default:
        return rnd.nextInt(-100_000, 100_000);
    }
  }
}
