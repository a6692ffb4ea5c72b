/*
 * selftest — trains a compiled model for MT_SELFTEST_STEPS steps on a small labelled batch stored
 * in flash, prints every loss and a CRC-32 of the trainable state, and exits with status 0 (or 1
 * if a step failed). Runs unchanged on every board: the host, QEMU's mps2-an500, the STM32F746G
 * Discovery and the Nucleo-F411RE.
 *
 * Output (one line each, hexadecimal so that every board prints the exact bits):
 *   step <n> loss <IEEE-754 bits of the float loss>
 *   state crc <CRC-32 of the exported state blob> size <bytes>
 *   selftest ok
 *
 * The build (mcutrain firmware ... --example selftest) generates mt_model.h (generic names for
 * the compiled model) and mt_selftest_data.c/.h (the batch).
 */
#include "board.h"
#include "mt_model.h"
#include "mt_selftest_data.h"

static void put_str(const char *s) {
  int32_t n = 0;
  while (s[n] != 0) {
    n++;
  }
  mt_board_write(s, n);
}

static void put_hex(uint32_t v) {
  char buf[8];
  int32_t i;
  for (i = 7; i >= 0; i--) {
    uint32_t d = v & 0xfu;
    buf[i] = (char)(d < 10u ? '0' + d : 'a' + (d - 10u));
    v >>= 4;
  }
  mt_board_write(buf, 8);
}

static void put_dec(uint32_t v) {
  char buf[10];
  int32_t i = 10;
  do {
    buf[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0u);
  mt_board_write(buf + i, 10 - i);
}

static uint32_t float_bits(float f) {
  union {
    float f;
    uint32_t u;
  } x;
  x.f = f;
  return x.u;
}

int main(int argc, char **argv) {
  uint32_t step;
  (void)argc;
  (void)argv;
  mt_board_init();
  MT_MODEL_INIT();
  for (step = 0; step < MT_SELFTEST_STEPS; step++) {
    uint32_t i = step % MT_SELFTEST_COUNT;
    float loss = MT_MODEL_TRAIN_STEP(mt_selftest_samples + i * MT_MODEL_INPUT_SIZE,
                                     (int32_t)mt_selftest_labels[i]);
    put_str("step ");
    put_dec(step);
    put_str(" loss ");
    put_hex(float_bits(loss));
    put_str("\n");
    if (loss < 0.0f) {
      put_str("selftest failed\n");
      return 1;
    }
  }
  /* The CRC of the exported blob, streamed: no second copy of the state in RAM. */
  put_str("state crc ");
  put_hex(MT_MODEL_STATE_CHECKSUM());
  put_str(" size ");
  put_dec((uint32_t)MT_MODEL_STATE_SIZE);
  put_str("\nselftest ok\n");
  return 0;
}
