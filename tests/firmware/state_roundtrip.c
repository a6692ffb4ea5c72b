/*
 * Durable learned state on a board: train, save the exported state to the board's flash with the
 * two-slot store, train more and save again, then "reboot" (init), load the newest slot and
 * import it; corrupt the newest slot and check that the previous state is loaded instead; and
 * check that a corrupted blob is rejected by import. Prints "roundtrip ok" and exits 0, or exits
 * with the number of the failed check.
 */
#include "board.h"
#include "mt_model.h"
#include "mt_selftest_data.h"
#include "mt_store.h"

static uint8_t first[MT_MODEL_STATE_SIZE];
static uint8_t second[MT_MODEL_STATE_SIZE];
static uint8_t loaded[MT_MODEL_STATE_SIZE];

static void put_str(const char *s) {
  int32_t n = 0;
  while (s[n] != 0) {
    n++;
  }
  mt_board_write(s, n);
}

static int same(const uint8_t *a, const uint8_t *b, int32_t n) {
  int32_t i;
  for (i = 0; i < n; i++) {
    if (a[i] != b[i]) {
      return 0;
    }
  }
  return 1;
}

static void train(uint32_t steps) {
  uint32_t s;
  for (s = 0; s < steps; s++) {
    uint32_t i = s % MT_SELFTEST_COUNT;
    (void)MT_MODEL_TRAIN_STEP(mt_selftest_samples + i * MT_MODEL_INPUT_SIZE,
                              (int32_t)mt_selftest_labels[i]);
  }
}

int main(int argc, char **argv) {
  mt_flash_ops flash;
  int32_t n = 0;
  uint32_t zero = 0;
  (void)argc;
  (void)argv;
  mt_board_init();
  flash.sector_size = mt_board_flash_sector_size();
  flash.read = mt_board_flash_read;
  flash.erase = mt_board_flash_erase;
  flash.program = mt_board_flash_program;
  /* The emulated flash starts as zeros, not erased: make it a blank device first. */
  if (mt_board_flash_erase(0) < 0 || mt_board_flash_erase(1) < 0) return 10;
  if (mt_store_load(&flash, loaded, (int32_t)sizeof(loaded), &n) != MT_ERR_CORRUPT) return 11;

  MT_MODEL_INIT();
  train(3);
  MT_MODEL_STATE_EXPORT(first);
  if (mt_store_save(&flash, first, (int32_t)sizeof(first)) != MT_OK) return 12;
  train(2);
  MT_MODEL_STATE_EXPORT(second);
  if (mt_store_save(&flash, second, (int32_t)sizeof(second)) != MT_OK) return 13;

  MT_MODEL_INIT(); /* reboot */
  if (mt_store_load(&flash, loaded, (int32_t)sizeof(loaded), &n) != MT_OK) return 14;
  if (n != (int32_t)sizeof(second) || !same(loaded, second, n)) return 15;
  if (MT_MODEL_STATE_IMPORT(loaded, (size_t)n) != 0) return 16;
  MT_MODEL_STATE_EXPORT(loaded);
  if (!same(loaded, second, n)) return 17;

  /* Corrupt the newest slot (slot 1: the second save went to the other sector). */
  if (mt_board_flash_program(mt_board_flash_sector_size() + MT_STORE_HEADER_BYTES, &zero, 4) < 0)
    return 18;
  if (mt_store_load(&flash, loaded, (int32_t)sizeof(loaded), &n) != MT_OK) return 19;
  if (!same(loaded, first, n)) return 20;

  /* A corrupted blob is rejected by import and leaves the state unchanged. */
  loaded[MT_MODEL_STATE_SIZE / 2] ^= 0x40;
  if (MT_MODEL_STATE_IMPORT(loaded, (size_t)n) != -3) return 21;
  MT_MODEL_STATE_EXPORT(loaded);
  if (!same(loaded, second, n)) return 22;
  put_str("roundtrip ok\n");
  return 0;
}
