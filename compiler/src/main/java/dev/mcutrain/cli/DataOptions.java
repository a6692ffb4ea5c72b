package dev.mcutrain.cli;

import dev.mcutrain.data.ClassRange;
import dev.mcutrain.data.DataSpec;
import picocli.CommandLine.Option;

/** The dataset flags shared by {@code pretrain} and {@code simulate}. */
final class DataOptions {
  @Option(names = "--data", required = true, paramLabel = "SPEC",
      description = "fashion-mnist (Debian's dataset-fashion-mnist), fashion-mnist:DIR, "
          + "images:DIR (one subfolder of images per class), raw:DIR (samples.bin/labels.bin), "
          + "or a folder")
  String data;

  @Option(names = "--classes-from", paramLabel = "A-B",
      description = "use only these classes of the data, relabelled from 0 (e.g. 5-9)")
  String classesFrom;

  @Option(names = "--train-limit", paramLabel = "N", defaultValue = "0",
      description = "use at most N training samples (seeded random choice; default: all)")
  int trainLimit;

  @Option(names = "--test-limit", paramLabel = "N", defaultValue = "0",
      description = "use at most N test samples (default: all)")
  int testLimit;

  @Option(names = "--test-fraction", paramLabel = "F", defaultValue = "0.2",
      description = "share of an image folder held out for testing (default: ${DEFAULT-VALUE})")
  double testFraction;

  DataSpec spec() {
    return DataSpec.parse(data);
  }

  DataSpec.Options options(int seed) {
    ClassRange range = null;
    if (classesFrom != null) {
      try {
        range = ClassRange.parse(classesFrom);
      } catch (dev.mcutrain.McuTrainException e) {
        throw new dev.mcutrain.McuTrainException("--classes-from: " + e.getMessage());
      }
    }
    return new DataSpec.Options(range, seed, trainLimit, testLimit, testFraction);
  }
}
