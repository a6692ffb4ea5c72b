package dev.mcutrain.data;

import dev.mcutrain.McuTrainException;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * A labeled image folder: one subfolder per class, named after the class, holding that class's
 * images.
 *
 * <pre>
 *   DIR/cat/001.png
 *   DIR/cat/002.jpg
 *   DIR/dog/a.pgm
 * </pre>
 *
 * Classes are the subfolders sorted by name (Java string order); a class's label is its index in
 * that order, and images within a class are read in name order. Images are PNG, BMP, JPEG
 * ({@code .jpg}, {@code .jpeg}) and GIF through javax.imageio and PGM ({@code .pgm}, P2 and P5)
 * through a small parser; the extension decides, case-insensitively. Other files, hidden files and
 * folders (names starting with a dot) and anything nested deeper are ignored. Each image is kept
 * as decoded, at its own size: grayscale images (including palettes whose colors are all gray)
 * as 1 channel, everything else as 3-channel RGB; alpha is dropped; samples deeper than 8 bits
 * are rounded to 8.
 */
public final class ImageFolder {
  /** The image file extensions read, lower case. */
  public static final Set<String> EXTENSIONS = Set.of("png", "bmp", "jpg", "jpeg", "gif", "pgm");

  private ImageFolder() {}

  /**
   * Reads every class subfolder of {@code dir}.
   *
   * @throws McuTrainException if the folder is missing, has fewer than two class subfolders, a
   *     class has no images, or an image cannot be decoded (naming the file), or the decoded
   *     images would not fit in memory
   */
  public static LabeledImages read(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new McuTrainException(dir + ": no such image folder");
    }
    List<Path> classDirs = list(dir).stream().filter(Files::isDirectory).toList();
    if (classDirs.isEmpty()) {
      throw new McuTrainException(dir + ": no class subfolders (an image folder has one "
          + "subfolder of images per class, e.g. " + dir.resolve("cat") + "/1.png)");
    }
    if (classDirs.size() == 1) {
      throw new McuTrainException(dir + ": only one class subfolder ("
          + classDirs.get(0).getFileName() + "); training needs at least two classes");
    }
    List<String> names = new ArrayList<>();
    List<Image> images = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    long bytes = 0;
    for (int c = 0; c < classDirs.size(); c++) {
      Path classDir = classDirs.get(c);
      names.add(classDir.getFileName().toString());
      List<Path> files = list(classDir).stream()
          .filter(p -> isImageName(p) && Files.isRegularFile(p)).toList();
      if (files.isEmpty()) {
        throw new McuTrainException(classDir + ": class '" + classDir.getFileName()
            + "' has no images (" + String.join(", ", sorted(EXTENSIONS)) + ")");
      }
      for (Path f : files) {
        Image im = readImage(f);
        bytes += im.pixels().length + 64L;
        DataLimits.checkHeap(bytes, dir + ": the decoded images",
            "use smaller images or fewer of them");
        images.add(im);
        labels.add(c);
      }
    }
    return new LabeledImages(images, labels.stream().mapToInt(Integer::intValue).toArray(),
        names);
  }

  /** Whether {@code dir} has at least one non-hidden subfolder holding an image file. */
  public static boolean looksLike(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    for (Path sub : list(dir)) {
      if (Files.isDirectory(sub) && list(sub).stream().anyMatch(ImageFolder::isImageName)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Decodes one image file (PNG, BMP, JPEG, GIF or PGM, chosen by its contents; PGM by its
   * extension or its {@code P2}/{@code P5} magic).
   *
   * @throws McuTrainException naming the file if it is missing, unreadable, corrupt or too large
   */
  public static Image readImage(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new McuTrainException(file + ": no such image file");
    }
    try {
      if (extension(file).equals("pgm")) {
        long size = Files.size(file);
        if (size > DataLimits.MAX_IMAGE_PIXELS * 2 + 4096) {
          throw new McuTrainException(file + ": too large for a PGM image ("
              + DataLimits.mb(size) + ")");
        }
        return Pgm.decode(file, Files.readAllBytes(file));
      }
      return decodeWithImageIo(file);
    } catch (IOException e) {
      throw new McuTrainException(file + ": cannot read or decode the image (" + e.getMessage()
          + ")");
    } catch (McuTrainException e) {
      throw e;
    } catch (RuntimeException e) { // decoders throw these for some malformed files
      throw new McuTrainException(file + ": corrupt image (" + e + ")");
    }
  }

  private static Image decodeWithImageIo(Path file) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      if (in == null) {
        throw new McuTrainException(file + ": cannot open the image");
      }
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new McuTrainException(file + ": not a PNG, BMP, JPEG or GIF image (unrecognized "
            + "contents)");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        int w = reader.getWidth(0);
        int h = reader.getHeight(0);
        if (w <= 0 || h <= 0 || (long) w * h > DataLimits.MAX_IMAGE_PIXELS) {
          throw new McuTrainException(file + ": image size " + w + "x" + h
              + " is empty or too large (at most " + DataLimits.count(DataLimits.MAX_IMAGE_PIXELS)
              + " pixels)");
        }
        return fromBuffered(reader.read(0));
      } finally {
        reader.dispose();
      }
    }
  }

  /**
   * Converts a decoded image to 8-bit gray or RGB. Gray rasters are read directly (not through
   * {@code getRGB}, which would apply a gamma conversion to linear-gray images).
   */
  static Image fromBuffered(BufferedImage bi) {
    int w = bi.getWidth();
    int h = bi.getHeight();
    ColorModel cm = bi.getColorModel();
    Raster r = bi.getRaster();
    if (cm instanceof IndexColorModel icm) {
      boolean gray = true;
      for (int i = 0; i < icm.getMapSize() && gray; i++) {
        gray = icm.getRed(i) == icm.getGreen(i) && icm.getGreen(i) == icm.getBlue(i);
      }
      byte[] px = new byte[w * h * (gray ? 1 : 3)];
      int k = 0;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int idx = r.getSample(x, y, 0);
          px[k++] = (byte) icm.getRed(idx);
          if (!gray) {
            px[k++] = (byte) icm.getGreen(idx);
            px[k++] = (byte) icm.getBlue(idx);
          }
        }
      }
      return new Image(h, w, gray ? 1 : 3, px);
    }
    if (cm.getNumColorComponents() == 1) {
      int bits = r.getSampleModel().getSampleSize(0);
      long max = (1L << bits) - 1;
      byte[] px = new byte[w * h];
      int k = 0;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          long v = r.getSample(x, y, 0) & max;
          px[k++] = (byte) (bits == 8 ? v : (v * 255 + max / 2) / max);
        }
      }
      return new Image(h, w, 1, px);
    }
    byte[] px = new byte[w * h * 3];
    int k = 0;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int argb = bi.getRGB(x, y);
        px[k++] = (byte) (argb >> 16);
        px[k++] = (byte) (argb >> 8);
        px[k++] = (byte) argb;
      }
    }
    return new Image(h, w, 3, px);
  }

  /** Non-hidden entries of {@code dir}, sorted by file name. */
  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
          .toList();
    } catch (IOException e) {
      throw new McuTrainException(dir + ": cannot list the folder (" + e.getMessage() + ")");
    }
  }

  private static boolean isImageName(Path p) {
    String name = p.getFileName().toString();
    return !name.startsWith(".") && EXTENSIONS.contains(extension(p));
  }

  private static String extension(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().map(e -> "." + e).toList();
  }
}
