/*
 * mcutrain boards — NUCLEO-F411RE (STM32F411RE: Cortex-M4F, 512 KB flash, 128 KB SRAM).
 * Register-level, no vendor HAL; addresses and bit positions are from the STM32F411 reference
 * manual (RM0383).
 *
 *   clock:  HSI 16 MHz -> PLL (M=16, N=400, P=4, Q=8) -> SYSCLK 100 MHz, voltage scale 1,
 *           3 flash wait states with prefetch and I/D caches, AHB 100 MHz, APB1 50 MHz (/2),
 *           APB2 100 MHz.
 *   I/O:    USART2 on PA2 (TX) / PA3 (RX), AF7, 115200 8N1, polled (the ST-LINK virtual COM port).
 *   cycles: DWT CYCCNT (core clock).
 *   exit:   writes "\n[mcutrain exit <code>]\n" to the UART, then BKPT if a debugger is attached,
 *           else sleeps forever (WFI).
 *   flash:  the state store is sectors 6 and 7 (128 KB each, 0x08040000 and 0x08060000), erased
 *           and programmed through the FLASH registers with 32-bit parallelism (PSIZE = x32,
 *           needs VDD 2.7..3.6 V: the Nucleo runs at 3.3 V).
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
#define RCC_CR_HSION (1u << 0)
#define RCC_CR_HSIRDY (1u << 1)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)

/* PWR */
#define PWR_CR 0x40007000u

/* FLASH interface (common registers: mt_stm32_flash.h) */
#define FLASH_ACR MT_STM32_FLASH_ACR
#define FLASH_ACR_PRFTEN MT_STM32_FLASH_ACR_PRFTEN
#define FLASH_ACR_ICEN (1u << 9)
#define FLASH_ACR_DCEN (1u << 10)
#define FLASH_ACR_DCRST (1u << 12)
#define FLASH_SR_ERRORS 0x1F2u /* OPERR | WRPERR | PGAERR | PGPERR | PGSERR | RDERR */

/* GPIOA */
#define GPIOA_BASE 0x40020000u
#define GPIO_MODER 0x00u
#define GPIO_OSPEEDR 0x08u
#define GPIO_PUPDR 0x0Cu
#define GPIO_AFRL 0x20u

/* USART2 (F4 register layout) */
#define USART2_BASE 0x40004400u
#define USART_SR (USART2_BASE + 0x00u)
#define USART_DR (USART2_BASE + 0x04u)
#define USART_BRR (USART2_BASE + 0x08u)
#define USART_CR1 (USART2_BASE + 0x0Cu)

#define MT_F411_APB1_HZ 50000000u
#define MT_BAUD 115200u

/* State store: sectors 6 and 7. */
#define MT_F411_STORE_BASE 0x08040000u
#define MT_F411_STORE_SECTOR ((int32_t)128 * 1024)
#define MT_F411_STORE_SIZE (2 * MT_F411_STORE_SECTOR)
#define MT_F411_FIRST_STORE_SECTOR 6u

static int mt_ready;

/* reading SR then DR clears RXNE and ORE: no clear register, ORE alone also triggers a read */
static const mt_stm32_usart mt_usart = {USART_SR, USART_DR, USART_DR, 0u,
                                        MT_STM32_USART_RXNE | MT_STM32_USART_ORE};

static void mt_reg_field(uint32_t addr, uint32_t mask, uint32_t value) {
  MT_REG32(addr) = (MT_REG32(addr) & ~mask) | (value & mask);
}

/* HSI -> PLL -> 100 MHz (RM0383 6.3.2): scale 1 before the PLL starts, wait states before the
 * switch. */
