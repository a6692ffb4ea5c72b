/*
 * mcutrain runtime — a power-safe store for the trainable state in two flash slots.
 *
 * Each slot is one erasable sector. A save writes the slot that does not hold the newest valid
 * state, in this order: erase; payload; header {magic "MTSS", sequence, length, CRC-32 of the
 * payload, CRC-32 of these four words}; finally a commit word. A slot is valid only if its commit
 * word, header CRC and payload CRC all check. Load picks the valid slot with the newest sequence
 * number. A power cut at any point of a save therefore leaves either the previous state or the
 * new one loadable, never a torn one.
 *
 * Flash semantics assumed (NOR): erase sets every byte of a sector to 0xFF; programming only
 * clears bits; an interrupted program leaves each affected byte somewhere between its old and its
 * new value. Programs are issued in whole 4-byte words at word-aligned offsets (the payload's
 * last partial word is padded with 0xFF); reads may have any length.
 */
#ifndef MT_STORE_H
#define MT_STORE_H

#include <stdint.h>
#include "mt_types.h"

/* The board's flash, as offsets into the two-sector state area. */
typedef struct {
  int32_t sector_size;
  int32_t (*read)(int32_t offset, void *dst, int32_t n);          /* negative on error */
  int32_t (*erase)(int32_t sector);                               /* negative on error */
  int32_t (*program)(int32_t offset, const void *src, int32_t n); /* negative on error */
} mt_flash_ops;

/* Bytes of slot overhead (header and commit word) before the payload. */
#define MT_STORE_HEADER_BYTES 24

/* Saves `n` bytes. Returns MT_OK, MT_ERR_ARG (bad arguments or a payload larger than a slot
 * minus MT_STORE_HEADER_BYTES) or MT_ERR_CORRUPT (the flash reported an error). */
mt_status mt_store_save(const mt_flash_ops *flash, const void *data, int32_t n);

/* Loads the newest valid state into dst (capacity `cap`), its size into *n. Returns MT_OK,
 * MT_ERR_CORRUPT when no slot holds a valid state, MT_ERR_SIZE when it does not fit in cap. */
mt_status mt_store_load(const mt_flash_ops *flash, void *dst, int32_t cap, int32_t *n);

#endif /* MT_STORE_H */
