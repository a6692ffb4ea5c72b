/*
 * mcutrain boards — Cortex-M helpers shared by the microcontroller ports (mps2-an500,
 * stm32f746g-disco, nucleo-f411re). Addresses are the architectural ones from the ARMv7-M
 * Architecture Reference Manual (System Control Space at 0xE000E000).
 */
#ifndef MT_CORTEXM_H
#define MT_CORTEXM_H

#include <stdint.h>

/* A memory-mapped 32-bit register. */
#define MT_REG32(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* System control block and core peripherals (ARMv7-M ARM, B3.2 / C1). */
#define MT_SCB_ICSR 0xE000ED04u    /* interrupt control and state */
#define MT_SCB_CCR 0xE000ED14u     /* configuration and control (IC bit 17, DC bit 16) */
#define MT_SCB_CCSIDR 0xE000ED80u  /* cache size ID (selected by CSSELR) */
#define MT_SCB_CSSELR 0xE000ED84u  /* cache size selection */
#define MT_SCB_CPACR 0xE000ED88u   /* coprocessor access control (CP10/CP11 at bits 20..23) */
#define MT_SCB_ICIALLU 0xE000EF50u /* invalidate all instruction caches */
#define MT_SCB_DCIMVAC 0xE000EF5Cu /* invalidate data cache line by address */
#define MT_SCB_DCISW 0xE000EF60u   /* invalidate data cache line by set/way */
#define MT_DHCSR 0xE000EDF0u       /* debug halting control and status (C_DEBUGEN bit 0) */
#define MT_DEMCR 0xE000EDFCu       /* debug exception and monitor control (TRCENA bit 24) */
#define MT_DWT_CTRL 0xE0001000u    /* CYCCNTENA bit 0 */
#define MT_DWT_CYCCNT 0xE0001004u
#define MT_DWT_LAR 0xE0001FB0u     /* lock access (Cortex-M7: write 0xC5ACCE55 to unlock) */
#define MT_SYST_CSR 0xE000E010u    /* SysTick control: ENABLE 0, TICKINT 1, CLKSOURCE 2 */
#define MT_SYST_RVR 0xE000E014u
#define MT_SYST_CVR 0xE000E018u

#define MT_ICSR_PENDSTSET (1u << 26)

/* Exit status reported when a fault handler runs (like a process killed by SIGABRT). */
#define MT_FAULT_EXIT_CODE 134

static inline void mt_dsb(void) {
  __asm__ volatile("dsb 0xF" ::: "memory");
}

static inline void mt_isb(void) {
  __asm__ volatile("isb 0xF" ::: "memory");
}

/* Saves PRIMASK and disables interrupts; returns the saved value for mt_irq_restore. */
static inline uint32_t mt_irq_save(void) {
  uint32_t primask;
  __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
  return primask;
}

static inline void mt_irq_restore(uint32_t primask) {
  __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
}

/* Starts the DWT cycle counter (a no-op read of 0 forever on cores without one, e.g. in QEMU). */
void mt_cortexm_cycle_counter_start(void);

/* Enables and invalidates the Cortex-M7 L1 instruction and data caches (do not call on M4). */
void mt_cortexm_caches_enable(void);

/* Invalidates the data cache lines covering [addr, addr + n) (Cortex-M7; after flash writes). */
void mt_cortexm_dcache_invalidate(uintptr_t addr, uint32_t n);

/* 1 when a debugger has enabled halting debug (so BKPT halts instead of faulting), else 0. */
int mt_cortexm_debugger_attached(void);

/*
 * mt_board_exit for a port that reports through its UART: writes "\n[mcutrain exit <code>]\n"
 * with mt_board_write, then BKPT if a debugger is attached, else sleeps forever (WFI).
 */
void mt_cortexm_exit_uart(int32_t code) __attribute__((noreturn));

/* Writes "mcutrain: <what>\n" with mt_board_write and exits with MT_FAULT_EXIT_CODE. */
void mt_cortexm_fault(const char *what) __attribute__((noreturn));

/* Writes the decimal form of v followed by `suffix` with mt_board_write (no buffering, no libc). */
void mt_cortexm_write_int(int32_t v, const char *suffix);

#endif /* MT_CORTEXM_H */
