package dev.mcutrain.cli;

import static dev.mcutrain.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.frontend.tflite.TfliteWriter;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.testing.GraphBuilder;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pretrain}, {@code simulate} and {@code demo} end to end, and their bad inputs. */
class TransferCommandsTest {
  @TempDir static Path tmp;
  static Path images;
  static Path model;

  /** Three classes of 16x16 images: horizontal bars, vertical bars, a centred square. */
  @BeforeAll
  static void data() throws IOException {
    images = tmp.resolve("images");
    Random r = new Random(1);
    String[] names = {"horizontal", "square", "vertical"};
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < 40; i++) {
        BufferedImage im = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
          for (int x = 0; x < 16; x++) {
            boolean on = c == 0 ? (y / 2) % 2 == 0 : c == 2 ? (x / 2) % 2 == 0
                : Math.abs(x - 8) < 4 && Math.abs(y - 8) < 4;
            im.getRaster().setSample(x, y, 0, Math.max(0, Math.min(255,
                (on ? 190 : 50) + r.nextInt(40) - 20)));
          }
        }
        Path f = images.resolve(names[c]).resolve(i + ".png");
        Files.createDirectories(f.getParent());
        ImageIO.write(im, "png", f.toFile());
      }
    }
    model = tmp.resolve("bars.tflite");
    CliTest.Run p = run("pretrain", "--data", "images:" + images, "--size", "16x16x1",
        "--width", "0.5", "--epochs", "3", "--batch", "8", "--lr", "0.004", "--out",
        model.toString());
    assertEquals(0, p.code(), p.err());
    assertTrue(p.out().contains("int8"), p.out());
  }

  @Test
  void pretrainWritesAModelThatInspectReads() {
    CliTest.Run i = run("inspect", model.toString());
    assertEquals(0, i.code(), i.err());
    assertTrue(i.out().contains("DEPTHWISE_CONV_2D") && i.out().contains("MEAN"), i.out());
  }

  @Test
  void simulateTrainsANewHeadAndWritesTheCurve() throws IOException {
    Path out = tmp.resolve("sim");
    CliTest.Run s = run("simulate", model.toString(), "--data", "images:" + images,
        "--classes-from", "1-2", "--epochs", "2", "--update", "bias:3", "--out", out.toString());
    assertEquals(0, s.code(), s.err());
    assertTrue(s.out().contains("test accuracy:"), s.out());
    List<String> csv = Files.readAllLines(out.resolve("curve.csv"));
    assertEquals(4, csv.size()); // header, before, 2 epochs
    assertTrue(csv.get(0).startsWith("epoch,train_loss,test_loss,test_accuracy"));
    assertTrue(Files.size(out.resolve("curve.png")) > 1000);
    assertTrue(Files.readString(out.resolve("memory.txt")).length() > 100);
    // The fp32 baseline and the Java reference run through the same command.
    CliTest.Run j = run("simulate", model.toString(), "--data", "images:" + images,
        "--classes-from", "1-2", "--epochs", "1", "--update", "bias:3", "--engine", "java",
        "--out", tmp.resolve("simj").toString());
    CliTest.Run c = run("simulate", model.toString(), "--data", "images:" + images,
        "--classes-from", "1-2", "--epochs", "1", "--update", "bias:3", "--out",
        tmp.resolve("simc").toString());
    assertEquals(0, j.code(), j.err());
    assertEquals(Files.readAllLines(tmp.resolve("simc/curve.csv")).get(2).replaceAll(",[^,]*$",
        ""), Files.readAllLines(tmp.resolve("simj/curve.csv")).get(2).replaceAll(",[^,]*$",
        ""), "C and Java give the same curve");
    assertEquals(0, c.code());
    CliTest.Run f = run("simulate", model.toString(), "--data", "images:" + images,
        "--epochs", "1", "--engine", "fp32", "--out", tmp.resolve("simf").toString());
    assertEquals(0, f.code(), f.err());
  }

  private static void assertOneLine(CliTest.Run r, String fragment) {
    assertEquals(1, r.code(), r.out() + r.err());
    assertTrue(r.err().contains(fragment), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("mcutrain: error: "), r.err());
  }

  @Test
  void badDataIsAOneLineError() throws IOException {
    Path out = tmp.resolve("bad.tflite");
    assertOneLine(run("pretrain", "--data", "fashion-mnist:" + tmp.resolve("none"), "--out",
        out.toString()), "apt-get install dataset-fashion-mnist");
    Path one = tmp.resolve("one");
    Files.createDirectories(one.resolve("cats"));
    Files.copy(images.resolve("square/0.png"), one.resolve("cats/0.png"));
    assertOneLine(run("demo", "--data", "fashion-mnist:" + tmp.resolve("none"), "--out",
        tmp.resolve("d").toString()), "apt-get install dataset-fashion-mnist");
    assertOneLine(run("pretrain", "--data", "images:" + one, "--out", out.toString()),
        "only one class");
    assertOneLine(run("pretrain", "--data", "images:" + images, "--size", "4x4x1", "--out",
        out.toString()), "--size");
    assertOneLine(run("simulate", model.toString(), "--data", "images:" + images,
        "--classes-from", "5-9"), "outside the 3 classes (0-2)");
    assertOneLine(run("simulate", model.toString(), "--data", "images:" + images,
        "--classes-from", "x"), "--classes-from");
    Path idx = tmp.resolve("idx");
    Files.createDirectories(idx);
    for (String f : new String[] {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
      Files.write(idx.resolve(f + ".gz"), new byte[] {1, 2, 3});
    }
    assertOneLine(run("simulate", model.toString(), "--data", "fashion-mnist:" + idx),
        "gzip");
    assertOneLine(run("simulate", model.toString(), "--data", "nowhere:" + idx),
        "expected fashion-mnist");
    // A model whose input is not an image, given image data.
    GraphBuilder b = new GraphBuilder();
    int in = b.int8("in", 0.1f, 0, 1, 8);
    int out2 = b.int8("out", 0.1f, 0, 1, 8);
    b.op(new Op.Reshape(in, out2));
    Graph g = b.inputs(in).outputs(out2).build("vector");
    Path vec = tmp.resolve("vector.tflite");
    TfliteWriter.write(g, vec);
    assertOneLine(run("simulate", vec.toString(), "--data", "images:" + images),
        "is not an image");
  }

  @Test
  void demoQuickRunsEndToEnd() throws IOException {
    Path out = tmp.resolve("demo");
    CliTest.Run d = run("demo", "--quick", "--out", out.toString());
    assertEquals(0, d.code(), d.err());
    assertTrue(d.out().contains("before, "), d.out());
    assertTrue(d.out().contains("after on-device training"), d.out());
    assertTrue(d.out().contains("linked for the stm32f746g-disco"), d.out());
    assertTrue(Files.isRegularFile(out.resolve("fashion_0_4.tflite")));
    assertTrue(Files.isRegularFile(out.resolve("simulation/curve.png")));
    assertTrue(Files.isRegularFile(out.resolve("training-c/memory.txt")));
  }
}
