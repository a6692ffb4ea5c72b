/*
 * mcutrain runtime — frame codec (see mt_link.h for the format).
 */
#include <stddef.h>
#include "mt_link.h"
#include "mt_state.h"

enum {
  MT_FS_HUNT = 0, /* waiting for sync byte 0 */
  MT_FS_SYNC1,    /* got 0xA5, waiting for 0x5A */
  MT_FS_TYPE,
  MT_FS_LEN0,
  MT_FS_LEN1,
  MT_FS_PAYLOAD,
  MT_FS_CRC
};

void mt_frame_init(mt_frame_parser *p, void *buf, int32_t capacity) {
  if (p == NULL) {
    return;
  }
  p->buf = (uint8_t *)buf;
  p->capacity = (buf == NULL || capacity < 0) ? 0 : capacity;
  p->type = 0;
  p->length = 0;
  p->frames_ok = 0;
  p->frames_bad = 0;
  p->state = MT_FS_HUNT;
  p->in_sync = 1;
  p->got = 0;
  p->crc = 0;
  p->crc_rx = 0;
}

/* Drops the frame in progress: BAD, hunt for the next sync silently. */
static int32_t mt_frame_bad(mt_frame_parser *p) {
  p->state = MT_FS_HUNT;
  p->in_sync = 0;
  p->frames_bad++;
  return MT_FRAME_BAD;
}

/* A byte that cannot start a frame: BAD once per run of stray bytes after a good frame. */
static int32_t mt_frame_stray(mt_frame_parser *p, uint8_t byte) {
  p->state = (byte == MT_FRAME_SYNC0) ? MT_FS_SYNC1 : MT_FS_HUNT;
  if (p->in_sync) {
    p->in_sync = 0;
    p->frames_bad++;
    return MT_FRAME_BAD;
  }
  return MT_FRAME_NONE;
}

static void mt_frame_crc_byte(mt_frame_parser *p, uint8_t byte) {
  p->crc = mt_crc32(p->crc, &byte, 1);
}

int32_t mt_frame_feed(mt_frame_parser *p, uint8_t byte) {
  if (p == NULL) {
    return MT_FRAME_NONE;
  }
  switch (p->state) {
    case MT_FS_HUNT:
      if (byte == MT_FRAME_SYNC0) {
        p->state = MT_FS_SYNC1;
        return MT_FRAME_NONE;
      }
      return mt_frame_stray(p, byte);
    case MT_FS_SYNC1:
      if (byte == MT_FRAME_SYNC1) {
        p->state = MT_FS_TYPE;
        p->crc = 0;
        return MT_FRAME_NONE;
      }
      return mt_frame_stray(p, byte);
    case MT_FS_TYPE:
      p->type = byte;
      mt_frame_crc_byte(p, byte);
      p->state = MT_FS_LEN0;
      return MT_FRAME_NONE;
    case MT_FS_LEN0:
      p->length = byte;
      mt_frame_crc_byte(p, byte);
      p->state = MT_FS_LEN1;
      return MT_FRAME_NONE;
    case MT_FS_LEN1:
      p->length |= (int32_t)byte << 8;
      mt_frame_crc_byte(p, byte);
      if (p->length > p->capacity) {
        return mt_frame_bad(p);
      }
      p->got = 0;
      p->crc_rx = 0;
      p->state = (p->length == 0) ? MT_FS_CRC : MT_FS_PAYLOAD;
      return MT_FRAME_NONE;
    case MT_FS_PAYLOAD:
      p->buf[p->got++] = byte;
      if (p->got == p->length) {
        p->crc = mt_crc32(p->crc, p->buf, p->length);
        p->got = 0;
        p->state = MT_FS_CRC;
      }
      return MT_FRAME_NONE;
    case MT_FS_CRC:
      p->crc_rx |= (uint32_t)byte << (8 * p->got);
      p->got++;
      if (p->got < 4) {
        return MT_FRAME_NONE;
      }
      if (p->crc_rx != p->crc) {
        return mt_frame_bad(p);
      }
      p->state = MT_FS_HUNT;
      p->in_sync = 1;
      p->frames_ok++;
      return MT_FRAME_OK;
    default:
      return mt_frame_bad(p);
  }
}

/* The 5 header bytes and the CRC of type + length + payload. */
static uint32_t mt_frame_header(uint8_t type, const void *payload, int32_t n, uint8_t *h) {
  h[0] = (uint8_t)MT_FRAME_SYNC0;
  h[1] = (uint8_t)MT_FRAME_SYNC1;
  h[2] = type;
  h[3] = (uint8_t)(n & 0xFF);
  h[4] = (uint8_t)((n >> 8) & 0xFF);
  return mt_crc32(mt_crc32(0, h + 2, 3), payload, n);
}

int32_t mt_frame_encode(uint8_t type, const void *payload, int32_t n, void *out, int32_t cap) {
  uint8_t *o = (uint8_t *)out;
  const uint8_t *src = (const uint8_t *)payload;
  uint32_t crc;
  int32_t i;
  if (out == NULL || n < 0 || n > MT_FRAME_MAX_PAYLOAD || (payload == NULL && n > 0) ||
      cap < MT_FRAME_OVERHEAD || n > cap - MT_FRAME_OVERHEAD) {
    return -1;
  }
  crc = mt_frame_header(type, payload, n, o);
  for (i = 0; i < n; i++) {
    o[5 + i] = src[i];
  }
  mt_store_u32le(o + 5 + n, crc);
  return MT_FRAME_OVERHEAD + n;
}

int32_t mt_frame_send(mt_frame_write_fn write, uint8_t type, const void *payload, int32_t n) {
  uint8_t head[5];
  uint8_t tail[4];
  uint32_t crc;
  if (write == NULL || n < 0 || n > MT_FRAME_MAX_PAYLOAD || (payload == NULL && n > 0)) {
    return -1;
  }
  crc = mt_frame_header(type, payload, n, head);
  mt_store_u32le(tail, crc);
  if (write(head, 5) != 5) {
    return -1;
  }
  if (n > 0 && write(payload, n) != n) {
    return -1;
  }
  if (write(tail, 4) != 4) {
    return -1;
  }
  return MT_FRAME_OVERHEAD + n;
}
