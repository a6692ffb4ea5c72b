/*
 * mcutrain boards — argument checks shared by every port's mt_board_flash_* functions (board.h).
 * Header-only (static inline) so the host port can use it without compiling the boards/common sources.
 */
#ifndef MT_FLASH_ARGS_H
#define MT_FLASH_ARGS_H

#include <stdint.h>

/* 1 when [offset, offset + n) lies inside an area of `size` bytes (n >= 0), else 0. */
static inline int mt_flash_range_ok(int32_t offset, int32_t n, int32_t size) {
  return offset >= 0 && n >= 0 && offset <= size && n <= size - offset;
}

/* 1 when offset and n are both multiples of 4 (word programming), else 0. */
static inline int mt_flash_word_aligned(int32_t offset, int32_t n) {
  return ((offset | n) & 3) == 0;
}

#endif /* MT_FLASH_ARGS_H */
