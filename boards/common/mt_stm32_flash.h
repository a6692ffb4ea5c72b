/*
 * mcutrain boards — the embedded-flash interface shared by the STM32F4 and STM32F7 ports
 * (nucleo-f411re, stm32f746g-disco): the FLASH registers have the same address and layout on
 * both (RM0383 3.8, RM0385 3.7), so unlocking, sector erase and word programming are the same
 * sequence; what differs is passed in (the store's sector numbers and addresses, the program
 * parallelism PSIZE, the SR error flags) and what each chip does afterwards (lock plus the F4's
 * ART data-cache reset or the F7's D-cache invalidation) is the board's `finish` callback.
 * Header-only (static inline): the .c files in boards/common are compiled for every
 * Cortex-M board.
 */
#ifndef MT_STM32_FLASH_H
#define MT_STM32_FLASH_H

#include <stdint.h>
#include <stddef.h>
#include "board.h"
#include "mt_cortexm.h"
#include "mt_flash_args.h"

#define MT_STM32_FLASH_BASE 0x40023C00u
#define MT_STM32_FLASH_ACR (MT_STM32_FLASH_BASE + 0x00u)
#define MT_STM32_FLASH_KEYR (MT_STM32_FLASH_BASE + 0x04u)
#define MT_STM32_FLASH_SR (MT_STM32_FLASH_BASE + 0x0Cu)
#define MT_STM32_FLASH_CR (MT_STM32_FLASH_BASE + 0x10u)
#define MT_STM32_FLASH_ACR_PRFTEN (1u << 8)
#define MT_STM32_FLASH_SR_EOP (1u << 0)
#define MT_STM32_FLASH_SR_BSY (1u << 16)
#define MT_STM32_FLASH_CR_PG (1u << 0)
#define MT_STM32_FLASH_CR_SER (1u << 1)
#define MT_STM32_FLASH_CR_SNB_SHIFT 3
#define MT_STM32_FLASH_CR_PSIZE_X32 (2u << 8)
#define MT_STM32_FLASH_CR_STRT (1u << 16)
#define MT_STM32_FLASH_CR_LOCK (1u << 31)
#define MT_STM32_FLASH_KEY1 0x45670123u
#define MT_STM32_FLASH_KEY2 0xCDEF89ABu

/* Waits for the end of the current flash operation (BSY clear), after a DSB. */
static inline void mt_stm32_flash_wait(void) {
  mt_dsb();
  while ((MT_REG32(MT_STM32_FLASH_SR) & MT_STM32_FLASH_SR_BSY) != 0) {
  }
}

/* Unlocks FLASH_CR if it is locked, then clears EOP and the chip's error flags `sr_errors`. */
static inline void mt_stm32_flash_unlock(uint32_t sr_errors) {
  if ((MT_REG32(MT_STM32_FLASH_CR) & MT_STM32_FLASH_CR_LOCK) != 0) {
    MT_REG32(MT_STM32_FLASH_KEYR) = MT_STM32_FLASH_KEY1;
    MT_REG32(MT_STM32_FLASH_KEYR) = MT_STM32_FLASH_KEY2;
  }
  MT_REG32(MT_STM32_FLASH_SR) = MT_STM32_FLASH_SR_EOP | sr_errors; /* write 1 to clear */
}

/* Locks FLASH_CR again (clears PG/SER too). */
static inline void mt_stm32_flash_lock(void) {
  MT_REG32(MT_STM32_FLASH_CR) = MT_STM32_FLASH_CR_LOCK;
}

/*
 * Erases flash sector `snb` with parallelism `psize` (a MT_STM32_FLASH_CR_PSIZE_* value): wait,
 * unlock, SER + SNB, STRT, wait. Returns the error flags (SR & sr_errors), 0 on success. The
 * flash is left unlocked: the caller locks it (and deals with its caches).
 */
