/*
 * mcutrain runtime — integrity of exported training state.
 */
#ifndef MT_STATE_H
#define MT_STATE_H

#include <stdint.h>

/*
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) of n bytes, continuing from `crc`
 * (pass 0 to start). Same values as zlib's crc32 and java.util.zip.CRC32. Bitwise, no table.
 */
uint32_t mt_crc32(uint32_t crc, const void *data, int32_t n);

/* Little-endian 32-bit load and store on byte buffers of any alignment. */
uint32_t mt_load_u32le(const uint8_t *p);
void mt_store_u32le(uint8_t *p, uint32_t v);

#endif /* MT_STATE_H */
