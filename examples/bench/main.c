/*
 * bench — measures one training step and one inference of a compiled model with the board's
 * cycle counter, on the first sample of the embedded batch, and prints:
 *   train_step cycles <n>
 *   infer cycles <n>
 * On QEMU's mps2-an500 run with -icount, the counter is SysTick ticks at exactly 3.2 per
 * instruction, so the figures are deterministic instruction counts (mcutrain bench-device).
 */
#include "board.h"
#include "mt_model.h"
#include "mt_selftest_data.h"

static float logits[MT_MODEL_CLASSES];

static void put_str(const char *s) {
  int32_t n = 0;
  while (s[n] != 0) {
    n++;
  }
  mt_board_write(s, n);
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

int main(int argc, char **argv) {
  uint32_t t0;
  uint32_t t1;
  float loss;
  int rc;
  (void)argc;
  (void)argv;
  mt_board_init();
  MT_MODEL_INIT();
  t0 = mt_board_cycles();
  loss = MT_MODEL_TRAIN_STEP(mt_selftest_samples, (int32_t)mt_selftest_labels[0]);
  t1 = mt_board_cycles();
  put_str("train_step cycles ");
  put_dec(t1 - t0);
  put_str("\n");
  t0 = mt_board_cycles();
  rc = MT_MODEL_INFER(mt_selftest_samples, logits);
  t1 = mt_board_cycles();
  put_str("infer cycles ");
  put_dec(t1 - t0);
  put_str("\n");
  return (loss < 0.0f || rc != 0) ? 1 : 0;
}
