package dev.mcutrain.data;

import com.google.common.collect.ImmutableList;
import dev.mcutrain.McuTrainException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A folder with one subfolder of images per class: class names are the subfolder names in sorted
 * order, labels their indices. PNG, BMP, JPEG and GIF are decoded by {@code javax.imageio}, PGM
 * (P2 and P5) by {@link Pgm}; other files and hidden entries are ignored.
 */
public final class ImageFolder {
  private ImageFolder() {}

  public static LabeledImages read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new McuTrainException(dir + ": no such folder");
    }
    List<Path> classes = list(dir).stream()
        .filter(p -> Files.isDirectory(p) && !p.getFileName().toString().startsWith("."))
        .sorted().toList();
    if (classes.isEmpty()) {
      throw new McuTrainException(dir + ": no class subfolders (expected one folder of images "
          + "per class)");
    }
    if (classes.size() < 2) {
      throw new McuTrainException(dir + ": only one class (" + classes.get(0).getFileName()
          + "); training a classifier needs at least two classes");
    }
    List<Image> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int c = 0; c < classes.size(); c++) {
      Path cd = classes.get(c);
      names.add(cd.getFileName().toString());
      List<Path> files = list(cd).stream().filter(ImageFolder::isImage).sorted().toList();
      if (files.isEmpty()) {
        throw new McuTrainException(cd + ": class '" + cd.getFileName() + "' has no images "
            + "(PNG, BMP, JPEG, GIF or PGM)");
      }
      for (Path f : files) {
        images.add(decode(f));
        labels.add(c);
      }
    }
    return new LabeledImages(ImmutableList.copyOf(images),
        labels.stream().mapToInt(Integer::intValue).toArray(), ImmutableList.copyOf(names));
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    } catch (IOException e) {
      throw new McuTrainException(dir + ": cannot list (" + e.getMessage() + ")");
    }
  }

  static boolean isImage(Path p) {
    String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
    return !n.startsWith(".") && Files.isRegularFile(p) && (n.endsWith(".png")
        || n.endsWith(".bmp") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".gif")
        || n.endsWith(".pgm"));
  }

  /** Decodes one image file into 8-bit gray (gray sources) or RGB (everything else). */
  public static Image decode(Path f) {
    if (f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pgm")) {
      return Pgm.read(f);
    }
    BufferedImage bi;
    try {
      bi = ImageIO.read(f.toFile());
    } catch (IOException | RuntimeException e) {
      throw new McuTrainException(f + ": cannot decode the image (" + e.getMessage() + ")");
    }
    if (bi == null) {
      throw new McuTrainException(f + ": cannot decode the image (not a supported format)");
    }
    int h = bi.getHeight();
    int w = bi.getWidth();
    if ((long) h * w > 64L << 20) {
      throw new McuTrainException(f + ": image too large (" + w + "x" + h + ")");
    }
    boolean gray = bi.getType() == BufferedImage.TYPE_BYTE_GRAY
        || bi.getColorModel().getNumColorComponents() == 1;
    int ch = gray ? 1 : 3;
    byte[] px = new byte[h * w * ch];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (gray) {
          px[y * w + x] = (byte) bi.getRaster().getSample(x, y, 0);
        } else {
          int rgb = bi.getRGB(x, y);
          int o = (y * w + x) * 3;
          px[o] = (byte) (rgb >> 16);
          px[o + 1] = (byte) (rgb >> 8);
          px[o + 2] = (byte) rgb;
        }
      }
    }
    return new Image(h, w, ch, px);
  }
}
