/*
 * mcutrain boards — argument checks shared by every port's mt_board_flash_* functions (board.h),
 * and the read of a memory-mapped store (the Cortex-M ports).
 * Header-only (static inline) so the host port can use it without compiling the boards/common sources.
 */
#ifndef MT_FLASH_ARGS_H
#define MT_FLASH_ARGS_H

#include <stddef.h>
#include <stdint.h>

/* 1 when [offset, offset + n) lies inside an area of `size` bytes (n >= 0), else 0. */
static inline int mt_flash_range_ok(int32_t offset, int32_t n, int32_t size) {
  return offset >= 0 && n >= 0 && offset <= size && n <= size - offset;
}

/* 1 when offset and n are both multiples of 4 (word programming), else 0. */
static inline int mt_flash_word_aligned(int32_t offset, int32_t n) {
  return ((offset | n) & 3) == 0;
}

/*
 * mt_board_flash_read for a store that is memory-mapped at `base` and `size` bytes long: copies
 * n bytes from offset into dst byte by byte (volatile reads). Returns n, or -1 (nothing read)
 * when dst is NULL or the range does not fit.
 */
static inline int32_t mt_flash_read_mapped(uint32_t base, int32_t size, int32_t offset, void *dst,
                                           int32_t n) {
  const volatile uint8_t *src = (const volatile uint8_t *)(uintptr_t)(base + (uint32_t)offset);
  uint8_t *d = (uint8_t *)dst;
  int32_t i;
  if (dst == NULL || !mt_flash_range_ok(offset, n, size)) {
    return -1;
  }
  for (i = 0; i < n; i++) {
    d[i] = src[i];
  }
  return n;
}

#endif /* MT_FLASH_ARGS_H */
