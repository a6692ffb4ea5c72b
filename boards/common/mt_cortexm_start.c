/*
 * mcutrain boards — Cortex-M startup shared by the microcontroller ports: the vector table, the
 * reset handler and the fault handlers. No assembly file: the core loads SP from word 0 of the
 * vector table and jumps to Reset_Handler (word 1), so plain C works from the first instruction.
 *
 * Reset_Handler grants CP10/CP11 access in CPACR before anything that may use the FPU, then
 * mt_cortexm_start copies .data from its load address, zeroes .bss, calls mt_board_init, runs
 * `int main(int argc, char **argv)` with argc = 1 and argv = {"mcutrain", NULL} and exits with its
 * return value through mt_board_exit. The linker script (boards/common/cortexm.ld.in) defines the
 * __mt_* symbols used here.
 */
#include <stdint.h>
#include <stddef.h>
#include "board.h"
#include "common/mt_cortexm.h"

int main(int argc, char **argv);

extern uint32_t __mt_stack_top[];
extern uint32_t __mt_data_load[];
extern uint32_t __mt_data_start[];
extern uint32_t __mt_data_end[];
extern uint32_t __mt_bss_start[];
extern uint32_t __mt_bss_end[];

void Reset_Handler(void) __attribute__((noreturn));
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void mt_cortexm_unexpected_handler(void);
/* Boards that use SysTick (mps2-an500) define SysTick_Handler; the others get the default. */
void SysTick_Handler(void) __attribute__((weak, alias("mt_cortexm_unexpected_handler")));

/* The ARMv7-M vector table: initial SP, then the 15 system exception handlers. No external
 * interrupt is ever enabled by these ports, so the table stops there. */
struct mt_vector_table {
  uint32_t *initial_sp;
  void (*handlers[15])(void);
};

__attribute__((section(".isr_vector"), used)) const struct mt_vector_table mt_vectors = {
    __mt_stack_top,
    {
        Reset_Handler,                 /* 1 Reset */
        NMI_Handler,                   /* 2 NMI */
        HardFault_Handler,             /* 3 HardFault */
        MemManage_Handler,             /* 4 MemManage */
        BusFault_Handler,              /* 5 BusFault */
        UsageFault_Handler,            /* 6 UsageFault */
        NULL,                          /* 7 reserved */
        NULL,                          /* 8 reserved */
        NULL,                          /* 9 reserved */
        NULL,                          /* 10 reserved */
        mt_cortexm_unexpected_handler, /* 11 SVCall */
        mt_cortexm_unexpected_handler, /* 12 DebugMonitor */
        NULL,                          /* 13 reserved */
        mt_cortexm_unexpected_handler, /* 14 PendSV */
        SysTick_Handler,               /* 15 SysTick */
    }};

static char mt_program_name[] = "mcutrain";

/* Everything after the FPU is on: memory initialisation, board init, main, exit. */
static __attribute__((noinline, noreturn)) void mt_cortexm_start(void) {
  uint32_t *src = __mt_data_load;
  uint32_t *dst = __mt_data_start;
  char *argv[2];
  while (dst < __mt_data_end) {
    *dst++ = *src++;
  }
  for (dst = __mt_bss_start; dst < __mt_bss_end; dst++) {
    *dst = 0;
  }
  mt_board_init();
  argv[0] = mt_program_name;
  argv[1] = NULL;
  mt_board_exit(main(1, argv));
}

void Reset_Handler(void) {
  /* CP10 and CP11 full access: the FPU must be on before the first floating-point instruction. */
  MT_REG32(MT_SCB_CPACR) |= 0xFu << 20;
  mt_dsb();
  mt_isb();
  mt_cortexm_start();
}

void NMI_Handler(void) {
  mt_cortexm_fault("NMI");
}

void HardFault_Handler(void) {
  mt_cortexm_fault("HardFault");
}

void MemManage_Handler(void) {
  mt_cortexm_fault("MemManage fault");
}

void BusFault_Handler(void) {
  mt_cortexm_fault("BusFault");
}

void UsageFault_Handler(void) {
  mt_cortexm_fault("UsageFault");
}

void mt_cortexm_unexpected_handler(void) {
  mt_cortexm_fault("unexpected exception");
}
