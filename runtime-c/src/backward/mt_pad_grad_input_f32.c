/*
 * mcutrain runtime — PAD input gradient, fp32. Java twin: BackwardKernels.padGradInput.
 */
#include "mt_backward.h"
#include "mt_support.h"

/* dx += the interior of g (offset by p->before on every axis), in n, h, w, c order. */
mt_status mt_pad_grad_input_f32(const mt_pad_params *p, const mt_dims *in_dims,
                                const mt_dims *out_dims, const float *g, float *dx) {
  int32_t in_d[4], out_d[4];
  int32_t k, n, h, w, c;
  if (p == NULL || g == NULL || dx == NULL || mt_dims_count(in_dims) < 0 ||
      mt_dims_count(out_dims) < 0) {
    return MT_ERR_ARG;
  }
  in_d[0] = in_dims->n;
  in_d[1] = in_dims->h;
  in_d[2] = in_dims->w;
  in_d[3] = in_dims->c;
  out_d[0] = out_dims->n;
  out_d[1] = out_dims->h;
  out_d[2] = out_dims->w;
  out_d[3] = out_dims->c;
  for (k = 0; k < 4; k++) {
    if (p->before[k] < 0 || p->before[k] > out_d[k] - in_d[k]) {
      return MT_ERR_ARG;
    }
  }
  for (n = 0; n < in_d[0]; n++) {
    for (h = 0; h < in_d[1]; h++) {
      for (w = 0; w < in_d[2]; w++) {
        float *dxp = dx + ((n * in_d[1] + h) * in_d[2] + w) * in_d[3];
        const float *gp =
            g + (((n + p->before[0]) * out_d[1] + h + p->before[1]) * out_d[2] + w +
                 p->before[2]) * out_d[3] + p->before[3];
        for (c = 0; c < in_d[3]; c++) {
          dxp[c] += gp[c];
        }
      }
    }
  }
  return MT_OK;
}
