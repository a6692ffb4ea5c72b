/*
 * mcutrain boards — STM32F746G-DISCO (STM32F746NG: Cortex-M7, single-precision FPU, 1 MB flash,
 * 320 KB SRAM). Register-level, no vendor HAL; addresses and bit positions are from the STM32F74x
 * reference manual (RM0385).
 *
 *   clock:  HSE 25 MHz -> PLL (M=25, N=432, P=2, Q=9) -> SYSCLK 216 MHz, voltage scale 1 with
 *           over-drive, 7 flash wait states with ART accelerator and prefetch, AHB 216 MHz,
 *           APB1 54 MHz (/4), APB2 108 MHz (/2); I- and D-caches on.
 *   I/O:    USART1 on PA9 (TX) / PB7 (RX), AF7, 115200 8N1, polled (the ST-LINK virtual COM port).
 *   cycles: DWT CYCCNT (core clock).
 *   exit:   writes "\n[mcutrain exit <code>]\n" to the UART, then BKPT if a debugger is attached,
 *           else sleeps forever (WFI).
 *   flash:  the state store is sectors 6 and 7 (256 KB each, 0x08080000 and 0x080C0000), erased
 *           and programmed through the FLASH registers with 32-bit parallelism (PSIZE = x32).
 */
#include <stdint.h>
#include <stddef.h>
#include "board.h"
#include "common/mt_cortexm.h"
#include "common/mt_flash_args.h"
#include "common/mt_stm32_flash.h"
#include "common/mt_stm32_usart.h"

/* RCC */
#define RCC_BASE 0x40023800u
#define RCC_CR (RCC_BASE + 0x00u)
#define RCC_PLLCFGR (RCC_BASE + 0x04u)
#define RCC_CFGR (RCC_BASE + 0x08u)
#define RCC_AHB1ENR (RCC_BASE + 0x30u)
#define RCC_APB1ENR (RCC_BASE + 0x40u)
#define RCC_APB2ENR (RCC_BASE + 0x44u)
#define RCC_CR_HSEON (1u << 16)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)

/* PWR */
#define PWR_CR1 0x40007000u
#define PWR_CSR1 0x40007004u
#define PWR_CR1_VOS_SCALE1 (3u << 14)
#define PWR_CR1_ODEN (1u << 16)
#define PWR_CR1_ODSWEN (1u << 17)
#define PWR_CSR1_ODRDY (1u << 16)
#define PWR_CSR1_ODSWRDY (1u << 17)

/* FLASH interface (common registers: mt_stm32_flash.h) */
#define FLASH_ACR MT_STM32_FLASH_ACR
#define FLASH_ACR_PRFTEN MT_STM32_FLASH_ACR_PRFTEN
#define FLASH_ACR_ARTEN (1u << 9)
#define FLASH_SR_ERRORS 0xF2u /* OPERR | WRPERR | PGAERR | PGPERR | ERSERR */

/* GPIO */
#define GPIOA_BASE 0x40020000u
#define GPIOB_BASE 0x40020400u
#define GPIO_MODER 0x00u
#define GPIO_OSPEEDR 0x08u
#define GPIO_PUPDR 0x0Cu
#define GPIO_AFRL 0x20u
#define GPIO_AFRH 0x24u

/* USART1 (F7 register layout) */
#define USART1_BASE 0x40011000u
#define USART_CR1 (USART1_BASE + 0x00u)
#define USART_BRR (USART1_BASE + 0x0Cu)
#define USART_ISR (USART1_BASE + 0x1Cu)
#define USART_ICR (USART1_BASE + 0x20u)
#define USART_RDR (USART1_BASE + 0x24u)
#define USART_TDR (USART1_BASE + 0x28u)

#define MT_F746_APB2_HZ 108000000u
#define MT_BAUD 115200u

/* State store: sectors 6 and 7. */
#define MT_F746_STORE_BASE 0x08080000u
#define MT_F746_STORE_SECTOR ((int32_t)256 * 1024)
#define MT_F746_STORE_SIZE (2 * MT_F746_STORE_SECTOR)
#define MT_F746_FIRST_STORE_SECTOR 6u

static int mt_ready;

static const mt_stm32_usart mt_usart = {USART_ISR, USART_RDR, USART_TDR, USART_ICR,
                                        MT_STM32_USART_RXNE};

/* Sets bits `value` under `mask` in a register (read-modify-write). */
static void mt_reg_field(uint32_t addr, uint32_t mask, uint32_t value) {
  MT_REG32(addr) = (MT_REG32(addr) & ~mask) | (value & mask);
}

