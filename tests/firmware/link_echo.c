/*
 * Serial link test: reads frames (mt_link.h) from the board's link and
 *   - echoes every valid frame back unchanged (same type and payload);
 *   - answers every BAD report of the parser with a frame of type 0xFF whose payload is the bad
 *     count so far (u32 little-endian);
 *   - on a frame of type 0x04 (BYE) replies type 0x84 with an empty payload, prints
 *     "link ok <valid frames> bad <bad reports>\n" on the console and exits with status 0.
 * Exits with status 2 if the link ends or fails first. Payloads above 256 bytes count as BAD.
 */
#include <stdint.h>
#include "board.h"
#include "mt_link.h"
#include "mt_state.h"

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

int main(int argc, char **argv) {
  static uint8_t payload[256];
  uint8_t chunk[64];
  mt_frame_parser parser;
  (void)argc;
  (void)argv;
  mt_board_init();
  mt_frame_init(&parser, payload, (int32_t)sizeof payload);
  for (;;) {
    int32_t n = mt_board_link_read(chunk, (int32_t)sizeof chunk);
    int32_t i;
    if (n <= 0) {
      put_str("link ended\n");
      return 2;
    }
    for (i = 0; i < n; i++) {
      int32_t r = mt_frame_feed(&parser, chunk[i]);
      if (r == MT_FRAME_OK) {
        if (parser.type == 0x04u) {
          mt_frame_send(mt_board_link_write, 0x84u, 0, 0);
          put_str("link ok ");
          put_dec(parser.frames_ok);
          put_str(" bad ");
          put_dec(parser.frames_bad);
          put_str("\n");
          return 0;
        }
        mt_frame_send(mt_board_link_write, parser.type, parser.buf, parser.length);
      } else if (r == MT_FRAME_BAD) {
        uint8_t count[4];
        mt_store_u32le(count, parser.frames_bad);
        mt_frame_send(mt_board_link_write, 0xFFu, count, 4);
      }
    }
  }
}
