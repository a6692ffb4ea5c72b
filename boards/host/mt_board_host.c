/*
 * mcutrain boards — freestanding Linux x86_64 port (no libc).
 *
 * _start (below, in assembly) passes the initial stack pointer to mt_host_start, which reads
 * argc/argv from it, calls the program's `int main(int argc, char **argv)` and exits with its
 * return value. I/O and exit are raw Linux system calls; cycles come from the TSC.
 *
 * Flash (the training-state store) is emulated in RAM: two 256 KB sectors, erased (0xFF) at start.
 * If the environment variable MT_BOARD_FLASH_FILE names a file, the area is loaded from it at start
 * (missing or short file: the rest stays erased) and every erase/program writes the changed range
 * back, so the state survives the process like real flash survives a reset.
 */
#include <stdint.h>
#include <stddef.h>
#include "board.h"
#include "common/mt_flash_args.h"

#if !defined(__x86_64__) || !defined(__linux__)
#error "boards/host is the Linux x86_64 port"
#endif

/* Linux x86_64 system call numbers. */
static const long MT_SYS_READ = 0;
static const long MT_SYS_WRITE = 1;
static const long MT_SYS_OPEN = 2;
static const long MT_SYS_PREAD64 = 17;
static const long MT_SYS_PWRITE64 = 18;
static const long MT_SYS_EXIT_GROUP = 231;

/* Linux error number for an interrupted system call (returned negated). */
static const long MT_EINTR = 4;

/* open(2) flags and mode for the flash file: O_RDWR | O_CREAT, 0644. */
static const long MT_O_RDWR_CREAT = 02 | 0100;
static const long MT_FILE_MODE = 0644;

/* The emulated flash: two sectors of 256 KB (the STM32F746's state sectors). */
#define MT_HOST_FLASH_SECTOR ((int32_t)256 * 1024)
#define MT_HOST_FLASH_SIZE (2 * MT_HOST_FLASH_SECTOR)
static uint8_t mt_host_flash[MT_HOST_FLASH_SIZE];
static int mt_host_flash_ready;
static long mt_host_flash_fd = -1;
static char **mt_host_envp;

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

/* A Linux system call with four arguments (the fourth goes in r10). */
static long mt_syscall4(long number, long a1, long a2, long a3, long a4) {
  long ret;
  register long r10 __asm__("r10") = a4;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(number), "D"(a1), "S"(a2), "d"(a3), "r"(r10)
                   : "rcx", "r11", "memory");
  return ret;
}

/* C entry called by _start: argc/argv from the initial stack, then main, then exit. */
void mt_host_start(long *initial_sp) {
  int argc = (int)initial_sp[0];
  char **argv = (char **)(initial_sp + 1);
  mt_host_envp = argv + argc + 1;
  mt_board_init();
  mt_board_exit(main(argc, argv));
}

/* Value of environment variable `name`, or NULL. */
static const char *mt_host_getenv(const char *name) {
  char **e;
  if (mt_host_envp == NULL) {
    return NULL;
  }
  for (e = mt_host_envp; *e != NULL; e++) {
    const char *a = *e;
    const char *b = name;
    while (*b != '\0' && *a == *b) {
      a++;
      b++;
    }
    if (*b == '\0' && *a == '=') {
      return a + 1;
    }
  }
  return NULL;
}

/* Erases the emulated flash, then loads MT_BOARD_FLASH_FILE over it if that is set. */
static void mt_host_flash_init(void) {
  const char *path;
  int32_t i;
  long done = 0;
  for (i = 0; i < MT_HOST_FLASH_SIZE; i++) {
    mt_host_flash[i] = (uint8_t)MT_BOARD_FLASH_ERASED;
  }
  path = mt_host_getenv("MT_BOARD_FLASH_FILE");
  if (path == NULL || *path == '\0') {
    return;
  }
  mt_host_flash_fd = mt_syscall3(MT_SYS_OPEN, (long)path, MT_O_RDWR_CREAT, MT_FILE_MODE);
  if (mt_host_flash_fd < 0) {
    mt_host_flash_fd = -1;
    return;
  }
  while (done < MT_HOST_FLASH_SIZE) {
    long ret = mt_syscall4(MT_SYS_PREAD64, mt_host_flash_fd, (long)(mt_host_flash + done),
                           (long)(MT_HOST_FLASH_SIZE - done), done);
    if (ret == -MT_EINTR) {
      continue;
    }
    if (ret <= 0) {
      break;
    }
    done += ret;
  }
}

/* Writes [offset, offset + n) of the emulated flash back to the file, if there is one. */
static int32_t mt_host_flash_sync(int32_t offset, int32_t n) {
  long done = 0;
  if (mt_host_flash_fd < 0) {
    return 0;
  }
  while (done < n) {
    long ret = mt_syscall4(MT_SYS_PWRITE64, mt_host_flash_fd, (long)(mt_host_flash + offset + done),
                           (long)(n - done), (long)offset + done);
    if (ret == -MT_EINTR) {
      continue;
    }
    if (ret <= 0) {
      return -1;
    }
    done += ret;
  }
  return 0;
}

/* Prepares the emulated flash once (SSE is always on for x86_64 processes). */
void mt_board_init(void) {
  if (!mt_host_flash_ready) {
    mt_host_flash_ready = 1;
    mt_host_flash_init();
  }
}

int32_t mt_board_flash_size(void) {
  return MT_HOST_FLASH_SIZE;
}

int32_t mt_board_flash_sector_size(void) {
  return MT_HOST_FLASH_SECTOR;
}

int32_t mt_board_flash_read(int32_t offset, void *dst, int32_t n) {
  uint8_t *d = (uint8_t *)dst;
  int32_t i;
  if (dst == NULL || !mt_flash_range_ok(offset, n, MT_HOST_FLASH_SIZE)) {
    return -1;
  }
  mt_board_init();
  for (i = 0; i < n; i++) {
    d[i] = mt_host_flash[offset + i];
  }
  return n;
}

int32_t mt_board_flash_erase(int32_t sector) {
  int32_t i;
  int32_t base;
  if (sector < 0 || sector >= MT_BOARD_FLASH_SECTORS) {
    return -1;
  }
  mt_board_init();
  base = sector * MT_HOST_FLASH_SECTOR;
  for (i = 0; i < MT_HOST_FLASH_SECTOR; i++) {
    mt_host_flash[base + i] = (uint8_t)MT_BOARD_FLASH_ERASED;
  }
  return mt_host_flash_sync(base, MT_HOST_FLASH_SECTOR);
}

/* NOR semantics: programming clears bits only (stored = old & new). */
int32_t mt_board_flash_program(int32_t offset, const void *src, int32_t n) {
  const uint8_t *s = (const uint8_t *)src;
  int32_t i;
  if (src == NULL || !mt_flash_range_ok(offset, n, MT_HOST_FLASH_SIZE) ||
      !mt_flash_word_aligned(offset, n)) {
    return -1;
  }
  mt_board_init();
  for (i = 0; i < n; i++) {
    mt_host_flash[offset + i] = (uint8_t)(mt_host_flash[offset + i] & s[i]);
  }
  return mt_host_flash_sync(offset, n) < 0 ? -1 : n;
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

/* The link is the console on the host: stdin and stdout. */
int32_t mt_board_link_read(void *buf, int32_t n) {
  return mt_board_read(buf, n);
}

int32_t mt_board_link_write(const void *buf, int32_t n) {
  return mt_board_write(buf, n);
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
