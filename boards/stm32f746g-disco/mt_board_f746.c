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

/* FLASH interface */
#define FLASH_BASE 0x40023C00u
#define FLASH_ACR (FLASH_BASE + 0x00u)
#define FLASH_KEYR (FLASH_BASE + 0x04u)
#define FLASH_SR (FLASH_BASE + 0x0Cu)
#define FLASH_CR (FLASH_BASE + 0x10u)
#define FLASH_ACR_PRFTEN (1u << 8)
#define FLASH_ACR_ARTEN (1u << 9)
#define FLASH_SR_BSY (1u << 16)
#define FLASH_SR_ERRORS 0xF2u /* OPERR | WRPERR | PGAERR | PGPERR | ERSERR */
#define FLASH_SR_CLEAR 0xF3u  /* EOP and the error flags, write 1 to clear */
#define FLASH_CR_PG (1u << 0)
#define FLASH_CR_SER (1u << 1)
#define FLASH_CR_SNB_SHIFT 3
#define FLASH_CR_PSIZE_X32 (2u << 8)
#define FLASH_CR_STRT (1u << 16)
#define FLASH_CR_LOCK (1u << 31)
#define FLASH_KEY1 0x45670123u
#define FLASH_KEY2 0xCDEF89ABu

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
#define USART_ISR_ORE (1u << 3)
#define USART_ISR_RXNE (1u << 5)
#define USART_ISR_TC (1u << 6)
#define USART_ISR_TXE (1u << 7)

#define MT_F746_APB2_HZ 108000000u
#define MT_BAUD 115200u

/* State store: sectors 6 and 7. */
#define MT_F746_STORE_BASE 0x08080000u
#define MT_F746_STORE_SECTOR ((int32_t)256 * 1024)
#define MT_F746_STORE_SIZE (2 * MT_F746_STORE_SECTOR)
#define MT_F746_FIRST_STORE_SECTOR 6u

static int mt_ready;

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
  uint8_t *p = (uint8_t *)buf;
  int32_t got = 0;
  if (buf == NULL || n < 0) {
    return -1;
  }
  mt_board_init();
  /* block for the first byte, then take what is already there */
  while (got < n) {
    uint32_t isr = MT_REG32(USART_ISR);
    if ((isr & USART_ISR_ORE) != 0) {
      MT_REG32(USART_ICR) = USART_ISR_ORE; /* overrun: drop the flag, keep going */
    }
    if ((isr & USART_ISR_RXNE) != 0) {
      p[got++] = (uint8_t)MT_REG32(USART_RDR);
    } else if (got > 0) {
      break;
    }
  }
  return got;
}

int32_t mt_board_write(const void *buf, int32_t n) {
  const uint8_t *p = (const uint8_t *)buf;
  int32_t i;
  if (n < 0 || (buf == NULL && n > 0)) {
    return -1;
  }
  mt_board_init();
  for (i = 0; i < n; i++) {
    while ((MT_REG32(USART_ISR) & USART_ISR_TXE) == 0) {
    }
    MT_REG32(USART_TDR) = p[i];
  }
  while ((MT_REG32(USART_ISR) & USART_ISR_TC) == 0) {
  }
  return n;
}

uint32_t mt_board_cycles(void) {
  return MT_REG32(MT_DWT_CYCCNT);
}

void mt_board_exit(int32_t code) {
  mt_board_write("\n[mcutrain exit ", 16);
  mt_cortexm_write_int(code, "]\n");
  if (mt_cortexm_debugger_attached()) {
    __asm__ volatile("bkpt 0");
  }
  for (;;) {
    __asm__ volatile("wfi");
  }
}

/* ---- state-store flash ---- */

static void mt_flash_wait(void) {
  mt_dsb();
  while ((MT_REG32(FLASH_SR) & FLASH_SR_BSY) != 0) {
  }
}

static void mt_flash_unlock(void) {
  if ((MT_REG32(FLASH_CR) & FLASH_CR_LOCK) != 0) {
    MT_REG32(FLASH_KEYR) = FLASH_KEY1;
    MT_REG32(FLASH_KEYR) = FLASH_KEY2;
  }
  MT_REG32(FLASH_SR) = FLASH_SR_CLEAR;
}

static void mt_flash_lock(void) {
  MT_REG32(FLASH_CR) = FLASH_CR_LOCK;
}

int32_t mt_board_flash_size(void) {
  return MT_F746_STORE_SIZE;
}

int32_t mt_board_flash_sector_size(void) {
  return MT_F746_STORE_SECTOR;
}

int32_t mt_board_flash_read(int32_t offset, void *dst, int32_t n) {
  const volatile uint8_t *src = (const volatile uint8_t *)(uintptr_t)(MT_F746_STORE_BASE + (uint32_t)offset);
  uint8_t *d = (uint8_t *)dst;
  int32_t i;
  if (dst == NULL || !mt_flash_range_ok(offset, n, MT_F746_STORE_SIZE)) {
    return -1;
  }
  for (i = 0; i < n; i++) {
    d[i] = src[i];
  }
  return n;
}

int32_t mt_board_flash_erase(int32_t sector) {
  uint32_t err;
  if (sector < 0 || sector >= MT_BOARD_FLASH_SECTORS) {
    return -1;
  }
  mt_flash_wait();
  mt_flash_unlock();
  MT_REG32(FLASH_CR) = FLASH_CR_PSIZE_X32 | FLASH_CR_SER |
                       ((MT_F746_FIRST_STORE_SECTOR + (uint32_t)sector) << FLASH_CR_SNB_SHIFT);
  MT_REG32(FLASH_CR) |= FLASH_CR_STRT;
  mt_flash_wait();
  err = MT_REG32(FLASH_SR) & FLASH_SR_ERRORS;
  mt_flash_lock();
  mt_cortexm_dcache_invalidate(MT_F746_STORE_BASE + (uint32_t)(sector * MT_F746_STORE_SECTOR),
                               (uint32_t)MT_F746_STORE_SECTOR);
  return err != 0 ? -1 : 0;
}

int32_t mt_board_flash_program(int32_t offset, const void *src, int32_t n) {
  const uint8_t *s = (const uint8_t *)src;
  uint32_t err = 0;
  int32_t i;
  if (src == NULL || !mt_flash_range_ok(offset, n, MT_F746_STORE_SIZE) ||
      !mt_flash_word_aligned(offset, n)) {
    return -1;
  }
  mt_flash_wait();
  mt_flash_unlock();
  MT_REG32(FLASH_CR) = FLASH_CR_PSIZE_X32 | FLASH_CR_PG;
  for (i = 0; i < n && err == 0; i += 4) {
    uint32_t word = (uint32_t)s[i] | ((uint32_t)s[i + 1] << 8) | ((uint32_t)s[i + 2] << 16) |
                    ((uint32_t)s[i + 3] << 24);
    MT_REG32(MT_F746_STORE_BASE + (uint32_t)(offset + i)) = word;
    mt_flash_wait();
    err = MT_REG32(FLASH_SR) & FLASH_SR_ERRORS;
  }
  mt_flash_lock();
  mt_cortexm_dcache_invalidate(MT_F746_STORE_BASE + (uint32_t)offset, (uint32_t)n);
  return err != 0 ? -1 : n;
}