static void mt_clock_init(void) {
  MT_REG32(RCC_CR) |= RCC_CR_HSION;
  while ((MT_REG32(RCC_CR) & RCC_CR_HSIRDY) == 0) {
  }
  MT_REG32(RCC_APB1ENR) |= 1u << 28; /* PWREN */
  (void)MT_REG32(RCC_APB1ENR);
  mt_reg_field(PWR_CR, 3u << 14, 3u << 14); /* VOS = scale 1 (up to 100 MHz) */
  /* PLL: source HSI (bit 22 = 0), M=16 -> 1 MHz, N=400 -> 400 MHz VCO, P=4 (01) -> 100, Q=8 */
  MT_REG32(RCC_PLLCFGR) = 16u | (400u << 6) | (1u << 16) | (8u << 24);
  MT_REG32(RCC_CR) |= RCC_CR_PLLON;
  /* 3 wait states for 90..100 MHz at 2.7..3.6 V; prefetch and caches on */
  MT_REG32(FLASH_ACR) = 3u | FLASH_ACR_PRFTEN | FLASH_ACR_ICEN | FLASH_ACR_DCEN;
  while ((MT_REG32(FLASH_ACR) & 0xFu) != 3u) {
  }
  /* AHB /1, APB1 /2 (PPRE1 100), APB2 /1 */
  mt_reg_field(RCC_CFGR, (0xFu << 4) | (7u << 10) | (7u << 13), 4u << 10);
  while ((MT_REG32(RCC_CR) & RCC_CR_PLLRDY) == 0) {
  }
  mt_reg_field(RCC_CFGR, 3u, 2u); /* SW = PLL */
  while ((MT_REG32(RCC_CFGR) & (3u << 2)) != (2u << 2)) {
  }
}

/* PA2 = USART2_TX, PA3 = USART2_RX (AF7); 115200 8N1 from the 50 MHz APB1 clock. */
static void mt_uart_init(void) {
  MT_REG32(RCC_AHB1ENR) |= 1u << 0;  /* GPIOA */
  MT_REG32(RCC_APB1ENR) |= 1u << 17; /* USART2 */
  (void)MT_REG32(RCC_APB1ENR);
  mt_reg_field(GPIOA_BASE + GPIO_MODER, 0xFu << 4, 0xAu << 4);     /* PA2, PA3 alternate */
  mt_reg_field(GPIOA_BASE + GPIO_OSPEEDR, 0xFu << 4, 0xAu << 4);   /* fast */
  mt_reg_field(GPIOA_BASE + GPIO_PUPDR, 3u << 6, 1u << 6);         /* pull-up on RX */
  mt_reg_field(GPIOA_BASE + GPIO_AFRL, 0xFFu << 8, 0x77u << 8);    /* AF7 */
  MT_REG32(USART_CR1) = 0;
  MT_REG32(USART_BRR) = (MT_F411_APB1_HZ + MT_BAUD / 2u) / MT_BAUD; /* x16: mantissa.fraction */
  MT_REG32(USART_CR1) = (1u << 13) | (1u << 3) | (1u << 2);         /* UE | TE | RE */
}

void mt_board_init(void) {
  if (mt_ready) {
    return;
  }
  mt_ready = 1;
  mt_clock_init();
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

/* Locks the flash and resets the ART data cache, which may hold pre-write contents (the whole
 * cache: addr and n are not needed). */
static void mt_flash_finish(uint32_t addr, uint32_t n) {
  uint32_t acr;
  (void)addr;
  (void)n;
  mt_stm32_flash_lock();
  acr = MT_REG32(FLASH_ACR);
  MT_REG32(FLASH_ACR) = acr & ~FLASH_ACR_DCEN;
  MT_REG32(FLASH_ACR) = (acr & ~FLASH_ACR_DCEN) | FLASH_ACR_DCRST;
  MT_REG32(FLASH_ACR) = acr & ~FLASH_ACR_DCRST;
}

static const mt_stm32_store mt_store = {MT_F411_STORE_BASE, MT_F411_STORE_SECTOR,
                                        MT_F411_STORE_SIZE, MT_F411_FIRST_STORE_SECTOR,
                                        MT_STM32_FLASH_CR_PSIZE_X32, FLASH_SR_ERRORS,
                                        mt_flash_finish};

int32_t mt_board_flash_size(void) {
  return MT_F411_STORE_SIZE;
}

int32_t mt_board_flash_sector_size(void) {
  return MT_F411_STORE_SECTOR;
}

int32_t mt_board_flash_read(int32_t offset, void *dst, int32_t n) {
  return mt_flash_read_mapped(MT_F411_STORE_BASE, MT_F411_STORE_SIZE, offset, dst, n);
}

int32_t mt_board_flash_erase(int32_t sector) {
  return mt_stm32_store_erase(&mt_store, sector);
}

int32_t mt_board_flash_program(int32_t offset, const void *src, int32_t n) {
  return mt_stm32_store_program(&mt_store, offset, src, n);
}
