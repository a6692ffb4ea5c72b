/*
 * mcutrain runtime — power-safe two-slot state store (see mt_store.h for the protocol).
 */
#include "mt_store.h"
#include "mt_state.h"

#define MT_STORE_MAGIC 0x5353544Du  /* "MTSS" little-endian */
#define MT_STORE_COMMIT 0x4B43544Du /* "MTCK" little-endian */

/* Slot layout: [0] magic, [4] sequence, [8] length, [12] payload CRC, [16] header CRC,
 * [20] commit word, [24..] payload. */
typedef struct {
  uint32_t sequence;
  uint32_t length;
  int valid;
} slot_info;

static int32_t slot_base(const mt_flash_ops *f, int32_t slot) {
  return slot * f->sector_size;
}

/* CRC of the payload, read from flash in small chunks (no large buffer). */
static int32_t payload_crc(const mt_flash_ops *f, int32_t offset, uint32_t length,
                           uint32_t *crc) {
  uint8_t chunk[64];
  uint32_t done = 0;
  uint32_t c = 0;
  while (done < length) {
    uint32_t k = length - done < (uint32_t)sizeof(chunk) ? length - done : (uint32_t)sizeof(chunk);
    if (f->read(offset + (int32_t)done, chunk, (int32_t)k) < 0) {
      return -1;
    }
    c = mt_crc32(c, chunk, (int32_t)k);
    done += k;
  }
  *crc = c;
  return 0;
}

static slot_info inspect(const mt_flash_ops *f, int32_t slot) {
  slot_info s;
  uint8_t h[MT_STORE_HEADER_BYTES];
  uint32_t crc;
  int32_t base = slot_base(f, slot);
  s.sequence = 0;
  s.length = 0;
  s.valid = 0;
  if (f->read(base, h, MT_STORE_HEADER_BYTES) < 0) {
    return s;
  }
  if (mt_load_u32le(h + 20) != MT_STORE_COMMIT || mt_load_u32le(h) != MT_STORE_MAGIC) {
    return s;
  }
  if (mt_crc32(0u, h, 16) != mt_load_u32le(h + 16)) {
    return s;
  }
  s.sequence = mt_load_u32le(h + 4);
  s.length = mt_load_u32le(h + 8);
  if (s.length > (uint32_t)(f->sector_size - MT_STORE_HEADER_BYTES)) {
    return s;
  }
  if (payload_crc(f, base + MT_STORE_HEADER_BYTES, s.length, &crc) != 0 ||
      crc != mt_load_u32le(h + 12)) {
    return s;
  }
  s.valid = 1;
  return s;
}

/* a is newer than b (sequence numbers compared with wrap-around). */
static int newer(uint32_t a, uint32_t b) {
  return (int32_t)(a - b) > 0;
}

static int32_t newest(const mt_flash_ops *f, slot_info *out) {
  slot_info a = inspect(f, 0);
  slot_info b = inspect(f, 1);
  if (a.valid && (!b.valid || newer(a.sequence, b.sequence))) {
    *out = a;
    return 0;
  }
  if (b.valid) {
    *out = b;
    return 1;
  }
  return -1;
}

/* Programs n bytes at a word-aligned offset in whole words (flash programs words): the last
 * partial word is padded with 0xFF, which programming leaves erased. */
static int32_t program_padded(const mt_flash_ops *f, int32_t offset, const uint8_t *data,
                              int32_t n) {
  int32_t whole = n & ~3;
  uint8_t tail[4];
  int32_t i;
  if (whole > 0 && f->program(offset, data, whole) < 0) {
    return -1;
  }
  if (whole == n) {
    return 0;
  }
  for (i = 0; i < 4; i++) {
    tail[i] = whole + i < n ? data[whole + i] : 0xFF;
  }
  return f->program(offset + whole, tail, 4) < 0 ? -1 : 0;
}

mt_status mt_store_save(const mt_flash_ops *flash, const void *data, int32_t n) {
  slot_info cur;
  int32_t target;
  int32_t base;
  uint32_t sequence = 1u;
  uint8_t h[MT_STORE_HEADER_BYTES];
  if (flash == 0 || data == 0 || n < 0 || flash->sector_size <= MT_STORE_HEADER_BYTES ||
      n > ((flash->sector_size - MT_STORE_HEADER_BYTES) & ~3)) {
    return MT_ERR_ARG;
  }
  target = 0;
  {
    int32_t slot = newest(flash, &cur);
    if (slot >= 0) {
      target = 1 - slot;
      sequence = cur.sequence + 1u;
    }
  }
  base = slot_base(flash, target);
  if (flash->erase(target) < 0) {
    return MT_ERR_CORRUPT;
  }
  if (program_padded(flash, base + MT_STORE_HEADER_BYTES, (const uint8_t *)data, n) != 0) {
    return MT_ERR_CORRUPT;
  }
  mt_store_u32le(h, MT_STORE_MAGIC);
  mt_store_u32le(h + 4, sequence);
  mt_store_u32le(h + 8, (uint32_t)n);
  mt_store_u32le(h + 12, mt_crc32(0u, data, n));
  mt_store_u32le(h + 16, mt_crc32(0u, h, 16));
  if (flash->program(base, h, 20) < 0) {
    return MT_ERR_CORRUPT;
  }
  mt_store_u32le(h + 20, MT_STORE_COMMIT);
  if (flash->program(base + 20, h + 20, 4) < 0) {
    return MT_ERR_CORRUPT;
  }
  return MT_OK;
}

mt_status mt_store_load(const mt_flash_ops *flash, void *dst, int32_t cap, int32_t *n) {
  slot_info s;
  int32_t slot;
  if (flash == 0 || dst == 0 || n == 0 || cap < 0) {
    return MT_ERR_ARG;
  }
  slot = newest(flash, &s);
  if (slot < 0) {
    return MT_ERR_CORRUPT;
  }
  if (s.length > (uint32_t)cap) {
    return MT_ERR_SIZE;
  }
  if (flash->read(slot_base(flash, slot) + MT_STORE_HEADER_BYTES, dst, (int32_t)s.length) < 0) {
    return MT_ERR_CORRUPT;
  }
  *n = (int32_t)s.length;
  return MT_OK;
}
