/*
 * mcutrain runtime — clamp masks of int8 outputs applied to fp32 gradients (byte and 1-bit
 * forms). Java twin: BackwardKernels.mask / applyMask.
 */
#include "mt_backward.h"
#include "mt_support.h"

mt_status mt_mask_grad_f32(const int8_t *y, int32_t n, int32_t act_min, int32_t act_max,
                           const float *dy, float *g) {
  int32_t i;
  if (y == NULL || dy == NULL || g == NULL || n < 0 || !mt_act_range_valid(act_min, act_max)) {
    return MT_ERR_ARG;
  }
  for (i = 0; i < n; i++) {
    const int32_t q = y[i];
    g[i] = (q > act_min && q < act_max) ? dy[i] : 0.0f;
  }
  return MT_OK;
}

mt_status mt_mask_pack(const int8_t *y, int32_t n, int32_t act_min, int32_t act_max,
                       uint8_t *bits) {
  int32_t i;
  uint32_t byte = 0u;
  if (y == NULL || bits == NULL || n < 0 || !mt_act_range_valid(act_min, act_max)) {
    return MT_ERR_ARG;
  }
  for (i = 0; i < n; i++) {
    const int32_t q = y[i];
    if (q > act_min && q < act_max) {
      byte |= 1u << (i & 7);
    }
    if ((i & 7) == 7) {
      bits[i >> 3] = (uint8_t)byte;
      byte = 0u;
    }
  }
  if ((n & 7) != 0) {
    bits[n >> 3] = (uint8_t)byte;
  }
  return MT_OK;
}

/*
 * g[i] = bit i of bits ? dy[i] : +0, for i ascending (g may be dy). A byte at a time: all 8 bits
 * set copies (nothing to do in place), none set writes zeros, in place only the cleared bits are
 * written.
 */
mt_status mt_mask_grad_bits_f32(const uint8_t *bits, int32_t n, const float *dy, float *g) {
  int32_t i, j;
  if (bits == NULL || dy == NULL || g == NULL || n < 0) {
    return MT_ERR_ARG;
  }
  for (i = 0; i + 8 <= n; i += 8) {
    const uint32_t byte = bits[i >> 3];
    if (byte == 0xFFu) {
      if (g != dy) {
        for (j = 0; j < 8; j++) {
          g[i + j] = dy[i + j];
        }
      }
    } else if (byte == 0u) {
      for (j = 0; j < 8; j++) {
        g[i + j] = 0.0f;
      }
    } else if (g == dy) {
      for (j = 0; j < 8; j++) {
        if (((byte >> j) & 1u) == 0u) {
          g[i + j] = 0.0f;
        }
      }
    } else {
      for (j = 0; j < 8; j++) {
        g[i + j] = ((byte >> j) & 1u) != 0u ? dy[i + j] : 0.0f;
      }
    }
  }
  for (; i < n; i++) {
    g[i] = (((uint32_t)bits[i >> 3] >> (i & 7)) & 1u) != 0u ? dy[i] : 0.0f;
  }
  return MT_OK;
}
