/*
 * mcutrain boards — Cortex-M core helpers (DWT cycle counter, Cortex-M7 caches, fault reporting)
 * shared by the microcontroller ports. See mt_cortexm.h.
 */
#include <stdint.h>
#include <stddef.h>
#include "board.h"
#include "common/mt_cortexm.h"

void mt_cortexm_cycle_counter_start(void) {
  MT_REG32(MT_DEMCR) |= 1u << 24;        /* TRCENA: enable the DWT */
  MT_REG32(MT_DWT_LAR) = 0xC5ACCE55u;    /* unlock (needed on Cortex-M7, ignored elsewhere) */
  MT_REG32(MT_DWT_CYCCNT) = 0;
  MT_REG32(MT_DWT_CTRL) |= 1u;           /* CYCCNTENA */
}

void mt_cortexm_caches_enable(void) {
  uint32_t ccsidr;
  uint32_t sets;
  uint32_t ways;
  uint32_t line_shift;
  uint32_t way_shift = 32;
  uint32_t set;
  uint32_t way;
  if ((MT_REG32(MT_SCB_CCR) & ((1u << 17) | (1u << 16))) == ((1u << 17) | (1u << 16))) {
    return; /* both already on */
  }
  /* Instruction cache: invalidate all, then enable. */
  mt_dsb();
  mt_isb();
  MT_REG32(MT_SCB_ICIALLU) = 0;
  mt_dsb();
  mt_isb();
  MT_REG32(MT_SCB_CCR) |= 1u << 17;
  mt_dsb();
  mt_isb();
  /* Data cache: invalidate every set/way of the L1 data cache, then enable. */
  MT_REG32(MT_SCB_CSSELR) = 0; /* level 1, data */
  mt_dsb();
  ccsidr = MT_REG32(MT_SCB_CCSIDR);
  sets = ((ccsidr >> 13) & 0x7FFFu) + 1u;
  ways = ((ccsidr >> 3) & 0x3FFu) + 1u;
  line_shift = (ccsidr & 7u) + 4u;
  /* the way index sits in the top bits: shift = 32 - ceil(log2(ways)) */
  while (way_shift > 0 && (1u << (32 - way_shift)) < ways) {
    way_shift--;
  }
  for (set = 0; set < sets; set++) {
    for (way = 0; way < ways; way++) {
      uint32_t w = (way_shift == 32) ? 0 : (way << way_shift);
      MT_REG32(MT_SCB_DCISW) = w | (set << line_shift);
    }
  }
  mt_dsb();
  MT_REG32(MT_SCB_CCR) |= 1u << 16;
  mt_dsb();
  mt_isb();
}

void mt_cortexm_dcache_invalidate(uintptr_t addr, uint32_t n) {
  uintptr_t line = addr & ~(uintptr_t)31u; /* Cortex-M7 L1 lines are 32 bytes */
  uintptr_t end = addr + n;
  if ((MT_REG32(MT_SCB_CCR) & (1u << 16)) == 0) {
    return;
  }
  mt_dsb();
  for (; line < end; line += 32u) {
    MT_REG32(MT_SCB_DCIMVAC) = (uint32_t)line;
  }
  mt_dsb();
  mt_isb();
}

int mt_cortexm_debugger_attached(void) {
  return (MT_REG32(MT_DHCSR) & 1u) != 0;
}

void mt_cortexm_exit_uart(int32_t code) {
  mt_board_write("\n[mcutrain exit ", 16);
  mt_cortexm_write_int(code, "]\n");
  if (mt_cortexm_debugger_attached()) {
    __asm__ volatile("bkpt 0");
  }
  for (;;) {
    __asm__ volatile("wfi");
  }
}

void mt_cortexm_write_int(int32_t v, const char *suffix) {
  char buf[16];
  int32_t i = (int32_t)sizeof buf;
  uint32_t u = (v < 0) ? 0u - (uint32_t)v : (uint32_t)v;
  int32_t n = 0;
  do {
    buf[--i] = (char)('0' + (u % 10u));
    u /= 10u;
  } while (u != 0 && i > 1);
  if (v < 0) {
    buf[--i] = '-';
  }
  mt_board_write(buf + i, (int32_t)sizeof buf - i);
  while (suffix != NULL && suffix[n] != '\0') {
    n++;
  }
  mt_board_write(suffix, n);
}

void mt_cortexm_fault(const char *what) {
  int32_t n = 0;
  while (what[n] != '\0') {
    n++;
  }
  mt_board_write("\nmcutrain: ", 11);
  mt_board_write(what, n);
  mt_board_write("\n", 1);
  mt_board_exit(MT_FAULT_EXIT_CODE);
}
