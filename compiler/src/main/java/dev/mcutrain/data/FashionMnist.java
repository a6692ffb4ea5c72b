package dev.mcutrain.data;

import com.google.common.collect.ImmutableList;
import dev.mcutrain.McuTrainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST (Zalando; 28x28 gray, 10 classes, 60,000 training and 10,000 test images) as
 * Debian's package {@code dataset-fashion-mnist} installs it, in IDX files, gzipped or not.
 */
public final class FashionMnist {
  /** Where the Debian package puts the files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  public static final ImmutableList<String> CLASSES = ImmutableList.of("T-shirt/top", "Trouser",
      "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private FashionMnist() {}

  /** The split {@code t10k} (test) or {@code train} from {@code dir}. */
  public static LabeledImages load(Path dir, boolean train) {
    if (!Files.isDirectory(dir)) {
      throw new McuTrainException("Fashion-MNIST not found in " + dir + ": install it with "
          + "'sudo apt-get install dataset-fashion-mnist' (or pass fashion-mnist:DIR)");
    }
    String prefix = train ? "train" : "t10k";
    Idx.Data images = Idx.read(find(dir, prefix + "-images-idx3-ubyte"), 3);
    Idx.Data labels = Idx.read(find(dir, prefix + "-labels-idx1-ubyte"), 1);
    int n = images.dims()[0];
    if (labels.dims()[0] != n) {
      throw new McuTrainException(dir + ": " + n + " " + prefix + " images but "
          + labels.dims()[0] + " labels");
    }
    int h = images.dims()[1];
    int w = images.dims()[2];
    List<Image> list = new ArrayList<>(n);
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      byte[] px = new byte[h * w];
      System.arraycopy(images.bytes(), i * h * w, px, 0, px.length);
      list.add(new Image(h, w, 1, px));
      y[i] = labels.bytes()[i] & 0xff;
      if (y[i] >= CLASSES.size()) {
        throw new McuTrainException(dir + ": " + prefix + " label " + y[i] + " at index " + i
            + " is not a Fashion-MNIST class (0-9)");
      }
    }
    return new LabeledImages(ImmutableList.copyOf(list), y, CLASSES);
  }

  private static Path find(Path dir, String base) {
    Path gz = dir.resolve(base + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    Path plain = dir.resolve(base);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    throw new McuTrainException("Fashion-MNIST in " + dir + " lacks " + base + "(.gz): "
        + "reinstall it with 'sudo apt-get install --reinstall dataset-fashion-mnist'");
  }
}
