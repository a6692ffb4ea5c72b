package dev.mcutrain.data;

import static dev.mcutrain.data.Fixtures.assertError;
import static dev.mcutrain.data.Fixtures.gray;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mcutrain.train.update.Prng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link LabeledImages} and {@link ClassRange}: subsets, shuffling, limits, splits. */
class LabeledImagesTest {

  /** Distinct 1x1 images (pixel = index) with the given labels; classes "c0".."c{k-1}". */
  private static LabeledImages set(int classes, int... labels) {
    List<Image> im = new ArrayList<>();
    for (int i = 0; i < labels.length; i++) {
      im.add(gray(1, 1, i));
    }
    List<String> names = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      names.add("c" + c);
    }
    return new LabeledImages(im, labels, names);
  }

  /** The pixel of each image: which original image it is. */
  private static int[] ids(LabeledImages li) {
    return li.images().stream().mapToInt(im -> im.get(0, 0, 0)).toArray();
  }

  private static LabeledImages cyclic(int n, int classes) {
    int[] l = new int[n];
    for (int i = 0; i < n; i++) {
      l[i] = i % classes;
    }
    return set(classes, l);
  }

  @Test
  void subsetRelabelsFromZeroAndKeepsNames() {
    LabeledImages li = set(10, 0, 5, 9, 7, 4, 6, 5);
    LabeledImages s = li.subset(5, 9);
    assertEquals(List.of("c5", "c6", "c7", "c8", "c9"), s.classNames());
    assertArrayEquals(new int[] {0, 4, 2, 1, 0}, s.labels());
    assertArrayEquals(new int[] {1, 2, 3, 5, 6}, ids(s));
    LabeledImages one = li.subset(ClassRange.parse("4"));
    assertEquals(List.of("c4"), one.classNames());
    assertArrayEquals(new int[] {0}, one.labels());
    assertArrayEquals(new int[] {4}, ids(one));
  }

  @Test
  void subsetErrors() {
    LabeledImages li = set(10, 0, 5, 9);
    assertError(() -> li.subset(5, 10), "class range 5-10 is outside the 10 classes (0-9)");
    assertError(() -> li.subset(12, 12), "class range 12 is outside");
    assertError(() -> li.subset(2, 4), "class range 2-4 selects no images");
    assertError(() -> li.subset(6, 5), "bad class range 6-5");
    assertError(() -> li.subset(-1, 3), "bad class range -1-3");
  }

  @Test
  void classRangeParsing() {
    assertEquals(new ClassRange(5, 9), ClassRange.parse("5-9"));
    assertEquals(new ClassRange(3, 3), ClassRange.parse("3"));
    assertEquals(new ClassRange(0, 1), ClassRange.parse(" 0-1 "));
    assertEquals("5-9", ClassRange.parse("5-9").toString());
    assertEquals("3", ClassRange.parse("3").toString());
    assertEquals(5, ClassRange.parse("5-9").count());
    for (String bad : List.of("", "a", "5-", "-3", "1-2-3", "5 - 9", "3.0", "1234567890", "+1")) {
      assertError(() -> ClassRange.parse(bad), "bad class range '" + bad + "'", "e.g. 3 or 5-9");
    }
    assertError(() -> ClassRange.parse("9-5"), "9 is above 5", "5-9");
    assertThrows(IllegalArgumentException.class, () -> new ClassRange(-1, 2));
  }

  @Test
  void shuffleIsDeterministicFisherYatesWithTheProjectPrng() {
    LabeledImages li = cyclic(50, 5);
    LabeledImages a = li.shuffled(7);
    LabeledImages b = li.shuffled(7);
    assertArrayEquals(ids(a), ids(b));
    assertFalse(Arrays.equals(ids(a), ids(li.shuffled(8))), "another seed, another order");
    assertFalse(Arrays.equals(ids(a), ids(li)), "shuffled");
    // the same permutation written out: for i = n-1..1, j = nextBelow(i + 1), swap
    int[] expected = ids(li);
    Prng p = new Prng(7);
    for (int i = expected.length - 1; i > 0; i--) {
      int j = p.nextBelow(i + 1);
      int t = expected[i];
      expected[i] = expected[j];
      expected[j] = t;
    }
    assertArrayEquals(expected, ids(a));
    for (int i = 0; i < a.size(); i++) { // labels travel with their images
      assertEquals(ids(a)[i] % 5, a.label(i));
    }
    int[] sorted = ids(a).clone();
    Arrays.sort(sorted);
    assertArrayEquals(ids(li), sorted);
  }

  @Test
  void limitAndEvenlySpaced() {
    LabeledImages li = set(2, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1);
    assertArrayEquals(new int[] {0, 1, 2}, ids(li.limit(3)));
    assertSame(li, li.limit(10));
    assertSame(li, li.limit(99));
    assertEquals(0, li.limit(0).size());
    assertArrayEquals(new int[] {0, 2, 5, 7}, ids(li.evenlySpaced(4)));
    assertArrayEquals(new int[] {0, 0, 1, 1}, li.evenlySpaced(4).labels());
    assertSame(li, li.evenlySpaced(10));
    assertThrows(IllegalArgumentException.class, () -> li.limit(-1));
  }

  @Test
  void splitIsStratifiedDeterministicAndKeepsOrder() {
    LabeledImages li = cyclic(103, 3); // 35, 34, 34 per class
    LabeledImages.Split s = li.split(0.2, 42);
    assertArrayEquals(new int[] {7, 7, 7}, s.test().classCounts());
    assertArrayEquals(new int[] {28, 27, 27}, s.train().classCounts());
    Set<Integer> all = new HashSet<>();
    for (int id : ids(s.train())) {
      all.add(id);
    }
    for (int id : ids(s.test())) {
      assertFalse(all.contains(id), "disjoint");
      all.add(id);
    }
    assertEquals(103, all.size());
    for (LabeledImages part : List.of(s.train(), s.test())) {
      int[] ids = ids(part);
      int[] sorted = ids.clone();
      Arrays.sort(sorted);
      assertArrayEquals(sorted, ids, "order kept");
    }
    assertArrayEquals(ids(s.test()), ids(li.split(0.2, 42).test()));
    assertNotEquals(Arrays.toString(ids(s.test())), Arrays.toString(ids(li.split(0.2, 43).test())));
  }

  @Test
  void splitGivesEachClassOfTwoOrMoreATestImage() {
    LabeledImages li = set(3, 0, 0, 1, 1, 1, 2); // class 2 has a single image: it stays in train
    LabeledImages.Split s = li.split(0.01, 1);
    assertArrayEquals(new int[] {1, 1, 0}, s.test().classCounts());
    assertArrayEquals(new int[] {1, 2, 1}, s.train().classCounts());
    assertArrayEquals(new int[] {1, 2, 0}, li.split(0.99, 1).test().classCounts());
  }

  @Test
  void splitErrors() {
    LabeledImages li = cyclic(10, 2);
    for (double f : new double[] {0, 1, -0.5, 1.5, Double.NaN}) {
      assertError(() -> li.split(f, 1), "test fraction must be between 0 and 1");
    }
    assertError(() -> set(2, 0, 1).split(0.5, 1), "cannot split 2 samples");
  }

  @Test
  void constructorChecks() {
    assertThrows(IllegalArgumentException.class, () -> set(2, 0, 2));
    assertThrows(IllegalArgumentException.class,
        () -> new LabeledImages(List.of(gray(1, 1, 0)), new int[0], List.of("a")));
    assertThrows(IllegalArgumentException.class, () -> new Image(2, 2, 2, new byte[8]));
    assertThrows(IllegalArgumentException.class, () -> new Image(2, 2, 1, new byte[3]));
    assertThrows(IllegalArgumentException.class, () -> new Image(0, 2, 1, new byte[0]));
  }
}
