/*
 * profile — the cycles of each forward operator of one inference, and of one whole training
 * step, on the first sample of the embedded batch. Prints:
 *   op <i> cycles <n>        (one line per forward operator)
 *   infer cycles <n>
 *   train_step cycles <n>
 * A trace callback reads the board's cycle counter after every operator; the callback's own few
 * instructions land on the next operator. On QEMU's mps2-an500 with -icount the counter is
 * SysTick at exactly 3.2 ticks per instruction (mcutrain bench-device --per-op).
 */
#include "board.h"
#include "mt_model.h"
#include "mt_selftest_data.h"

static float logits[MT_MODEL_CLASSES];
static uint32_t op_cycles[MT_MODEL_OP_COUNT];
static uint32_t last;

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

static void on_op(int32_t op, const void *data, int32_t size, void *ctx) {
  const uint32_t now = mt_board_cycles();
  (void)data;
  (void)size;
  (void)ctx;
  if (op >= 0 && op < MT_MODEL_OP_COUNT) {
    op_cycles[op] += now - last;
  }
  last = mt_board_cycles();
}

int main(int argc, char **argv) {
  uint32_t t0;
  uint32_t t1;
  int32_t i;
  float loss;
  int rc;
  (void)argc;
  (void)argv;
  mt_board_init();
  MT_MODEL_INIT();
  MT_MODEL_SET_TRACE(on_op, 0);
  t0 = mt_board_cycles();
  last = t0;
  rc = MT_MODEL_INFER(mt_selftest_samples, logits);
  t1 = mt_board_cycles();
  MT_MODEL_SET_TRACE(0, 0);
  for (i = 0; i < MT_MODEL_OP_COUNT; i++) {
    put_str("op ");
    put_dec((uint32_t)i);
    put_str(" cycles ");
    put_dec(op_cycles[i]);
    put_str("\n");
  }
  put_str("infer cycles ");
  put_dec(t1 - t0);
  put_str("\n");
  t0 = mt_board_cycles();
  loss = MT_MODEL_TRAIN_STEP(mt_selftest_samples, (int32_t)mt_selftest_labels[0]);
  t1 = mt_board_cycles();
  put_str("train_step cycles ");
  put_dec(t1 - t0);
  put_str("\n");
  return (loss < 0.0f || rc != 0) ? 1 : 0;
}