static inline uint32_t mt_stm32_flash_erase_sector(uint32_t snb, uint32_t psize,
                                                   uint32_t sr_errors) {
  mt_stm32_flash_wait();
  mt_stm32_flash_unlock(sr_errors);
  MT_REG32(MT_STM32_FLASH_CR) =
      psize | MT_STM32_FLASH_CR_SER | (snb << MT_STM32_FLASH_CR_SNB_SHIFT);
  MT_REG32(MT_STM32_FLASH_CR) |= MT_STM32_FLASH_CR_STRT;
  mt_stm32_flash_wait();
  return MT_REG32(MT_STM32_FLASH_SR) & sr_errors;
}

/*
 * Programs the n bytes of s (n a multiple of 4) at flash address addr (word aligned) as
 * little-endian 32-bit words with parallelism `psize`, stopping at the first error. Returns the
 * error flags (SR & sr_errors), 0 on success. The flash is left unlocked: the caller locks it
 * (and deals with its caches).
 */
static inline uint32_t mt_stm32_flash_program_words(uint32_t addr, const uint8_t *s, int32_t n,
                                                    uint32_t psize, uint32_t sr_errors) {
  uint32_t err = 0;
  int32_t i;
  mt_stm32_flash_wait();
  mt_stm32_flash_unlock(sr_errors);
  MT_REG32(MT_STM32_FLASH_CR) = psize | MT_STM32_FLASH_CR_PG;
  for (i = 0; i < n && err == 0; i += 4) {
    uint32_t word = (uint32_t)s[i] | ((uint32_t)s[i + 1] << 8) | ((uint32_t)s[i + 2] << 16) |
                    ((uint32_t)s[i + 3] << 24);
    MT_REG32(addr + (uint32_t)i) = word;
    mt_stm32_flash_wait();
    err = MT_REG32(MT_STM32_FLASH_SR) & sr_errors;
  }
  return err;
}

/*
 * A board's state store (board.h: MT_BOARD_FLASH_SECTORS sectors of flash, memory-mapped) and
 * how the chip writes it.
 */
typedef struct {
  uint32_t base;         /* address of the store's first byte */
  int32_t sector_size;   /* bytes per store sector */
  int32_t size;          /* MT_BOARD_FLASH_SECTORS * sector_size */
  uint32_t first_sector; /* flash sector number (SNB) of store sector 0 */
  uint32_t psize;        /* program parallelism, a MT_STM32_FLASH_CR_PSIZE_* value */
  uint32_t sr_errors;    /* the chip's FLASH_SR error flags */
  /* locks the flash and drops cached copies of [addr, addr + n) after an erase or a program */
  void (*finish)(uint32_t addr, uint32_t n);
} mt_stm32_store;

/* mt_board_flash_erase (board.h) for store st. */
static inline int32_t mt_stm32_store_erase(const mt_stm32_store *st, int32_t sector) {
  uint32_t err;
  if (sector < 0 || sector >= MT_BOARD_FLASH_SECTORS) {
    return -1;
  }
  err = mt_stm32_flash_erase_sector(st->first_sector + (uint32_t)sector, st->psize,
                                    st->sr_errors);
  st->finish(st->base + (uint32_t)(sector * st->sector_size), (uint32_t)st->sector_size);
  return err != 0 ? -1 : 0;
}

/* mt_board_flash_program (board.h) for store st. */
static inline int32_t mt_stm32_store_program(const mt_stm32_store *st, int32_t offset,
                                             const void *src, int32_t n) {
  uint32_t err;
  if (src == NULL || !mt_flash_range_ok(offset, n, st->size) ||
      !mt_flash_word_aligned(offset, n)) {
    return -1;
  }
  err = mt_stm32_flash_program_words(st->base + (uint32_t)offset, (const uint8_t *)src, n,
                                     st->psize, st->sr_errors);
  st->finish(st->base + (uint32_t)offset, (uint32_t)n);
  return err != 0 ? -1 : n;
}

#endif /* MT_STM32_FLASH_H */
