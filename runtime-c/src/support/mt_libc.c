/*
 * mcutrain runtime — the few C library memory functions the compiler may call.
 *
 * clang emits calls to memcpy/memmove/memset (and, on ARM EABI targets, to the __aeabi_mem*
 * variants) for struct copies and large initializers even in freestanding code, and there is no
 * libc in a firmware or host-test image. These are plain byte loops: simple and obviously correct.
 * They must be compiled with -ffreestanding (implies -fno-builtin) so clang does not turn the loops
 * back into calls to themselves.
 */
#include <stddef.h>
#include <stdint.h>
#include "mt_kernels.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Copies n bytes from src to dst; the regions must not overlap. Returns dst. */
void *memcpy(void *dst, const void *src, size_t n) {
  uint8_t *d = (uint8_t *)dst;
  const uint8_t *s = (const uint8_t *)src;
  size_t i;
  for (i = 0; i < n; i++) {
    d[i] = s[i];
  }
  return dst;
}

/* Copies n bytes from src to dst; the regions may overlap. Returns dst. */
void *memmove(void *dst, const void *src, size_t n) {
  uint8_t *d = (uint8_t *)dst;
  const uint8_t *s = (const uint8_t *)src;
  size_t i;
  if ((uintptr_t)d < (uintptr_t)s) {
    for (i = 0; i < n; i++) {
      d[i] = s[i];
    }
  } else if ((uintptr_t)d > (uintptr_t)s) {
    for (i = n; i > 0; i--) {
      d[i - 1] = s[i - 1];
    }
  }
  return dst;
}

/* Sets n bytes at dst to (unsigned char)c. Returns dst. */
void *memset(void *dst, int c, size_t n) {
  uint8_t *d = (uint8_t *)dst;
  size_t i;
  for (i = 0; i < n; i++) {
    d[i] = (uint8_t)c;
  }
  return dst;
}

/* Compares n bytes as unsigned chars: <0, 0 or >0 as a is below, equal to or above b. */
int memcmp(const void *a, const void *b, size_t n) {
  const uint8_t *pa = (const uint8_t *)a;
  const uint8_t *pb = (const uint8_t *)b;
  size_t i;
  for (i = 0; i < n; i++) {
    if (pa[i] != pb[i]) {
      return (int)pa[i] - (int)pb[i];
    }
  }
  return 0;
}

/* Copies n bytes from src to dst (non-overlapping). Does nothing for null pointers or n <= 0. */
void mt_copy(void *dst, const void *src, int32_t n) {
  if (dst == NULL || src == NULL || n <= 0) {
    return;
  }
  memcpy(dst, src, (size_t)n);
}

#if defined(__ARM_EABI__)
/*
 * ARM run-time ABI memory helpers (RTABI §4.3.4). clang calls these on *-none-eabi targets.
 * The 4/8 variants only promise extra alignment, so they share the byte loops.
 * Note the argument order of __aeabi_memset: (dest, n, c).
 */
void __aeabi_memcpy(void *dst, const void *src, size_t n);
void __aeabi_memcpy4(void *dst, const void *src, size_t n);
void __aeabi_memcpy8(void *dst, const void *src, size_t n);
void __aeabi_memmove(void *dst, const void *src, size_t n);
void __aeabi_memmove4(void *dst, const void *src, size_t n);
void __aeabi_memmove8(void *dst, const void *src, size_t n);
void __aeabi_memset(void *dst, size_t n, int c);
void __aeabi_memset4(void *dst, size_t n, int c);
void __aeabi_memset8(void *dst, size_t n, int c);
void __aeabi_memclr(void *dst, size_t n);
void __aeabi_memclr4(void *dst, size_t n);
void __aeabi_memclr8(void *dst, size_t n);

/* memcpy, any alignment. */
void __aeabi_memcpy(void *dst, const void *src, size_t n) { memcpy(dst, src, n); }
/* memcpy, 4-byte aligned pointers. */
void __aeabi_memcpy4(void *dst, const void *src, size_t n) { memcpy(dst, src, n); }
/* memcpy, 8-byte aligned pointers. */
void __aeabi_memcpy8(void *dst, const void *src, size_t n) { memcpy(dst, src, n); }
/* memmove, any alignment. */
void __aeabi_memmove(void *dst, const void *src, size_t n) { memmove(dst, src, n); }
/* memmove, 4-byte aligned pointers. */
void __aeabi_memmove4(void *dst, const void *src, size_t n) { memmove(dst, src, n); }
/* memmove, 8-byte aligned pointers. */
void __aeabi_memmove8(void *dst, const void *src, size_t n) { memmove(dst, src, n); }
/* memset with the RTABI argument order (dest, n, c). */
void __aeabi_memset(void *dst, size_t n, int c) { memset(dst, c, n); }
/* memset, 4-byte aligned pointer. */
void __aeabi_memset4(void *dst, size_t n, int c) { memset(dst, c, n); }
/* memset, 8-byte aligned pointer. */
void __aeabi_memset8(void *dst, size_t n, int c) { memset(dst, c, n); }
/* Zero n bytes. */
void __aeabi_memclr(void *dst, size_t n) { memset(dst, 0, n); }
/* Zero n bytes, 4-byte aligned pointer. */
void __aeabi_memclr4(void *dst, size_t n) { memset(dst, 0, n); }
/* Zero n bytes, 8-byte aligned pointer. */
void __aeabi_memclr8(void *dst, size_t n) { memset(dst, 0, n); }
#endif
