/*
 * Frame codec test (host): feeds stdin byte by byte into an mt_frame_parser whose payload
 * capacity is argv[1] (decimal, at most 1024; default 1024) and prints one line per event:
 *   OK <type, 2 hex digits> <length> <the frame re-encoded with mt_frame_encode, hex>
 *   BAD
 * then "ok <frames_ok> bad <frames_bad>". Exit status 0, or 1 on an encoder failure.
 */
#include <stdint.h>
#include "board.h"
#include "mt_link.h"

static void put_str(const char *s) {
  int32_t n = 0;
  while (s[n] != 0) {
    n++;
  }
  mt_board_write(s, n);
}

static void put_dec(uint32_t v) {
  char buf[10];
  int32_t i = 10;
  do {
    buf[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v != 0u);
  mt_board_write(buf + i, 10 - i);
}

static void put_hex(const uint8_t *p, int32_t n) {
  static const char digits[] = "0123456789abcdef";
  char two[2];
  int32_t i;
  for (i = 0; i < n; i++) {
    two[0] = digits[p[i] >> 4];
    two[1] = digits[p[i] & 15u];
    mt_board_write(two, 2);
  }
}

int main(int argc, char **argv) {
  static uint8_t payload[1024];
  static uint8_t encoded[1024 + MT_FRAME_OVERHEAD];
  uint8_t chunk[256];
  int32_t capacity = 1024;
  mt_frame_parser parser;
  int32_t n;
  if (argc > 1) {
    const char *s = argv[1];
    capacity = 0;
    while (*s >= '0' && *s <= '9' && capacity <= 1024) {
      capacity = capacity * 10 + (*s - '0');
      s++;
    }
    if (capacity > 1024) {
      capacity = 1024;
    }
  }
  mt_frame_init(&parser, payload, capacity);
  while ((n = mt_board_read(chunk, (int32_t)sizeof chunk)) > 0) {
    int32_t i;
    for (i = 0; i < n; i++) {
      int32_t r = mt_frame_feed(&parser, chunk[i]);
      if (r == MT_FRAME_OK) {
        int32_t size = mt_frame_encode(parser.type, parser.buf, parser.length, encoded,
                                       (int32_t)sizeof encoded);
        if (size != MT_FRAME_OVERHEAD + parser.length) {
          put_str("encode failed\n");
          return 1;
        }
        put_str("OK ");
        put_hex(&parser.type, 1);
        put_str(" ");
        put_dec((uint32_t)parser.length);
        put_str(" ");
        put_hex(encoded, size);
        put_str("\n");
      } else if (r == MT_FRAME_BAD) {
        put_str("BAD\n");
      }
    }
  }
  put_str("ok ");
  put_dec(parser.frames_ok);
  put_str(" bad ");
  put_dec(parser.frames_bad);
  put_str("\n");
  if (mt_frame_encode(1, payload, 10, encoded, MT_FRAME_OVERHEAD + 9) != -1 ||
      mt_frame_encode(1, 0, 0, encoded, MT_FRAME_OVERHEAD) != MT_FRAME_OVERHEAD) {
    put_str("encode bounds wrong\n");
    return 1;
  }
  return 0;
}
