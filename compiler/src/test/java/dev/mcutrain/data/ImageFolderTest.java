package dev.mcutrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.McuTrainException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderTest {
  @TempDir Path tmp;

  static void png(Path f, int w, int h, int type, int rgb) throws IOException {
    BufferedImage im = new BufferedImage(w, h, type);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (type == BufferedImage.TYPE_BYTE_GRAY) {
          im.getRaster().setSample(x, y, 0, rgb & 0xff); // setRGB would apply a gamma
        } else {
          im.setRGB(x, y, rgb);
        }
      }
    }
    Files.createDirectories(f.getParent());
    ImageIO.write(im, f.toString().endsWith(".bmp") ? "bmp" : f.toString().endsWith(".jpg")
        ? "jpg" : "png", f.toFile());
  }

  private String error(Path dir) {
    return assertThrows(McuTrainException.class, () -> ImageFolder.read(dir)).getMessage();
  }

  @Test
  void readsClassesInNameOrderWithEveryFormat() throws IOException {
    png(tmp.resolve("b_cat/1.png"), 4, 3, BufferedImage.TYPE_INT_RGB, 0x102030);
    png(tmp.resolve("b_cat/2.bmp"), 5, 5, BufferedImage.TYPE_INT_RGB, 0xFFFFFF);
    png(tmp.resolve("b_cat/3.jpg"), 8, 8, BufferedImage.TYPE_INT_RGB, 0x808080);
    png(tmp.resolve("a_dog/1.png"), 2, 2, BufferedImage.TYPE_BYTE_GRAY, 0x404040);
    Files.writeString(tmp.resolve("a_dog/2.pgm"), "P2\n# comment\n2 1\n15\n0 15\n",
        StandardCharsets.US_ASCII);
    byte[] p5 = "P5 1 2 255\n".getBytes(StandardCharsets.US_ASCII);
    byte[] f = new byte[p5.length + 2];
    System.arraycopy(p5, 0, f, 0, p5.length);
    f[p5.length] = 7;
    f[p5.length + 1] = (byte) 200;
    Files.write(tmp.resolve("a_dog/3.pgm"), f);
    Files.writeString(tmp.resolve("a_dog/notes.txt"), "ignored");
    Files.createDirectories(tmp.resolve(".hidden"));
    LabeledImages d = ImageFolder.read(tmp);
    assertEquals(java.util.List.of("a_dog", "b_cat"), d.classNames());
    assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1}, d.labels());
    Image gray = d.images().get(0);
    assertEquals(1, gray.channels());
    assertEquals(0x40, gray.at(0, 0, 0));
    assertArrayEquals(new byte[] {0, (byte) 255}, d.images().get(1).pixels());
    assertArrayEquals(new byte[] {7, (byte) 200}, d.images().get(2).pixels());
    Image rgb = d.images().get(3);
    assertEquals(3, rgb.channels());
    assertEquals(0x10, rgb.at(0, 0, 0));
    assertEquals(0x30, rgb.at(2, 3, 2));
  }

  @Test
  void badFoldersAreOneLineErrors() throws IOException {
    assertTrue(error(tmp.resolve("missing")).contains("no such folder"));
    assertTrue(error(tmp).contains("no class subfolders"));
    png(tmp.resolve("only/1.png"), 2, 2, BufferedImage.TYPE_INT_RGB, 0);
    assertTrue(error(tmp).contains("only one class"));
    Files.createDirectories(tmp.resolve("zempty"));
    assertTrue(error(tmp).contains("class 'zempty' has no images"));
    Files.writeString(tmp.resolve("zempty/broken.png"), "not a png");
    String m = error(tmp);
    assertTrue(m.contains("broken.png") && m.contains("cannot decode"), m);
    Files.delete(tmp.resolve("zempty/broken.png"));
    Files.writeString(tmp.resolve("zempty/bad.pgm"), "P2 2 2 255 1 2 3");
    assertTrue(error(tmp).contains("truncated PGM"));
    Files.writeString(tmp.resolve("zempty/bad.pgm"), "P2 2 1 15 1 99");
    assertTrue(error(tmp).contains("above maxval"));
    Files.writeString(tmp.resolve("zempty/bad.pgm"), "P7 2 1 15 1 9");
    assertTrue(error(tmp).contains("not a PGM"));
  }

  @Test
  void subsetsShufflesAndSplitsAreDeterministic() throws IOException {
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 10; i++) {
        png(tmp.resolve("c" + c + "/" + i + ".png"), 2, 2, BufferedImage.TYPE_BYTE_GRAY,
            (c * 10 + i) * 0x010101);
      }
    }
    LabeledImages d = ImageFolder.read(tmp);
    LabeledImages sub = d.subset(ClassRange.parse("1-2"));
    assertEquals(20, sub.size());
    assertEquals(java.util.List.of("c1", "c2"), sub.classNames());
    assertEquals(0, sub.labels()[0]);
    assertArrayEquals(d.shuffled(3).labels(), d.shuffled(3).labels());
    assertNotEquals(java.util.Arrays.toString(d.shuffled(3).labels()),
        java.util.Arrays.toString(d.shuffled(4).labels()));
    LabeledImages[] parts = d.split(0.2, 1);
    assertEquals(24, parts[0].size());
    assertEquals(6, parts[1].size());
    int[] perClass = new int[3];
    for (int l : parts[1].labels()) {
      perClass[l]++;
    }
    assertArrayEquals(new int[] {2, 2, 2}, perClass);
    assertTrue(assertThrows(McuTrainException.class, () -> d.subset(ClassRange.parse("2-5")))
        .getMessage().contains("classes 0-2"));
    assertTrue(assertThrows(McuTrainException.class, () -> ClassRange.parse("9-5"))
        .getMessage().contains("empty"));
    assertTrue(assertThrows(McuTrainException.class, () -> ClassRange.parse("five"))
        .getMessage().contains("such as 5-9"));
  }
}
