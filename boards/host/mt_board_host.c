/*
 * mcutrain boards — freestanding Linux x86_64 port (no libc).
 *
 * _start (below, in assembly) passes the initial stack pointer to mt_host_start, which reads
 * argc/argv from it, calls the program's `int main(int argc, char **argv)` and exits with its
 * return value. I/O and exit are raw Linux system calls; cycles come from the TSC.
 */
#include <stdint.h>
#include <stddef.h>
#include "board.h"

#if !defined(__x86_64__) || !defined(__linux__)
#error "boards/host is the Linux x86_64 port"
#endif

/* Linux x86_64 system call numbers. */
static const long MT_SYS_READ = 0;
static const long MT_SYS_WRITE = 1;
static const long MT_SYS_EXIT_GROUP = 231;

/* Linux error number for an interrupted system call (returned negated). */
static const long MT_EINTR = 4;

int main(int argc, char **argv);
void mt_host_start(long *initial_sp) __attribute__((noreturn, used));

/*
 * Process entry. The kernel leaves argc at (%rsp), then argv[0..argc-1], NULL, envp..., NULL.
 * Clear the frame pointer (end of the call chain), pass the initial stack pointer as the first
 * argument, align the stack to 16 bytes as the SysV ABI requires at a call, and call mt_host_start.
 */
__asm__(
    ".text\n"
    ".globl _start\n"
    ".type _start, @function\n"
    "_start:\n"
    "  xorl %ebp, %ebp\n"
    "  movq %rsp, %rdi\n"
    "  andq $-16, %rsp\n"
    "  call mt_host_start\n"
    "  hlt\n"
    ".size _start, . - _start\n");

/* A Linux system call with three arguments; returns the raw result (negative errno on error). */
static long mt_syscall3(long number, long a1, long a2, long a3) {
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(number), "D"(a1), "S"(a2), "d"(a3)
                   : "rcx", "r11", "memory");
  return ret;
}

/* C entry called by _start: argc/argv from the initial stack, then main, then exit. */
void mt_host_start(long *initial_sp) {
  int argc = (int)initial_sp[0];
  char **argv = (char **)(initial_sp + 1);
  mt_board_init();
  mt_board_exit(main(argc, argv));
}

/* Nothing to set up on the host (SSE is always on for x86_64 processes). */
void mt_board_init(void) {
}

/* Reads up to n bytes from stdin (fd 0), retrying when interrupted by a signal. */
int32_t mt_board_read(void *buf, int32_t n) {
  long ret;
  if (buf == NULL || n < 0) {
    return -1;
  }
  if (n == 0) {
    return 0;
  }
  do {
    ret = mt_syscall3(MT_SYS_READ, 0, (long)buf, (long)n);
  } while (ret == -MT_EINTR);
  return (ret < 0) ? -1 : (int32_t)ret;
}

/* Writes all n bytes to stdout (fd 1), looping over partial writes. */
int32_t mt_board_write(const void *buf, int32_t n) {
  const char *p = (const char *)buf;
  int32_t done = 0;
  if (n < 0 || (buf == NULL && n > 0)) {
    return -1;
  }
  while (done < n) {
    long ret = mt_syscall3(MT_SYS_WRITE, 1, (long)(p + done), (long)(n - done));
    if (ret == -MT_EINTR) {
      continue;
    }
    if (ret <= 0) {
      return -1;
    }
    done += (int32_t)ret;
  }
  return n;
}

/* Low 32 bits of the time-stamp counter (constant-rate TSC on current x86 processors). */
uint32_t mt_board_cycles(void) {
  uint32_t lo;
  uint32_t hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  (void)hi;
  return lo;
}

/* exit_group(code): ends every thread of the process. */
void mt_board_exit(int32_t code) {
  for (;;) {
    mt_syscall3(MT_SYS_EXIT_GROUP, (long)code, 0, 0);
  }
}
