/*
 * Probe for mt_depthwise_conv2d_s8 (dev.mcutrain.runtime.DepthwiseKernelTest); protocol in
 * probe_conv.h.
 */
#include "probe_conv.h"

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return probe_conv_main(1);
}
