/*
 * mcutrain runtime — FULLY_CONNECTED input gradient, fp32.
 * Java twin: BackwardKernels.fullyConnectedGradInput.
 */
#include "mt_backward.h"

/*
 * The contract: for b, u (skipping g == 0), for d: dx[b,d] += g[b,u] * (s_w[u] * (float) w[u,d]),
 * so each dx element receives its terms by u ascending. Filter rows are [u][depth]; with a split,
 * inputs d < split come from slice rows [u][split].
 */

/*
 * Per batch row, the units with g != 0 are listed FC_CHUNK at a time with their gradient and
 * scale (the others only have skipped terms); then 8 dx elements at a time accumulate in
 * registers over the list, i.e. over u in ascending order, starting from the dx values. Every
 * listed term is one the reference adds, so this needs no guard.
 */
#define FC_CHUNK 64

typedef struct {
  float g, s;
  int32_t u;
} fc_entry;

/* dx[d .. d + width - 1] (width 8 or 1, a constant at each call) over the listed units. */
static inline void fc_block(const fc_entry *e, int32_t n, const int8_t *base, int32_t stride,
                           int32_t d, float *dxp, const int32_t width) {
  float a[8];
  int32_t k, i;
  for (i = 0; i < width; i++) {
    a[i] = dxp[d + i];
  }
  for (k = 0; k < n; k++) {
    const int8_t *wp = base + e[k].u * stride + d;
    const float gv = e[k].g;
    const float s = e[k].s;
    for (i = 0; i < width; i++) {
      const float wr = s * (float)wp[i];
      a[i] += gv * wr;
    }
  }
  for (i = 0; i < width; i++) {
    dxp[d + i] = a[i];
  }
}

/* The inputs [d0, d1) of one batch row, all from one weight source, over the list e. */
static void fc_range(const fc_entry *e, int32_t n, const int8_t *base, int32_t stride,
                     int32_t d0, int32_t d1, float *dxp) {
  int32_t d = d0;
  for (; d + 8 <= d1; d += 8) {
    fc_block(e, n, base, stride, d, dxp, 8);
  }
  for (; d < d1; d++) {
    fc_block(e, n, base, stride, d, dxp, 1);
  }
}

static void rows(int32_t batches, int32_t depth, int32_t units, const float *w_scale,
                      int32_t per_channel, const int8_t *filter, const int8_t *slice,
                      int32_t split, const float *g, float *dx) {
  fc_entry e[FC_CHUNK];
  int32_t b, u0, u, n;
  for (b = 0; b < batches; b++) {
    const float *gb = g + b * units;
    float *dxp = dx + b * depth;
    for (u0 = 0; u0 < units; u0 += FC_CHUNK) {
      const int32_t u1 = units - u0 < FC_CHUNK ? units : u0 + FC_CHUNK;
      n = 0;
      for (u = u0; u < u1; u++) {
        if (gb[u] != 0.0f) {
          e[n].g = gb[u];
          e[n].s = w_scale[per_channel != 0 ? u : 0];
          e[n].u = u;
          n++;
        }
      }
      if (n > 0) {
        fc_range(e, n, slice, split, 0, split, dxp);
        fc_range(e, n, filter, depth, split, depth, dxp);
      }
    }
  }
}

static mt_status grad_input(int32_t batches, int32_t depth, int32_t units, const float *w_scale,
                            int32_t per_channel, const int8_t *filter, const int8_t *slice,
                            int32_t split, const float *g, float *dx) {
  if (w_scale == NULL || filter == NULL || g == NULL || dx == NULL || batches < 1 || depth < 1 ||
      split < 0 || split > depth || (split > 0 && slice == NULL) ||
      units < 1 || units > INT32_MAX / depth || batches > INT32_MAX / depth ||
      batches > INT32_MAX / units) {
    return MT_ERR_ARG;
  }
  rows(batches, depth, units, w_scale, per_channel, filter, slice, split, g, dx);
  return MT_OK;
}

mt_status mt_fully_connected_grad_input_f32(int32_t batches, int32_t depth, int32_t units,
                                            const float *w_scale, int32_t per_channel,
                                            const int8_t *filter, const float *g, float *dx) {
  return grad_input(batches, depth, units, w_scale, per_channel, filter, filter, 0, g, dx);
}

mt_status mt_fully_connected_grad_input_split_f32(int32_t batches, int32_t depth, int32_t units,
                                                  const float *w_scale, int32_t per_channel,
                                                  const int8_t *filter, const int8_t *slice,
                                                  int32_t split, const float *g, float *dx) {
  return grad_input(batches, depth, units, w_scale, per_channel, filter, slice, split, g, dx);
}
