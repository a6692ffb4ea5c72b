/*
 * Power-cut test of the two-slot state store (mt_store.h) on a simulated NOR flash: a save is
 * interrupted after every possible number of byte operations (erase and program), the device
 * "reboots", and the load must return exactly the previous state or exactly the new one — never
 * an error, never a torn state. Prints "N passed, N failed"; exits nonzero on failure.
 */
#include <stdint.h>
#include "board.h"
#include "mt_store.h"

#define SECTOR 512
#define PAYLOAD 300

static uint8_t flash[2 * SECTOR];
static int64_t budget; /* byte operations left before the power cut; -1 = unlimited */
static uint32_t noise = 12345u;
static int32_t g_passed;
static int32_t g_failed;

static void put(const char *s) {
  int32_t n = 0;
  while (s[n] != 0) {
    n++;
  }
  mt_board_write(s, n);
}

static void put_int(int64_t v) {
  char b[24];
  int32_t i = 24;
  uint64_t u = v < 0 ? (uint64_t)(-v) : (uint64_t)v;
  do {
    b[--i] = (char)('0' + (int32_t)(u % 10u));
    u /= 10u;
  } while (u != 0u);
  if (v < 0) {
    b[--i] = '-';
  }
  mt_board_write(b + i, 24 - i);
}

static void check(int ok, const char *what, int64_t k) {
  if (ok) {
    g_passed++;
  } else {
    g_failed++;
    put("FAIL ");
    put(what);
    put(" at cut ");
    put_int(k);
    put("\n");
  }
}

/* Consumes one byte operation; returns 0 once the power is gone. */
static int tick(void) {
  if (budget < 0) {
    return 1;
  }
  if (budget == 0) {
    return 0;
  }
  budget--;
  return 1;
}

static uint8_t next_noise(void) {
  noise = noise * 1103515245u + 12345u;
  return (uint8_t)(noise >> 16);
}

static int32_t sim_read(int32_t off, void *dst, int32_t n) {
  int32_t i;
  if (off < 0 || n < 0 || off + n > 2 * SECTOR) {
    return -1;
  }
  for (i = 0; i < n; i++) {
    ((uint8_t *)dst)[i] = flash[off + i];
  }
  return 0;
}

static int32_t sim_erase(int32_t sector) {
  int32_t i;
  if (sector < 0 || sector > 1) {
    return -1;
  }
  for (i = 0; i < SECTOR; i++) {
    if (!tick()) {
      flash[sector * SECTOR + i] |= next_noise(); /* a half-erased byte */
      return -1;
    }
    flash[sector * SECTOR + i] = 0xFF;
  }
  return 0;
}

static int32_t sim_program(int32_t off, const void *src, int32_t n) {
  int32_t i;
  if (off < 0 || n < 0 || off + n > 2 * SECTOR) {
    return -1;
  }
  for (i = 0; i < n; i++) {
    uint8_t v = ((const uint8_t *)src)[i];
    if (!tick()) {
      /* a torn program clears only some of the bits it should */
      flash[off + i] &= (uint8_t)(v | next_noise());
      return -1;
    }
    flash[off + i] &= v; /* NOR: programming only clears bits */
  }
  return 0;
}

static const mt_flash_ops ops = {SECTOR, sim_read, sim_erase, sim_program};

static void fill(uint8_t *p, uint8_t seed) {
  int32_t i;
  for (i = 0; i < PAYLOAD; i++) {
    p[i] = (uint8_t)(seed * 31 + i * 7);
  }
}

static int same(const uint8_t *a, const uint8_t *b, int32_t n) {
  int32_t i;
  for (i = 0; i < n; i++) {
    if (a[i] != b[i]) {
      return 0;
    }
  }
  return 1;
}

/* Saves `next` with a power cut after every k, starting from `image`; the load must give
 * `prev` or `next`, and a following full save must work. */
static void cut_everywhere(const uint8_t *image, const uint8_t *prev, int prev_valid,
                           const uint8_t *next) {
  int64_t k;
  uint8_t got[PAYLOAD];
  uint8_t later[PAYLOAD];
  int32_t n;
  fill(later, 99);
  for (k = 0; k <= 2 * SECTOR + PAYLOAD + MT_STORE_HEADER_BYTES; k++) {
    mt_status s;
    int32_t i;
    for (i = 0; i < 2 * SECTOR; i++) {
      flash[i] = image[i];
    }
    budget = k;
    (void)mt_store_save(&ops, next, PAYLOAD);
    budget = -1; /* reboot */
    s = mt_store_load(&ops, got, PAYLOAD, &n);
    if (prev_valid) {
      check(s == MT_OK && n == PAYLOAD && (same(got, prev, PAYLOAD) || same(got, next, PAYLOAD)),
            "load after a cut gives the old or the new state", k);
    } else {
      check(s == MT_ERR_CORRUPT || (s == MT_OK && n == PAYLOAD && same(got, next, PAYLOAD)),
            "first save: nothing or the new state", k);
    }
    check(mt_store_save(&ops, later, PAYLOAD) == MT_OK, "a full save after the cut works", k);
    check(mt_store_load(&ops, got, PAYLOAD, &n) == MT_OK && same(got, later, PAYLOAD),
          "the full save loads", k);
  }
}

int main(int argc, char **argv) {
  static uint8_t empty[2 * SECTOR];
  static uint8_t after_a[2 * SECTOR];
  static uint8_t after_b[2 * SECTOR];
  uint8_t a[PAYLOAD];
  uint8_t b[PAYLOAD];
  uint8_t c[PAYLOAD];
  uint8_t got[PAYLOAD];
  int32_t n;
  int32_t i;
  (void)argc;
  (void)argv;
  mt_board_init();
  fill(a, 1);
  fill(b, 2);
  fill(c, 3);
  budget = -1;
  for (i = 0; i < 2 * SECTOR; i++) {
    flash[i] = 0xFF;
    empty[i] = 0xFF;
  }
  check(mt_store_load(&ops, got, PAYLOAD, &n) == MT_ERR_CORRUPT, "empty flash has no state", 0);
  cut_everywhere(empty, a, 0, a);
  for (i = 0; i < 2 * SECTOR; i++) {
    flash[i] = 0xFF;
  }
  check(mt_store_save(&ops, a, PAYLOAD) == MT_OK, "save A", 0);
  for (i = 0; i < 2 * SECTOR; i++) {
    after_a[i] = flash[i];
  }
  cut_everywhere(after_a, a, 1, b);
  for (i = 0; i < 2 * SECTOR; i++) {
    flash[i] = after_a[i];
  }
  check(mt_store_save(&ops, b, PAYLOAD) == MT_OK, "save B", 0);
  for (i = 0; i < 2 * SECTOR; i++) {
    after_b[i] = flash[i];
  }
  cut_everywhere(after_b, b, 1, c);
  check(mt_store_load(&ops, got, 10, &n) == MT_ERR_SIZE, "too small a buffer", 0);
  check(mt_store_save(&ops, a, SECTOR) == MT_ERR_ARG, "payload larger than a slot", 0);
  check(mt_store_save(0, a, 1) == MT_ERR_ARG, "null flash", 0);
  put_int(g_passed);
  put(" passed, ");
  put_int(g_failed);
  put(" failed\n");
  return g_failed == 0 ? 0 : 1;
}
