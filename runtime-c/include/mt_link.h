/*
 * mcutrain runtime — frame codec for a byte-stream link (a UART, stdin/stdout, a socket).
 *
 * A frame on the wire:
 *   offset 0      0xA5                      sync byte 0
 *   offset 1      0x5A                      sync byte 1
 *   offset 2      type                      u8
 *   offset 3..4   length                    u16 little-endian, payload bytes (0..65535)
 *   offset 5..    payload                   length bytes
 *   then          CRC-32                    u32 little-endian, mt_crc32 (zlib CRC-32) over
 *                                           type, the two length bytes and the payload
 * Total: MT_FRAME_OVERHEAD + length bytes.
 *
 * The parser takes one byte at a time and stores the payload in a caller-provided buffer. It
 * reports MT_FRAME_BAD once for every loss of synchronisation: a bad CRC, a length above the
 * buffer's capacity, or stray bytes where a frame should start (one report for a whole run of
 * stray bytes; bytes discarded after a BAD while hunting for the next 0xA5 0x5A are not reported
 * again). It then resynchronises on the next 0xA5 0x5A.
 */
#ifndef MT_LINK_H
#define MT_LINK_H

#include <stdint.h>

#define MT_FRAME_SYNC0 0xA5u
#define MT_FRAME_SYNC1 0x5Au
/* Bytes around the payload: 2 sync + 1 type + 2 length + 4 CRC. */
#define MT_FRAME_OVERHEAD 9
#define MT_FRAME_MAX_PAYLOAD 65535

/* What mt_frame_feed reports. */
#define MT_FRAME_NONE 0 /* no complete frame yet */
#define MT_FRAME_OK 1   /* a frame is complete: parser->type, parser->length, payload in buf */
#define MT_FRAME_BAD (-1) /* a bad frame or stray bytes were dropped */

typedef struct {
  uint8_t *buf;      /* payload buffer (caller's) */
  int32_t capacity;  /* its size in bytes */
  uint8_t type;      /* type of the last OK frame (or the one being received) */
  int32_t length;    /* payload length of the last OK frame (or the one being received) */
  uint32_t frames_ok;  /* OK reports so far */
  uint32_t frames_bad; /* BAD reports so far */
  /* private */
  int32_t state;
  int32_t in_sync;
  int32_t got;
  uint32_t crc;
  uint32_t crc_rx;
} mt_frame_parser;

/* Prepares a parser that stores payloads in buf (capacity bytes, capacity >= 0). */
void mt_frame_init(mt_frame_parser *p, void *buf, int32_t capacity);

/* Feeds one received byte. Returns MT_FRAME_NONE, MT_FRAME_OK or MT_FRAME_BAD. After OK the
 * payload stays in the buffer until the next byte is fed. */
int32_t mt_frame_feed(mt_frame_parser *p, uint8_t byte);

/* Encodes one frame into out (cap bytes). Returns the frame size (MT_FRAME_OVERHEAD + n), or -1 if
 * it does not fit, n is outside 0..MT_FRAME_MAX_PAYLOAD, or a pointer is NULL (payload may be
 * NULL when n == 0). */
int32_t mt_frame_encode(uint8_t type, const void *payload, int32_t n, void *out, int32_t cap);

/* A byte sink such as mt_board_link_write: returns n on success. */
typedef int32_t (*mt_frame_write_fn)(const void *buf, int32_t n);

/* Writes one frame through write without a frame-sized buffer (header, payload, CRC in three
 * writes). Returns the frame size, or -1 on a bad argument or a failed write. */
int32_t mt_frame_send(mt_frame_write_fn write, uint8_t type, const void *payload, int32_t n);

#endif /* MT_LINK_H */
