/*
 * mcutrain boards — the port interface every board implements.
 *
 * A board supplies startup code (which ends up calling the program's main), one byte-stream input
 * channel, one byte-stream output channel, a cycle counter, a way to stop with a status code and a
 * small persistent storage area (two flash sectors) for the training-state store. Generated code
 * and examples use only these functions, so the same program runs on the host (boards/host) and on
 * a microcontroller (boards/mps2-an500 in QEMU, boards/stm32f746g-disco, boards/nucleo-f411re).
 */
#ifndef MT_BOARD_H
#define MT_BOARD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Brings up what the program needs before main's own code runs (clocks, FPU, UART, ...).
 * Safe to call more than once. */
void mt_board_init(void);

/* Reads up to n bytes from the board's input channel (stdin on the host, UART or semihosting on a
 * device) into buf. Blocks until at least one byte is available. Returns the number of bytes read,
 * 0 at the end of the input, or a negative value on error (including n < 0 or buf == NULL). */
int32_t mt_board_read(void *buf, int32_t n);

/* Writes n bytes from buf to the board's output channel (stdout on the host). Returns n once all
 * bytes are written, or a negative value on error (including n < 0 or buf == NULL with n > 0). */
int32_t mt_board_write(const void *buf, int32_t n);

/*
 * The serial link: a second byte stream for a host program that talks to the device (frames of
 * runtime-c/include/mt_link.h). On the host it is stdin/stdout (the same as the console); on
 * mps2-an500 it is the CMSDK UART0 (QEMU's first -serial chardev) while the console stays on
 * semihosting; on the STM32 boards it is the console USART.
 */

/* Reads up to n bytes from the link into buf, blocking until at least one byte is available.
 * Returns the count read, 0 at the end of the link (never on a UART), or a negative value on
 * error (including n < 0 or buf == NULL). */
int32_t mt_board_link_read(void *buf, int32_t n);

/* Writes n bytes from buf to the link. Returns n once all bytes are written, or a negative value
 * on error (including n < 0 or buf == NULL with n > 0). */
int32_t mt_board_link_write(const void *buf, int32_t n);

/* A free-running cycle counter (wraps at 2^32). Differences of two readings measure elapsed
 * cycles of short sections: use unsigned subtraction. */
uint32_t mt_board_cycles(void);

/* Stops the program and reports code as its exit status (0 = success). Does not return. */
void mt_board_exit(int32_t code) __attribute__((noreturn));

/*
 * Persistent storage for the training-state store: a byte-addressed area of two equal sectors
 * (sector 0 at offset 0, sector 1 at offset mt_board_flash_sector_size()), with NOR-flash rules
 * on every board, emulations included:
 *   - erasing a sector sets all of its bytes to 0xFF;
 *   - programming can only clear bits (the stored byte becomes old & new), so program only erased
 *     bytes; offset and n must be multiples of 4 (word programming); src may be unaligned;
 *   - the area survives a reset on real boards; see each board's README for the emulations.
 * All functions return a negative value on a bad argument (NULL pointer, n < 0, range outside the
 * area, misalignment, sector not 0 or 1) or a hardware error, and never touch memory then.
 */
#define MT_BOARD_FLASH_SECTORS 2
#define MT_BOARD_FLASH_ERASED 0xFFu

/* Bytes of the state area: two sectors. */
int32_t mt_board_flash_size(void);

/* Bytes of one sector (an erase unit). */
int32_t mt_board_flash_sector_size(void);

/* Copies n bytes at offset of the state area to dst. Returns n. */
int32_t mt_board_flash_read(int32_t offset, void *dst, int32_t n);

/* Erases sector 0 or 1 (all bytes become 0xFF). Returns 0. Slow on real flash (up to ~2 s). */
int32_t mt_board_flash_erase(int32_t sector);

/* Programs n bytes from src at offset (both offset and n multiples of 4). Returns n. */
int32_t mt_board_flash_program(int32_t offset, const void *src, int32_t n);

#ifdef __cplusplus
}
#endif

#endif /* MT_BOARD_H */
