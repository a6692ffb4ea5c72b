/*
 * mcutrain runtime — ADD input gradient of one operand (broadcast sum), fp32.
 * Java twin: BackwardKernels.addGradInput.
 */
#include "mt_backward.h"
#include "mt_support.h"

/* for n, h, w, c over the output: dx[broadcast index] += g[i++] */
mt_status mt_add_grad_input_f32(const mt_dims *in_dims, const mt_dims *out_dims, const float *g,
                                float *dx) {
  int32_t n, h, w, c;
  int32_t sn, sh, sw, sc; /* input strides, 0 along a broadcast axis */
  int32_t i = 0;
  if (g == NULL || dx == NULL || mt_dims_count(in_dims) < 0 || mt_dims_count(out_dims) < 0) {
    return MT_ERR_ARG;
  }
  if ((in_dims->n != out_dims->n && in_dims->n != 1) ||
      (in_dims->h != out_dims->h && in_dims->h != 1) ||
      (in_dims->w != out_dims->w && in_dims->w != 1) ||
      (in_dims->c != out_dims->c && in_dims->c != 1)) {
    return MT_ERR_ARG;
  }
  if (in_dims->n == out_dims->n && in_dims->h == out_dims->h && in_dims->w == out_dims->w &&
      in_dims->c == out_dims->c) {
    const int32_t count = mt_dims_count(out_dims);
    for (i = 0; i < count; i++) {
      dx[i] += g[i]; /* no broadcast: element by element, in order */
    }
    return MT_OK;
  }
  sc = in_dims->c == 1 ? 0 : 1;
  sw = in_dims->w == 1 ? 0 : in_dims->c;
  sh = in_dims->h == 1 ? 0 : in_dims->w * in_dims->c;
  sn = in_dims->n == 1 ? 0 : in_dims->h * in_dims->w * in_dims->c;
  for (n = 0; n < out_dims->n; n++) {
    for (h = 0; h < out_dims->h; h++) {
      for (w = 0; w < out_dims->w; w++) {
        float *dxp = dx + n * sn + h * sh + w * sw;
        for (c = 0; c < out_dims->c; c++) {
          dxp[c * sc] += g[i++];
        }
      }
    }
  }
  return MT_OK;
}
