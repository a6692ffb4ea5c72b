/* Probe for mt_conv2d_s8 (dev.mcutrain.runtime.Conv2dKernelTest); protocol in probe_conv.h. */
#include "probe_conv.h"

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  return probe_conv_main(0);
}
