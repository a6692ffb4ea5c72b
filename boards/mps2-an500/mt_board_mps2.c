/*
 * mcutrain boards — QEMU's mps2-an500 machine (ARM MPS2 FPGA image AN500: Cortex-M7 with a
 * double-precision FPU), run as
 *   qemu-system-arm -M mps2-an500 -display none -monitor none -serial none -chardev stdio,id=c0
 *     -semihosting-config enable=on,target=native,chardev=c0 -kernel fw.elf
 *
 * I/O and exit use ARM semihosting (BKPT 0xAB, operation in r0, parameter block in r1):
 *   - mt_board_write: SYS_WRITE to the ":tt" handle opened for writing (stdout of QEMU);
 *   - mt_board_read: SYS_OPEN + SYS_READ of the file "mt_stdin.bin" in QEMU's working directory
 *     (dev.mcutrain.toolchain.Qemu puts the input bytes there), which gives a real end of input.
 *     QEMU 7.2 does not deliver the stdio chardev's input to semihosting reads (SYS_READC returns 0
 *     at once, SYS_READ on ":tt" reads the host's non-blocking fd 0), hence the file;
 *   - mt_board_exit: SYS_EXIT_EXTENDED (ADP_Stopped_ApplicationExit, code): QEMU exits with code.
 * Cycles: QEMU has no DWT cycle counter, so mt_board_cycles counts SysTick ticks (processor clock,
 * 24-bit down counter reloading at 0xFFFFFF, wraps counted in SysTick_Handler). With
 * -icount shift=7,align=off,sleep=off the count is deterministic: 3.2 ticks per instruction.
 * Link (mt_board_link_read/_write): the CMSDK APB UART0 at 0x40004000, polled (QEMU connects it
 * to the first -serial chardev; dev.mcutrain.toolchain.Qemu.start puts a TCP socket on 127.0.0.1
 * there). The console stays on semihosting.
 * Flash: the state store is emulated in the machine's 16 MB PSRAM at 0x60000000 (RAM in QEMU, not
 * part of the image, zero at power-on rather than erased, lost when QEMU exits): two 256 KB
 * "sectors", erase writes 0xFF, program ANDs like NOR flash.
 */
#include <stdint.h>
#include <stddef.h>
#include "board.h"
#include "common/mt_cortexm.h"
#include "common/mt_flash_args.h"

/* Semihosting operations (ARM "Semihosting for AArch32 and AArch64", v2). */
#define MT_SH_SYS_OPEN 0x01
#define MT_SH_SYS_WRITE 0x05
#define MT_SH_SYS_READ 0x06
#define MT_SH_SYS_EXIT 0x18
#define MT_SH_SYS_EXIT_EXTENDED 0x20
#define MT_SH_ADP_STOPPED_APPLICATION_EXIT 0x20026
#define MT_SH_MODE_READ_BINARY 1 /* "rb" */
#define MT_SH_MODE_WRITE 4       /* "w" */

/* The input file, relative to QEMU's working directory (dev.mcutrain.toolchain.Qemu writes the
 * program's stdin bytes there). */
#define MT_MPS2_STDIN_FILE "mt_stdin.bin"
#define MT_STDIN_UNOPENED (-2)

/* The emulated state-store flash. */
#define MT_MPS2_FLASH_BASE 0x60000000u
#define MT_MPS2_FLASH_SECTOR ((int32_t)256 * 1024)
#define MT_MPS2_FLASH_SIZE (2 * MT_MPS2_FLASH_SECTOR)

/* CMSDK APB UART0. */
#define MT_MPS2_UART0_BASE 0x40004000u
#define MT_UART_DATA (MT_MPS2_UART0_BASE + 0x00u)
#define MT_UART_STATE (MT_MPS2_UART0_BASE + 0x04u)
#define MT_UART_CTRL (MT_MPS2_UART0_BASE + 0x08u)
#define MT_UART_BAUDDIV (MT_MPS2_UART0_BASE + 0x10u)
#define MT_UART_STATE_TX_FULL 1u
#define MT_UART_STATE_RX_FULL 2u
#define MT_UART_CTRL_TX_RX_ENABLE 3u
#define MT_MPS2_CLOCK_HZ 25000000u
#define MT_BAUD 115200u

