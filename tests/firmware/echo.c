/*
 * Firmware input test: copies the input to the output until the end of the input, then exits
 * with the number of bytes copied modulo 256.
 */
#include <stdint.h>
#include "board.h"

int main(int argc, char **argv) {
  char buf[64];
  int32_t n;
  int32_t total = 0;
  (void)argc;
  (void)argv;
  while ((n = mt_board_read(buf, (int32_t)sizeof buf)) > 0) {
    mt_board_write(buf, n);
    total += n;
  }
  return (int)(total & 0xFF);
}
