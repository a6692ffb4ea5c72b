/*
 * Link-failure test: 300 KB of zero-initialised RAM, which does not fit a 256 KB budget.
 */
#include <stdint.h>
#include "board.h"

static uint8_t big[300 * 1024];

int main(int argc, char **argv) {
  int32_t i;
  (void)argv;
  for (i = 0; i < (int32_t)sizeof big; i += 4096) {
    big[i] = (uint8_t)(argc + i);
  }
  mt_board_write(big, 16);
  return big[4096];
}
