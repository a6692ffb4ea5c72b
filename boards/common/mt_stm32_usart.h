/*
 * mcutrain boards — polled USART I/O shared by the STM32F4 and STM32F7 ports (nucleo-f411re,
 * stm32f746g-disco). The two USARTs lay their registers out differently (F4: SR/DR, RM0383
 * 19.6; F7: ISR/ICR/RDR/TDR, RM0385 31.8), so the register addresses are passed in; the status
 * bits used here are at the same positions in F4 SR and F7 ISR.
 * Header-only (static inline): the .c files in boards/common are compiled for every
 * Cortex-M board.
 */
#ifndef MT_STM32_USART_H
#define MT_STM32_USART_H

#include <stdint.h>
#include <stddef.h>
#include "board.h"
#include "mt_cortexm.h"

#define MT_STM32_USART_ORE (1u << 3)
#define MT_STM32_USART_RXNE (1u << 5)
#define MT_STM32_USART_TC (1u << 6)
#define MT_STM32_USART_TXE (1u << 7)

/* A USART's registers as one chip sees them. */
typedef struct {
  uint32_t status;   /* F4 SR, F7 ISR */
  uint32_t rx_data;  /* F4 DR, F7 RDR */
  uint32_t tx_data;  /* F4 DR, F7 TDR */
  uint32_t clear;    /* F7 ICR (overrun cleared by writing ORE); 0 on F4 (SR-then-DR read) */
  uint32_t rx_ready; /* status bits after which rx_data is read */
} mt_stm32_usart;

/*
 * Reads up to n bytes (n >= 0, p non-NULL): blocks for the first byte, then takes what is
 * already there. An overrun flag is cleared through u->clear when there is one. Returns the
 * count read.
 */
static inline int32_t mt_stm32_usart_read(const mt_stm32_usart *u, uint8_t *p, int32_t n) {
  int32_t got = 0;
  while (got < n) {
    uint32_t status = MT_REG32(u->status);
    if (u->clear != 0 && (status & MT_STM32_USART_ORE) != 0) {
      MT_REG32(u->clear) = MT_STM32_USART_ORE; /* overrun: drop the flag, keep going */
    }
    if ((status & u->rx_ready) != 0) {
      p[got++] = (uint8_t)MT_REG32(u->rx_data);
    } else if (got > 0) {
      break;
    }
  }
  return got;
}

/* Writes n bytes (n >= 0) and waits until the last has left the shift register (TC). */
static inline void mt_stm32_usart_write(const mt_stm32_usart *u, const uint8_t *p, int32_t n) {
  int32_t i;
  for (i = 0; i < n; i++) {
    while ((MT_REG32(u->status) & MT_STM32_USART_TXE) == 0) {
    }
    MT_REG32(u->tx_data) = p[i];
  }
  while ((MT_REG32(u->status) & MT_STM32_USART_TC) == 0) {
  }
}

/* mt_board_read over USART u (board.h): -1 for bad arguments, else mt_board_init and read. */
static inline int32_t mt_stm32_usart_board_read(const mt_stm32_usart *u, void *buf, int32_t n) {
  if (buf == NULL || n < 0) {
    return -1;
  }
  mt_board_init();
  return mt_stm32_usart_read(u, (uint8_t *)buf, n);
}

/* mt_board_write over USART u (board.h): -1 for bad arguments, else mt_board_init and write. */
static inline int32_t mt_stm32_usart_board_write(const mt_stm32_usart *u, const void *buf,
                                                 int32_t n) {
  if (n < 0 || (buf == NULL && n > 0)) {
    return -1;
  }
  mt_board_init();
  mt_stm32_usart_write(u, (const uint8_t *)buf, n);
  return n;
}

#endif /* MT_STM32_USART_H */
