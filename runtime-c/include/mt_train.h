/*
 * mcutrain runtime — on-device training primitives: the project PRNG and the weight/bias update
 * step (rounding of an update into the integer domain, saturation).
 *
 * Every function here has a Java twin in dev.mcutrain.train.update (Prng, Update) that gives the
 * same result bit for bit, including how many PRNG values are drawn and in which order
 * (design.md §3). Float work uses binary32 only; build with -ffp-contract=off.
 *
 * PRNG: PCG32, XSH-RR output (O'Neill 2014):
 *   state' = state * 6364136223846793005 + inc            (mod 2^64, inc odd)
 *   out    = rotr32((uint32)(((state >> 18) ^ state) >> 27), state >> 59)   (of the OLD state)
 * Seeding (mt_prng_seed, Java new Prng(seed)): pcg32's srandom(initstate = seed zero-extended to
 * 64 bits, initseq = MT_PRNG_STREAM), i.e.
 *   inc = (MT_PRNG_STREAM << 1) | 1; state = 0; step; state += seed; step
 * With MT_PRNG_STREAM = 54 this is the sequence of the reference pcg32 demo: seed 42 gives
 * 0xa15c02b7, 0x7b47f409, 0xba1d3330, ...
 */
#ifndef MT_TRAIN_H
#define MT_TRAIN_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The fixed PCG32 stream selector used by mt_prng_seed. */
#define MT_PRNG_STREAM 54u

/* PCG32 generator state. inc must be odd. Copying the struct copies the stream. */
typedef struct {
  uint64_t state;
  uint64_t inc;
} mt_prng;

/* Seeds rng from a 32-bit seed (see the header comment). */
void mt_prng_seed(mt_prng *rng, uint32_t seed);

/* The next 32 uniformly distributed bits; advances the state by one step. */
uint32_t mt_prng_next_u32(mt_prng *rng);

/* A float in [0, 1): (next_u32 >> 8) * 2^-24, exact (24 bits). Draws one value. */
float mt_prng_next_float(mt_prng *rng);

/*
 * A uniformly distributed integer in [0, n), without modulo bias (Lemire's multiply-and-reject:
 * m = x * n in 64 bits; reject while (uint32)m < (2^32 - n) mod n; result m >> 32). Draws one
 * value, plus one more per rejection (rejections happen with probability < n / 2^32).
 * n == 0 returns 0 and draws nothing.
 */
uint32_t mt_prng_below(mt_prng *rng, uint32_t n);

/* How an update step delta (in integer units) becomes an integer increment R(delta). */
typedef enum {
  MT_ROUND_TRUNCATE = 0,  /* toward zero: updates smaller than one LSB are lost */
  MT_ROUND_NEAREST = 1,   /* to nearest, halves away from zero */
  MT_ROUND_STOCHASTIC = 2 /* floor(delta + u), u = mt_prng_next_float: E[R(delta)] = delta */
} mt_rounding;

/*
 * new = saturate(w + R(delta)) to [-127, 127] (symmetric int8 weights: -128 is never produced
 * unless it came in with a NaN delta).
 *   - STOCHASTIC draws exactly one PRNG value per call, first, whatever delta is (also for NaN,
 *     inf, 0); the other modes draw none and rng may be NULL. The sum delta + u is a float
 *     addition (binary32, round to nearest even), then floored.
 *   - NaN delta (after adding u): returns w unchanged. +-inf and huge deltas saturate.
 *   - Any mode value other than NEAREST or STOCHASTIC acts as TRUNCATE.
 */
int8_t mt_update_s8(int8_t w, float delta, mt_rounding mode, mt_prng *rng);

/*
 * for i < n, in order: w[i] = mt_update_s8(w[i], mt_qas_delta(g[i], k, lr), mode, rng): the
 * QAS update of a run of int8 weights that share their factor k (same results, same draws).
 */
void mt_update_s8_qas_run(int8_t *w, const float *g, int32_t n, float k, float lr,
                          mt_rounding mode, mt_prng *rng);

/*
 * new = saturate(b + R(delta)) to [INT32_MIN, INT32_MAX], with the same rounding, PRNG and NaN
 * rules as mt_update_s8. R(delta) is an exact integer (float values of magnitude >= 2^23 are
 * integers already; magnitudes >= 2^32 saturate), added in 64 bits.
 */
int32_t mt_update_s32(int32_t b, float delta, mt_rounding mode, mt_prng *rng);

/* Plain SGD on an fp32 tensor: w[i] = w[i] - lr * grad[i] for i in [0, n), in index order. */
void mt_sgd_update_f32(float *w, const float *grad, int32_t n, float lr);

/*
 * The QAS update step of an int8 weight in integer units: -(lr * (g * k)), in exactly this
 * order, where g is the real-domain gradient and k the per-output-channel QAS factor.
 */
static inline float mt_qas_delta(float g, float k, float lr) {
  float gk = g * k;
  float step = lr * gk;
  return -step;
}

#ifdef __cplusplus
}
#endif

#endif /* MT_TRAIN_H */
