/*
 * serial-finetune — fine-tunes a compiled model with samples a host program sends over the
 * board's serial link (mt_board_link_read/_write), framed with runtime-c's frame codec
 * (mt_link.h: 0xA5 0x5A, type u8, length u16 LE, payload, CRC-32 u32 LE). Runs on every board:
 * the host (stdin/stdout), QEMU's mps2-an500 (UART0), the STM32 boards (the console USART).
 *
 * Requests (host -> device) and replies (device -> host); all integers little-endian, floats as
 * their IEEE-754 bits:
 *   0x01 SAMPLE  label u8, MT_MODEL_INPUT_SIZE input bytes (int8)
 *                -> 0x81  loss bits u32, samples trained so far u32
 *   0x02 INFER   MT_MODEL_INPUT_SIZE input bytes
 *                -> 0x82  argmax u8, MT_MODEL_CLASSES logits (f32 bits u32 each)
 *   0x03 STATS   (empty)
 *                -> 0x83  trained u32, rejected frames u32, wrong-size samples u32, bad labels u32
 *   0x04 BYE     (empty)
 *                -> 0x84  (empty), then the program exits with status 0
 * Errors: 0xFF with one code byte: 1 a frame failed its CRC or sync (counted as rejected),
 * 2 a SAMPLE or INFER payload of the wrong size (counted as wrong-size), 3 a label >=
 * MT_MODEL_CLASSES (counted as bad label), 4 an unknown type, 5 the model reported an error.
 * If the link ends (host stdin closed) the program exits with status 1.
 *
 * The build generates mt_model.h (generic names for the compiled model); any other generated
 * file (such as selftest data) may be linked in and is not used.
 */
#include <stdint.h>
#include "board.h"
#include "mt_link.h"
#include "mt_model.h"
#include "mt_state.h"

#define SF_SAMPLE 0x01u
#define SF_INFER 0x02u
#define SF_STATS 0x03u
#define SF_BYE 0x04u
#define SF_REPLY 0x80u
#define SF_ERROR 0xFFu

#define SF_ERR_FRAME 1u
#define SF_ERR_SIZE 2u
#define SF_ERR_LABEL 3u
#define SF_ERR_TYPE 4u
#define SF_ERR_MODEL 5u

/* The largest request: a SAMPLE (label + input). Room for a few more bytes so that oversize
 * samples are still received whole and answered with code 2 rather than a framing error. */
#define SF_PAYLOAD_CAPACITY (1 + MT_MODEL_INPUT_SIZE + 16)

static uint8_t sf_payload[SF_PAYLOAD_CAPACITY];
static uint8_t sf_reply[1 + 4 * MT_MODEL_CLASSES + 16];
static float sf_logits[MT_MODEL_CLASSES];

static uint32_t sf_trained;
static uint32_t sf_rejected;
static uint32_t sf_wrong_size;
static uint32_t sf_bad_labels;

static uint32_t float_bits(float f) {
  union {
    float f;
    uint32_t u;
  } x;
  x.f = f;
  return x.u;
}

static void reply(uint8_t type, const uint8_t *payload, int32_t n) {
  mt_frame_send(mt_board_link_write, type, payload, n);
}

static void reply_error(uint8_t code) {
  reply((uint8_t)SF_ERROR, &code, 1);
}

static void on_sample(const uint8_t *p, int32_t n) {
  float loss;
  if (n != 1 + (int32_t)MT_MODEL_INPUT_SIZE) {
    sf_wrong_size++;
    reply_error(SF_ERR_SIZE);
    return;
  }
  if ((uint32_t)p[0] >= (uint32_t)MT_MODEL_CLASSES) {
    sf_bad_labels++;
    reply_error(SF_ERR_LABEL);
    return;
  }
  loss = MT_MODEL_TRAIN_STEP((const int8_t *)(p + 1), (int32_t)p[0]);
  if (!(loss >= 0.0f)) {
    reply_error(SF_ERR_MODEL);
    return;
  }
  sf_trained++;
  mt_store_u32le(sf_reply, float_bits(loss));
  mt_store_u32le(sf_reply + 4, sf_trained);
  reply((uint8_t)(SF_REPLY | SF_SAMPLE), sf_reply, 8);
}

static void on_infer(const uint8_t *p, int32_t n) {
  int32_t i;
  int32_t best = 0;
  if (n != (int32_t)MT_MODEL_INPUT_SIZE) {
    sf_wrong_size++;
    reply_error(SF_ERR_SIZE);
    return;
  }
  if (MT_MODEL_INFER((const int8_t *)p, sf_logits) != 0) {
    reply_error(SF_ERR_MODEL);
    return;
  }
  for (i = 0; i < (int32_t)MT_MODEL_CLASSES; i++) {
    if (sf_logits[i] > sf_logits[best]) {
      best = i;
    }
    mt_store_u32le(sf_reply + 1 + 4 * i, float_bits(sf_logits[i]));
  }
  sf_reply[0] = (uint8_t)best;
  reply((uint8_t)(SF_REPLY | SF_INFER), sf_reply, 1 + 4 * (int32_t)MT_MODEL_CLASSES);
}

static void on_stats(void) {
  mt_store_u32le(sf_reply, sf_trained);
  mt_store_u32le(sf_reply + 4, sf_rejected);
  mt_store_u32le(sf_reply + 8, sf_wrong_size);
  mt_store_u32le(sf_reply + 12, sf_bad_labels);
  reply((uint8_t)(SF_REPLY | SF_STATS), sf_reply, 16);
}

int main(int argc, char **argv) {
  mt_frame_parser parser;
  uint8_t chunk[64];
  (void)argc;
  (void)argv;
  mt_board_init();
  MT_MODEL_INIT();
  mt_frame_init(&parser, sf_payload, (int32_t)sizeof sf_payload);
  for (;;) {
    int32_t n = mt_board_link_read(chunk, (int32_t)sizeof chunk);
    int32_t i;
    if (n <= 0) {
      return 1;
    }
    for (i = 0; i < n; i++) {
      int32_t r = mt_frame_feed(&parser, chunk[i]);
      if (r == MT_FRAME_BAD) {
        sf_rejected++;
        reply_error(SF_ERR_FRAME);
      } else if (r == MT_FRAME_OK) {
        switch (parser.type) {
          case SF_SAMPLE:
            on_sample(parser.buf, parser.length);
            break;
          case SF_INFER:
            on_infer(parser.buf, parser.length);
            break;
          case SF_STATS:
            on_stats();
            break;
          case SF_BYE:
            reply((uint8_t)(SF_REPLY | SF_BYE), 0, 0);
            return 0;
          default:
            reply_error(SF_ERR_TYPE);
            break;
        }
      }
    }
  }
}
