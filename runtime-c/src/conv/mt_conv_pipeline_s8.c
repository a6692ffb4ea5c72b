/*
 * mcutrain runtime — a chain of int8 convolutions executed row by row (line buffering).
 *
 * Stage s > 0 owns a window: a run of consecutive rows [first, first + count) of stage s-1's
 * output, at most filter_h(s) rows. To compute output row r of stage s, the rows its taps
 * touch, [lo, hi) = [r*stride - pad, r*stride - pad + filter_h) clipped to the input, must be
 * in the window: rows below lo are dropped (the rest slide down) and missing rows are computed
 * by stage s-1, recursively. Rows are demanded in increasing order at every stage, so each row of
 * each stage is computed once. A row is computed by the ordinary kernel on a band view: input
 * dims {1, hi - lo, w, c} starting at row lo, with pad_h = lo - (r*stride - pad); taps outside the
 * band are exactly the taps outside the whole input, so every sum has the same terms.
 */
#include "mt_kernels.h"
#include "mt_support.h"

typedef struct {
  const mt_conv_stage *stages;
  int32_t count;
  const mt_dims *input_dims;
  const int8_t *input;
  int8_t *window[MT_PIPELINE_MAX_STAGES];
  int32_t first[MT_PIPELINE_MAX_STAGES];
  int32_t rows[MT_PIPELINE_MAX_STAGES];
} pipeline;

/* Dims of the input of stage s (the pipeline input, or stage s-1's output). */
static const mt_dims *stage_input_dims(const pipeline *p, int32_t s) {
  return s == 0 ? p->input_dims : p->stages[s - 1].output_dims;
}

static int32_t row_bytes(const mt_dims *d) {
  return d->w * d->c;
}

static int32_t align16(int32_t n) {
  return (n + 15) & ~15;
}

static mt_status compute_row(pipeline *p, int32_t s, int32_t r, int8_t *dst);

/* Makes the window of stage s (s > 0) hold rows [lo, hi) of stage s-1's output. */
static mt_status fill_window(pipeline *p, int32_t s, int32_t lo, int32_t hi) {
  const int32_t rb = row_bytes(stage_input_dims(p, s));
  int8_t *w = p->window[s];
  if (lo < p->first[s]) {
    return MT_ERR_ARG; /* rows are only ever demanded in increasing order */
  }
  if (lo > p->first[s]) {
    int32_t drop = lo - p->first[s];
    if (drop >= p->rows[s]) {
      p->rows[s] = 0;
    } else {
      p->rows[s] -= drop;
      __builtin_memmove(w, w + drop * rb, (size_t)(p->rows[s] * rb));
    }
    p->first[s] = lo;
  }
  while (p->first[s] + p->rows[s] < hi) {
    mt_status st = compute_row(p, s - 1, p->first[s] + p->rows[s], w + p->rows[s] * rb);
    if (st != MT_OK) {
      return st;
    }
    p->rows[s]++;
  }
  return MT_OK;
}

/* Computes output row r of stage s into dst. */
static mt_status compute_row(pipeline *p, int32_t s, int32_t r, int8_t *dst) {
  const mt_conv_stage *st = &p->stages[s];
  const mt_dims *in = stage_input_dims(p, s);
  const int32_t top = r * st->params->stride_h - st->params->pad_h;
  const int32_t lo = top > 0 ? top : 0;
  const int32_t end = top + st->filter_dims->h;
  const int32_t hi = end < in->h ? end : in->h;
  const int8_t *src;
  mt_conv_params params;
  mt_dims band;
  mt_dims out_row;
  mt_status status;
  if (hi <= lo) {
    return MT_ERR_ARG; /* a row of padding only */
  }
  if (s == 0) {
    src = p->input + lo * row_bytes(in);
  } else {
    status = fill_window(p, s, lo, hi);
    if (status != MT_OK) {
      return status;
    }
    src = p->window[s] + (lo - p->first[s]) * row_bytes(in);
  }
  params = *st->params;
  params.pad_h = lo - top;
  band.n = 1;
  band.h = hi - lo;
  band.w = in->w;
  band.c = in->c;
  out_row = *st->output_dims;
  out_row.h = 1;
  if (st->depthwise) {
    return mt_depthwise_conv2d_s8(&params, st->quant, &band, src, st->filter_dims, st->filter,
                                  st->bias, &out_row, dst);
  }
  return mt_conv2d_s8(&params, st->quant, &band, src, st->filter_dims, st->filter, st->bias,
                      &out_row, dst);
}

int32_t mt_conv_pipeline_scratch_bytes(const mt_conv_stage *stages, int32_t count,
                                       const mt_dims *input_dims) {
  int32_t s;
  int32_t total = 0;
  if (stages == NULL || input_dims == NULL || count < 1 || count > MT_PIPELINE_MAX_STAGES) {
    return -1;
  }
  for (s = 1; s < count; s++) {
    const mt_dims *in = stages[s - 1].output_dims;
    if (in == NULL || stages[s].filter_dims == NULL || mt_dims_count(in) < 0) {
      return -1;
    }
    total += align16(stages[s].filter_dims->h * row_bytes(in));
  }
  return total;
}

mt_status mt_conv_pipeline_s8(const mt_conv_stage *stages, int32_t count,
                              const mt_dims *input_dims, const int8_t *input,
                              int8_t *scratch, int32_t scratch_bytes, int8_t *output) {
  pipeline p;
  int32_t s;
  int32_t r;
  int32_t offset = 0;
  const mt_dims *out;
  const int32_t need = mt_conv_pipeline_scratch_bytes(stages, count, input_dims);
  if (need < 0 || input == NULL || output == NULL || (need > 0 && scratch == NULL)) {
    return MT_ERR_ARG;
  }
  if (need > scratch_bytes) {
    return MT_ERR_SIZE;
  }
  if (input_dims->n != 1 || mt_dims_count(input_dims) < 0) {
    return MT_ERR_ARG;
  }
  for (s = 0; s < count; s++) {
    if (stages[s].params == NULL || stages[s].output_dims == NULL ||
        stages[s].filter_dims == NULL || stages[s].output_dims->n != 1 ||
        stages[s].params->stride_h < 1) {
      return MT_ERR_ARG;
    }
  }
  p.stages = stages;
  p.count = count;
  p.input_dims = input_dims;
  p.input = input;
  for (s = 0; s < count; s++) {
    p.first[s] = 0;
    p.rows[s] = 0;
    p.window[s] = NULL;
    if (s > 0) {
      p.window[s] = scratch + offset;
      offset += align16(stages[s].filter_dims->h * row_bytes(stages[s - 1].output_dims));
    }
  }
  out = stages[count - 1].output_dims;
  for (r = 0; r < out->h; r++) {
    mt_status st = compute_row(&p, count - 1, r, output + r * row_bytes(out));
    if (st != MT_OK) {
      return st;
    }
  }
  return MT_OK;
}
