/*
 * mcutrain boards — the port interface every board implements.
 *
 * A board supplies startup code (which ends up calling the program's main), one byte-stream input
 * channel, one byte-stream output channel, a cycle counter and a way to stop with a status code.
 * Generated code and examples use only these five functions, so the same program runs on the host
 * (boards/host) and on a microcontroller.
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

/* A free-running cycle counter (wraps at 2^32). Differences of two readings measure elapsed
 * cycles of short sections: use unsigned subtraction. */
uint32_t mt_board_cycles(void);

/* Stops the program and reports code as its exit status (0 = success). Does not return. */
void mt_board_exit(int32_t code) __attribute__((noreturn));

#ifdef __cplusplus
}
#endif

#endif /* MT_BOARD_H */
