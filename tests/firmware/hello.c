/*
 * Firmware smoke test: prints a line, does some float math (a few Newton steps for sqrt(2) in
 * single precision) and exits with status 7. Expected output:
 *   hello from mcutrain
 *   sqrt2*1000=1414
 */
#include <stdint.h>
#include "board.h"

static volatile float mt_two = 2.0f; /* volatile: keep the float math at run time */

static void put_str(const char *s) {
  int32_t n = 0;
  while (s[n] != '\0') {
    n++;
  }
  mt_board_write(s, n);
}

static void put_int(int32_t v) {
  char buf[12];
  int32_t i = (int32_t)sizeof buf;
  uint32_t u = (v < 0) ? 0u - (uint32_t)v : (uint32_t)v;
  do {
    buf[--i] = (char)('0' + (int)(u % 10u));
    u /= 10u;
  } while (u != 0);
  if (v < 0) {
    buf[--i] = '-';
  }
  mt_board_write(buf + i, (int32_t)sizeof buf - i);
}

int main(int argc, char **argv) {
  float x = mt_two;
  float a = mt_two;
  int i;
  (void)argc;
  (void)argv;
  put_str("hello from mcutrain\n");
  for (i = 0; i < 6; i++) {
    x = 0.5f * (x + a / x);
  }
  put_str("sqrt2*1000=");
  put_int((int32_t)(x * 1000.0f));
  put_str("\n");
  return 7;
}
