/*
 * Byte-level plumbing shared by the probes (probe_mt_*.c): blocking reads and writes through the
 * board's stdin/stdout, little-endian 32-bit words and float bit patterns. Header-only (static
 * inline), so each probe still builds from its one .c file.
 */
#ifndef PROBE_IO_H
#define PROBE_IO_H

#include <stdint.h>
#include <stddef.h>
#include "board.h"
#include "mt_math.h"

/* Float bit patterns: mt_math.h's helpers under the probes' short names. */
static inline float as_float(uint32_t u) {
  return mt_f32_from_bits(u);
}

static inline uint32_t float_bits(float f) {
  return mt_f32_to_bits(f);
}

/* Reads up to n bytes; returns how many arrived before end of input. */
static inline int32_t read_full(uint8_t *buf, int32_t n) {
  int32_t got = 0;
  while (got < n) {
    int32_t r = mt_board_read(buf + got, n - got);
    if (r <= 0) {
      return got;
    }
    got += r;
  }
  return got;
}

/* 1 when all n bytes were written, else 0. */
static inline int32_t write_full(const uint8_t *buf, int32_t n) {
  return mt_board_write(buf, n) == n ? 1 : 0;
}

static inline uint32_t get_u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline void put_u32(uint8_t *p, uint32_t u) {
  p[0] = (uint8_t)u;
  p[1] = (uint8_t)(u >> 8);
  p[2] = (uint8_t)(u >> 16);
  p[3] = (uint8_t)(u >> 24);
}

#endif
