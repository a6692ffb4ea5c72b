package dev.mcutrain.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Replays the activation-buffer trace of TensorFlow Lite Micro's person_detect model
 * (MobileNetV1 0.25, 96×96×1 int8 input), derived from its layer list.
 */
class PersonDetectReplayTest {
  /** TFLite Micro's person_detect example reserves a 136 KB tensor arena. */
  private static final long TFLM_ARENA = 136 * 1024;

  /** One depthwise-separable block: output channels, output spatial size. */
  private record Block(int outChannels, int outSpatial) {}

  /** Op i produces buffer i + 1; buffer 0 is the model input. Every tensor is int8. */
  static List<Lifetime> trace() {
    List<Long> sizes = new ArrayList<>();
    List<String> names = new ArrayList<>();
    sizes.add(96L * 96 * 1);
    names.add("input 96x96x1");
    // op 0: CONV_2D 3x3 stride 2 -> 48x48x8
    sizes.add(48L * 48 * 8);
    names.add("conv0 48x48x8");
    List<Block> blocks = new ArrayList<>();
    blocks.add(new Block(16, 48));
    blocks.add(new Block(32, 24));
    blocks.add(new Block(32, 24));
    blocks.add(new Block(64, 12));
    blocks.add(new Block(64, 12));
    blocks.add(new Block(128, 6));
    for (int i = 0; i < 5; i++) {
      blocks.add(new Block(128, 6));
    }
    blocks.add(new Block(256, 3));
    blocks.add(new Block(256, 3));
    int channels = 8;
    for (int b = 0; b < blocks.size(); b++) {
      Block blk = blocks.get(b);
      long s = blk.outSpatial();
      // DEPTHWISE_CONV_2D keeps the channel count (and applies the block's stride).
      sizes.add(s * s * channels);
      names.add("dw" + (b + 1) + " " + s + "x" + s + "x" + channels);
      // CONV_2D 1x1 changes the channel count.
      sizes.add(s * s * blk.outChannels());
      names.add("pw" + (b + 1) + " " + s + "x" + s + "x" + blk.outChannels());
      channels = blk.outChannels();
    }
    sizes.add(256L);
    names.add("avgpool 1x1x256");
    sizes.add(2L);
    names.add("conv_logits 1x1x2");
    sizes.add(2L);
    names.add("reshape 1x2");
    sizes.add(2L);
    names.add("softmax 1x2");

    int ops = sizes.size() - 1;
    List<Lifetime> out = new ArrayList<>();
    out.add(new Lifetime(0, sizes.get(0), 0, 0, names.get(0)));
    for (int t = 1; t < sizes.size(); t++) {
      int producer = t - 1;
      int lastReader = Math.min(t, ops - 1); // read by the next op; the output by nobody
      out.add(new Lifetime(t, sizes.get(t), producer, lastReader, names.get(t)));
    }
    return out;
  }

  @Test
  void traceMatchesTheModelDescription() {
    List<Lifetime> t = trace();
    assertEquals(32, t.size(), "input + 31 op outputs");
    assertEquals(30, t.get(t.size() - 1).lastUse(), "31 ops: conv, 13 x (dw, pw), pool, conv,"
        + " reshape, softmax");
    assertEquals(36864, t.get(3).size(), "pw1 is 48x48x16");
    assertEquals(2304, t.get(26).size(), "pw13 is 3x3x256");
  }

  @Test
  void greedyReachesTheLowerBoundOnPersonDetect() {
    List<Lifetime> trace = trace();
    int alignment = 16;
    ArenaPlan greedy = new GreedyBySizePlanner().plan(trace, alignment);
    ArenaPlan tflmGreedy = GreedyBySizePlanner.sizeOrderOnly().plan(trace, alignment);
    ArenaPlan linear = new LinearPlanner().plan(trace, alignment);
    greedy.verify();
    tflmGreedy.verify();
    linear.verify();

    long peakLive = 0;
    for (int op = 0; op <= 30; op++) {
      peakLive = Math.max(peakLive, greedy.liveBytesAt(op));
    }
    System.out.printf("person_detect: peak live %d bytes at op %d; greedy arena %d bytes (%s);"
            + " size-order greedy %d; linear arena %d bytes; TFLM arena %d bytes%n",
        peakLive, greedy.peakOp(), greedy.arenaSize(), greedy.planner(),
        tflmGreedy.arenaSize(), linear.arenaSize(), TFLM_ARENA);
    System.out.print(greedy.describe());

    // The peak is at op 2 (first 1x1 conv): 48x48x8 in + 48x48x16 out.
    assertEquals(2, greedy.peakOp());
    assertEquals(48 * 48 * 8 + 48 * 48 * 16, peakLive);
    assertEquals(peakLive, greedy.lowerBound(), "all sizes here are multiples of 16");
    assertEquals(peakLive, greedy.arenaSize());
    assertEquals(peakLive, tflmGreedy.arenaSize());
    assertTrue(greedy.arenaSize() < TFLM_ARENA / 2);
    assertTrue(linear.arenaSize() > greedy.arenaSize());
  }
}