static int32_t mt_stdin_handle = MT_STDIN_UNOPENED;
static int32_t mt_stdout_handle = -1;
static volatile uint32_t mt_systick_wraps;
static int mt_ready;

/* One semihosting call: op in r0, pointer to the parameter block in r1; result in r0. */
static int32_t mt_semihost(int32_t op, void *block) {
  register int32_t r0 __asm__("r0") = op;
  register void *r1 __asm__("r1") = block;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

/* Opens the console (":tt") for reading or writing; returns the handle or -1. */
static int32_t mt_open_console(uint32_t mode) {
  static const char name[] = ":tt";
  uint32_t block[3];
  block[0] = (uint32_t)(uintptr_t)name;
  block[1] = mode;
  block[2] = 3; /* strlen(":tt") */
  return mt_semihost(MT_SH_SYS_OPEN, block);
}

void SysTick_Handler(void) {
  mt_systick_wraps = mt_systick_wraps + 1u;
}

void mt_board_init(void) {
  if (mt_ready) {
    return;
  }
  mt_ready = 1;
  mt_stdout_handle = mt_open_console(MT_SH_MODE_WRITE);
  MT_REG32(MT_SYST_RVR) = 0x00FFFFFFu;
  MT_REG32(MT_SYST_CVR) = 0;
  MT_REG32(MT_SYST_CSR) = 7u; /* processor clock, interrupt on wrap, enable */
  MT_REG32(MT_UART_BAUDDIV) = MT_MPS2_CLOCK_HZ / MT_BAUD; /* >= 16 as the UART requires */
  MT_REG32(MT_UART_CTRL) = MT_UART_CTRL_TX_RX_ENABLE;
}

/* Reads the input file MT_MPS2_STDIN_FILE (opened on first use; missing = empty input) with
 * SYS_READ, so the end of the input is reported like a closed stdin on the host. */
int32_t mt_board_read(void *buf, int32_t n) {
  uint32_t block[3];
  int32_t left;
  if (buf == NULL || n < 0) {
    return -1;
  }
  if (n == 0) {
    return 0;
  }
  mt_board_init();
  if (mt_stdin_handle == MT_STDIN_UNOPENED) {
    static const char name[] = MT_MPS2_STDIN_FILE;
    block[0] = (uint32_t)(uintptr_t)name;
    block[1] = MT_SH_MODE_READ_BINARY;
    block[2] = (uint32_t)(sizeof name - 1);
    mt_stdin_handle = mt_semihost(MT_SH_SYS_OPEN, block);
  }
  if (mt_stdin_handle < 0) {
    return 0; /* no input file: empty input */
  }
  block[0] = (uint32_t)mt_stdin_handle;
  block[1] = (uint32_t)(uintptr_t)buf;
  block[2] = (uint32_t)n;
  left = mt_semihost(MT_SH_SYS_READ, block); /* bytes NOT read; n means end of input */
  if (left < 0 || left > n) {
    return -1;
  }
  return n - left;
}

int32_t mt_board_write(const void *buf, int32_t n) {
  const uint8_t *p = (const uint8_t *)buf;
  int32_t done = 0;
  if (n < 0 || (buf == NULL && n > 0)) {
    return -1;
  }
  mt_board_init();
  if (mt_stdout_handle < 0) {
    return -1;
  }
  while (done < n) {
    uint32_t block[3];
    int32_t left;
    block[0] = (uint32_t)mt_stdout_handle;
    block[1] = (uint32_t)(uintptr_t)(p + done);
    block[2] = (uint32_t)(n - done);
    left = mt_semihost(MT_SH_SYS_WRITE, block); /* bytes NOT written */
    if (left < 0 || left >= n - done) {
      return -1;
    }
    done = n - left;
  }
  return n;
}

/* Blocks for the first byte on UART0, then takes what is already there. */
int32_t mt_board_link_read(void *buf, int32_t n) {
  uint8_t *p = (uint8_t *)buf;
  int32_t got = 0;
  if (buf == NULL || n < 0) {
    return -1;
  }
  mt_board_init();
  while (got < n) {
    if ((MT_REG32(MT_UART_STATE) & MT_UART_STATE_RX_FULL) != 0) {
      p[got++] = (uint8_t)MT_REG32(MT_UART_DATA);
    } else if (got > 0) {
      break;
    }
  }
  return got;
}

int32_t mt_board_link_write(const void *buf, int32_t n) {
  const uint8_t *p = (const uint8_t *)buf;
  int32_t i;
  if (n < 0 || (buf == NULL && n > 0)) {
    return -1;
  }
  mt_board_init();
  for (i = 0; i < n; i++) {
    while ((MT_REG32(MT_UART_STATE) & MT_UART_STATE_TX_FULL) != 0) {
    }
    MT_REG32(MT_UART_DATA) = p[i];
  }
  return n;
}

uint32_t mt_board_cycles(void) {
  uint32_t primask = mt_irq_save();
  uint32_t wraps = mt_systick_wraps;
  uint32_t value = MT_REG32(MT_SYST_CVR);
  if ((MT_REG32(MT_SCB_ICSR) & MT_ICSR_PENDSTSET) != 0) {
    /* wrapped but not yet counted: count it, and read the counter again after the wrap */
    wraps++;
    value = MT_REG32(MT_SYST_CVR);
  }
  mt_irq_restore(primask);
  return (wraps << 24) + (0x00FFFFFFu - value);
}

void mt_board_exit(int32_t code) {
  uint32_t block[2];
  block[0] = MT_SH_ADP_STOPPED_APPLICATION_EXIT;
  block[1] = (uint32_t)code;
  for (;;) {
    mt_semihost(MT_SH_SYS_EXIT_EXTENDED, block);
    /* a semihosting host without the extension: plain exit (status lost) */
    mt_semihost(MT_SH_SYS_EXIT, (void *)(uintptr_t)MT_SH_ADP_STOPPED_APPLICATION_EXIT);
  }
}

int32_t mt_board_flash_size(void) {
  return MT_MPS2_FLASH_SIZE;
}

int32_t mt_board_flash_sector_size(void) {
  return MT_MPS2_FLASH_SECTOR;
}

int32_t mt_board_flash_read(int32_t offset, void *dst, int32_t n) {
  const volatile uint8_t *src = (const volatile uint8_t *)(uintptr_t)(MT_MPS2_FLASH_BASE + (uint32_t)offset);
  uint8_t *d = (uint8_t *)dst;
  int32_t i;
  if (dst == NULL || !mt_flash_range_ok(offset, n, MT_MPS2_FLASH_SIZE)) {
    return -1;
  }
  for (i = 0; i < n; i++) {
    d[i] = src[i];
  }
  return n;
}

int32_t mt_board_flash_erase(int32_t sector) {
  volatile uint32_t *p;
  int32_t i;
  if (sector < 0 || sector >= MT_BOARD_FLASH_SECTORS) {
    return -1;
  }
  p = (volatile uint32_t *)(uintptr_t)(MT_MPS2_FLASH_BASE + (uint32_t)(sector * MT_MPS2_FLASH_SECTOR));
  for (i = 0; i < MT_MPS2_FLASH_SECTOR / 4; i++) {
    p[i] = 0xFFFFFFFFu;
  }
  return 0;
}

int32_t mt_board_flash_program(int32_t offset, const void *src, int32_t n) {
  volatile uint8_t *dst = (volatile uint8_t *)(uintptr_t)(MT_MPS2_FLASH_BASE + (uint32_t)offset);
  const uint8_t *s = (const uint8_t *)src;
  int32_t i;
  if (src == NULL || !mt_flash_range_ok(offset, n, MT_MPS2_FLASH_SIZE) ||
      !mt_flash_word_aligned(offset, n)) {
    return -1;
  }
  for (i = 0; i < n; i++) {
    dst[i] = (uint8_t)(dst[i] & s[i]);
  }
  return n;
}
