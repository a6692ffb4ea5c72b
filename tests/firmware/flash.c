/*
 * Firmware test of the state-store flash (board.h mt_board_flash_*): erase both sectors, program
 * a pattern across the sector boundary, read it back, check NOR semantics (programming only
 * clears bits) and argument checks. Prints "flash ok" and exits 0, or prints the first failing
 * check's number and exits with it.
 */
#include <stdint.h>
#include "board.h"

static uint8_t buf[256];

static void put_str(const char *s) {
  int32_t n = 0;
  while (s[n] != '\0') {
    n++;
  }
  mt_board_write(s, n);
}

static int fail(int32_t check) {
  char msg[] = "flash check 00 failed\n";
  msg[12] = (char)('0' + (check / 10) % 10);
  msg[13] = (char)('0' + check % 10);
  put_str(msg);
  return (int)check;
}

int main(int argc, char **argv) {
  int32_t size = mt_board_flash_size();
  int32_t sector = mt_board_flash_sector_size();
  int32_t start;
  int32_t i;
  (void)argc;
  (void)argv;
  if (sector <= 0 || size != 2 * sector || sector % 4096 != 0) {
    return fail(1);
  }
  if (mt_board_flash_erase(0) != 0 || mt_board_flash_erase(1) != 0) {
    return fail(2);
  }
  /* erased: every byte of a few probes (start, boundary, end) reads 0xFF */
  for (i = 0; i < 3; i++) {
    int32_t at = (i == 0) ? 0 : (i == 1) ? sector - 128 : size - 256;
    int32_t j;
    if (mt_board_flash_read(at, buf, 256) != 256) {
      return fail(3);
    }
    for (j = 0; j < 256; j++) {
      if (buf[j] != 0xFF) {
        return fail(4);
      }
    }
  }
  /* program 256 bytes straddling the sector boundary, from an unaligned source */
  start = sector - 128;
  {
    static uint8_t src[257];
    for (i = 0; i < 256; i++) {
      src[i + 1] = (uint8_t)(i * 7 + 3);
    }
    if (mt_board_flash_program(start, src + 1, 256) != 256) {
      return fail(5);
    }
  }
  if (mt_board_flash_read(start, buf, 256) != 256) {
    return fail(6);
  }
  for (i = 0; i < 256; i++) {
    if (buf[i] != (uint8_t)(i * 7 + 3)) {
      return fail(7);
    }
  }
  /* NOR: programming 0x0F over 0xF0-ish data ANDs */
  {
    uint8_t word[4] = {0x0F, 0x0F, 0x0F, 0x0F};
    uint8_t back[4];
    if (mt_board_flash_program(start, word, 4) != 4 || mt_board_flash_read(start, back, 4) != 4) {
      return fail(8);
    }
    for (i = 0; i < 4; i++) {
      if (back[i] != (uint8_t)((i * 7 + 3) & 0x0F)) {
        return fail(9);
      }
    }
  }
  /* argument checks */
  if (mt_board_flash_program(2, buf, 4) >= 0 || mt_board_flash_program(0, buf, 3) >= 0 ||
      mt_board_flash_program(size - 4, buf, 8) >= 0 || mt_board_flash_read(-1, buf, 4) >= 0 ||
      mt_board_flash_read(0, (void *)0, 4) >= 0 || mt_board_flash_erase(2) >= 0 ||
      mt_board_flash_erase(-1) >= 0) {
    return fail(10);
  }
  /* erasing sector 1 leaves sector 0 alone */
  if (mt_board_flash_erase(1) != 0 || mt_board_flash_read(sector - 4, buf, 8) != 8) {
    return fail(11);
  }
  for (i = 0; i < 4; i++) {
    if (buf[i] != (uint8_t)((124 + i) * 7 + 3) || buf[4 + i] != 0xFF) {
      return fail(12);
    }
  }
  put_str("flash ok\n");
  return 0;
}