/* HSE -> PLL -> 216 MHz following RM0385 3.3.2 / 4.1.4 (over-drive before the switch). */
static void mt_clock_init(void) {
  MT_REG32(RCC_CR) |= RCC_CR_HSEON;
  while ((MT_REG32(RCC_CR) & RCC_CR_HSERDY) == 0) {
  }
  MT_REG32(RCC_APB1ENR) |= 1u << 28; /* PWREN */
  (void)MT_REG32(RCC_APB1ENR);
  mt_reg_field(PWR_CR1, 3u << 14, PWR_CR1_VOS_SCALE1); /* only while the PLL is off */
  /* PLL: source HSE (bit 22), M=25 -> 1 MHz, N=432 -> 432 MHz VCO, P=2 (00) -> 216, Q=9 -> 48 */
  MT_REG32(RCC_PLLCFGR) = 25u | (432u << 6) | (0u << 16) | (1u << 22) | (9u << 24);
  MT_REG32(RCC_CR) |= RCC_CR_PLLON;
  /* over-drive: ODEN, wait ODRDY, then ODSWEN, wait ODSWRDY */
  MT_REG32(PWR_CR1) |= PWR_CR1_ODEN;
  while ((MT_REG32(PWR_CSR1) & PWR_CSR1_ODRDY) == 0) {
  }
  MT_REG32(PWR_CR1) |= PWR_CR1_ODSWEN;
  while ((MT_REG32(PWR_CSR1) & PWR_CSR1_ODSWRDY) == 0) {
  }
  /* 7 wait states for 210..216 MHz at 2.7..3.6 V, ART and prefetch on */
  MT_REG32(FLASH_ACR) = 7u | FLASH_ACR_PRFTEN | FLASH_ACR_ARTEN;
  while ((MT_REG32(FLASH_ACR) & 0xFu) != 7u) {
  }
  /* AHB /1 (HPRE 0), APB1 /4 (PPRE1 101), APB2 /2 (PPRE2 100) */
  mt_reg_field(RCC_CFGR, (0xFu << 4) | (7u << 10) | (7u << 13), (5u << 10) | (4u << 13));
  while ((MT_REG32(RCC_CR) & RCC_CR_PLLRDY) == 0) {
  }
  mt_reg_field(RCC_CFGR, 3u, 2u); /* SW = PLL */
  while ((MT_REG32(RCC_CFGR) & (3u << 2)) != (2u << 2)) {
  }
}

/* PA9 = USART1_TX, PB7 = USART1_RX (AF7); 115200 8N1 from the 108 MHz APB2 clock. */
static void mt_uart_init(void) {
  MT_REG32(RCC_AHB1ENR) |= (1u << 0) | (1u << 1); /* GPIOA, GPIOB */
  MT_REG32(RCC_APB2ENR) |= 1u << 4;               /* USART1 */
  (void)MT_REG32(RCC_APB2ENR);
  mt_reg_field(GPIOA_BASE + GPIO_MODER, 3u << 18, 2u << 18);   /* PA9 alternate function */
  mt_reg_field(GPIOA_BASE + GPIO_OSPEEDR, 3u << 18, 2u << 18); /* high speed */
  mt_reg_field(GPIOA_BASE + GPIO_AFRH, 0xFu << 4, 7u << 4);    /* AF7 */
  mt_reg_field(GPIOB_BASE + GPIO_MODER, 3u << 14, 2u << 14);   /* PB7 alternate function */
  mt_reg_field(GPIOB_BASE + GPIO_PUPDR, 3u << 14, 1u << 14);   /* pull-up on RX */
  mt_reg_field(GPIOB_BASE + GPIO_AFRL, 0xFu << 28, 7u << 28);  /* AF7 */
  MT_REG32(USART_CR1) = 0;                                     /* 8 data bits, no parity, x16 */
  MT_REG32(USART_BRR) = (MT_F746_APB2_HZ + MT_BAUD / 2u) / MT_BAUD;
  MT_REG32(USART_CR1) = (1u << 3) | (1u << 2) | 1u;             /* TE | RE | UE */
}

void mt_board_init(void) {
  if (mt_ready) {
    return;
  }
  mt_ready = 1;
  mt_clock_init();
  mt_cortexm_caches_enable();
  mt_uart_init();
  mt_cortexm_cycle_counter_start();
}

int32_t mt_board_read(void *buf, int32_t n) {
  return mt_stm32_usart_board_read(&mt_usart, buf, n);
}

int32_t mt_board_write(const void *buf, int32_t n) {
  return mt_stm32_usart_board_write(&mt_usart, buf, n);
}

/* The link is the console USART. */
int32_t mt_board_link_read(void *buf, int32_t n) {
  return mt_stm32_usart_board_read(&mt_usart, buf, n);
}

int32_t mt_board_link_write(const void *buf, int32_t n) {
  return mt_stm32_usart_board_write(&mt_usart, buf, n);
}

uint32_t mt_board_cycles(void) {
  return MT_REG32(MT_DWT_CYCCNT);
}

void mt_board_exit(int32_t code) {
  mt_cortexm_exit_uart(code);
}

/* ---- state-store flash ---- */

/* Locks the flash and invalidates the D-cache lines of the rewritten range. */
static void mt_flash_finish(uint32_t addr, uint32_t n) {
  mt_stm32_flash_lock();
  mt_cortexm_dcache_invalidate(addr, n);
}

static const mt_stm32_store mt_store = {MT_F746_STORE_BASE, MT_F746_STORE_SECTOR,
                                        MT_F746_STORE_SIZE, MT_F746_FIRST_STORE_SECTOR,
                                        MT_STM32_FLASH_CR_PSIZE_X32, FLASH_SR_ERRORS,
                                        mt_flash_finish};

int32_t mt_board_flash_size(void) {
  return MT_F746_STORE_SIZE;
}

int32_t mt_board_flash_sector_size(void) {
  return MT_F746_STORE_SECTOR;
}

int32_t mt_board_flash_read(int32_t offset, void *dst, int32_t n) {
  return mt_flash_read_mapped(MT_F746_STORE_BASE, MT_F746_STORE_SIZE, offset, dst, n);
}

int32_t mt_board_flash_erase(int32_t sector) {
  return mt_stm32_store_erase(&mt_store, sector);
}

int32_t mt_board_flash_program(int32_t offset, const void *src, int32_t n) {
  return mt_stm32_store_program(&mt_store, offset, src, n);
}
