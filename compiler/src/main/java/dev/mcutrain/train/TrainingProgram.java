package dev.mcutrain.train;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.mcutrain.McuTrainException;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The compiled shape of a training step for one model: which forward operators run, where the
 * logits come from (the model's own int8 classifier, or a new fp32 head on its features), which
 * layers update which parameters, and — after pruning — which operators run a backward step and
 * which of their input gradients are needed. Pure data; {@link ReferenceTrainer} executes it and
 * the C emitter lowers it.
 *
 * @param lastForwardOp the last forward operator of a training step (the stripped SOFTMAX and, with
 *     a new head, the replaced classifier and everything after it do not run)
 * @param classifierOp the model's classifier (last CONV_2D or FULLY_CONNECTED before the output)
 * @param logitsTensor with the model's head: the classifier's int8 output, dequantized into logits
 * @param featuresTensor with a new head: the classifier's int8 input, dequantized and flattened
 * @param head the new fp32 head, if any
 * @param updates the parameter updates per operator index (conv, depthwise or fully connected)
 * @param active per forward operator: it runs a backward step (it updates parameters, or an
 *     operator before it does and the gradient must flow through it)
 */
public record TrainingProgram(
    Graph graph,
    int lastForwardOp,
    int classifierOp,
    int logitsTensor,
    int featuresTensor,
    Optional<Head> head,
    ImmutableMap<Integer, LayerUpdate> updates,
    ImmutableList<Boolean> active,
    Options options) {

  /** A new fully connected fp32 head: logits[u] = sum_d w[u*depth+d] * f[d] + b[u]. */
  public record Head(int units, int depth) {}

  /**
   * What one weight layer updates: its bias (all output channels) and the first {@code
   * weightChannels} input channels of its weights (all output channels and taps); 0 = frozen.
   * For depthwise convolutions the channels are the (output = input) channels.
   */
  public record LayerUpdate(int op, boolean bias, int weightChannels) {}

  /**
   * Optimizer switches that change the arithmetic. {@code lrTable}, when not null, holds the
   * learning rate of steps 0, 1, ...; steps past its end use its last entry (a cosine schedule
   * ends at 0). Without a table every step uses {@code learningRate}.
   */
  public record Options(float learningRate, boolean qas,
      dev.mcutrain.train.update.Rounding rounding, int seed, float[] lrTable, int accumulate) {
    public Options {
      if (accumulate < 1) {
        throw new IllegalArgumentException("accumulate " + accumulate);
      }
    }

    public Options(float learningRate, boolean qas, dev.mcutrain.train.update.Rounding rounding,
        int seed) {
      this(learningRate, qas, rounding, seed, null, 1);
    }

    /** True on the step that applies the accumulated update (every step when not accumulating). */
    public boolean appliesAt(long step) {
      return step % accumulate == accumulate - 1;
    }

    /** The learning rate of step {@code step} (0-based). */
    public float lrAt(long step) {
      if (lrTable == null) {
        return learningRate;
      }
      return lrTable[(int) Math.min(step, lrTable.length - 1)];
    }
  }

  /**
   * Builds the program a {@link dev.mcutrain.train.spec.TrainingSpec} asks for. With {@code
   * --head int8} the classifier is first replaced by a fresh int8 FULLY_CONNECTED head ({@link
   * Int8Head}), which is then trained as the model's own classifier (always fully).
   */
  public static TrainingProgram fromSpec(Graph g, dev.mcutrain.train.spec.TrainingSpec spec) {
    g = dev.mcutrain.passes.FoldPad.apply(g);
    Optional<Integer> classes = spec.classes();
    if (classes.isPresent() && spec.head() == dev.mcutrain.train.spec.TrainingSpec.Head.INT8) {
      if (classes.get() < 2) {
        throw new McuTrainException("--classes must be at least 2, not " + classes.get());
      }
      g = Int8Head.replaceClassifier(g, classes.get(), spec.seed());
      classes = Optional.empty(); // the new int8 head is now the model's own classifier
    }
    dev.mcutrain.train.spec.UpdatePlan plan = dev.mcutrain.train.spec.UpdatePlan.resolve(g,
        spec.scheme(), spec.classes().isPresent());
    List<LayerUpdate> updates = new ArrayList<>();
    for (dev.mcutrain.train.spec.UpdatePlan.Layer l : plan.layers()) {
      updates.add(new LayerUpdate(l.opIndex(), l.updateBias(), l.weightChannels()));
    }
    float[] table = spec.schedule() == dev.mcutrain.train.spec.TrainingSpec.Schedule.CONSTANT
        ? null : spec.learningRateTable(spec.scheduleSteps() + 1);
    return build(g, classes, updates,
        new Options(spec.learningRate(), spec.qas(), spec.rounding(), spec.seed(), table,
            spec.accumulate()));
  }

  /** Does operator {@code i} run a backward step? */
  public boolean isActive(int i) {
    return i <= lastForwardOp && active.get(i);
  }

  /** Whether the gradient of tensor {@code t} is needed (its producer runs a backward step). */
  public boolean needsGrad(int tensor) {
    int p = graph.producer(tensor);
    return p >= 0 && isActive(p);
  }

  /**
   * Builds the program. {@code classes} present: a new fp32 head with that many outputs replaces
   * the classifier (always fully trained). {@code updates} names the int8 layers to train.
   */
  public static TrainingProgram build(Graph g, Optional<Integer> classes,
      List<LayerUpdate> updates, Options options) {
    if (g.outputs().size() != 1) {
      throw new McuTrainException("training needs a model with one output (this one has "
          + g.outputs().size() + ")");
    }
    int classifier = classifierOf(g);
    int features = g.ops().get(classifier).inputs().get(0);
    Optional<Head> head = Optional.empty();
    int lastForward = classifier;
    if (classes.isPresent()) {
      if (classes.get() < 2) {
        throw new McuTrainException("--classes must be at least 2, not " + classes.get());
      }
      Tensor f = g.tensor(features);
      int batch = f.shape().rank() > 0 ? f.shape().dim(0) : 1;
      head = Optional.of(new Head(classes.get(), (int) (f.shape().elementCount() / batch)));
      lastForward = classifier - 1;
      if (lastForward < 0) {
        throw new McuTrainException("the model has nothing before its classifier to train on");
      }
    }
    // 2. Validate the updates.
    Map<Integer, LayerUpdate> byOp = new LinkedHashMap<>();
    for (LayerUpdate u : updates) {
      Op op = g.ops().get(u.op());
      if (!(op instanceof Op.Conv2D || op instanceof Op.DepthwiseConv2D
          || op instanceof Op.FullyConnected)) {
        throw new McuTrainException("operator " + u.op() + " (" + op.kind() + ") has no weights "
            + "to train");
      }
      if (u.op() > lastForward) {
        continue; // the replaced classifier: the new head takes its place
      }
      if (u.weightChannels() < 0 || u.weightChannels() > weightChannelCount(g, op)) {
        throw new IllegalArgumentException("operator " + u.op() + ": " + u.weightChannels()
            + " weight channels");
      }
      if (u.bias() || u.weightChannels() > 0) {
        byOp.put(u.op(), u);
      }
    }
    // 3. Prune: an operator runs a backward step if it updates parameters or its gradient must
    //    reach an earlier operator that does.
    List<Boolean> active = new ArrayList<>();
    for (int i = 0; i < g.ops().size(); i++) {
      boolean a = false;
      if (i <= lastForward) {
        a = byOp.containsKey(i);
        for (int in : g.ops().get(i).inputs()) {
          int q = g.producer(in);
          if (q >= 0 && active.get(q)) {
            a = true;
          }
        }
        if (a && !differentiable(g.ops().get(i))) {
          throw new McuTrainException("operator " + i + " (" + g.ops().get(i).kind()
              + ") lies on the backward path but has no gradient rule; train only layers after "
              + "it");
        }
      }
      active.add(a);
    }
    return new TrainingProgram(g, lastForward, classifier, g.ops().get(classifier).output(),
        features, head, ImmutableMap.copyOf(byOp), ImmutableList.copyOf(active), options);
  }

  /**
   * The classifier: the CONV_2D or FULLY_CONNECTED operator that produces the model's output,
   * possibly through RESHAPE and SOFTMAX.
   */
  public static int classifierOf(Graph g) {
    if (g.outputs().size() != 1) {
      throw new McuTrainException("training needs a model with one output (this one has "
          + g.outputs().size() + ")");
    }
    int t = g.outputs().get(0);
    int p = g.producer(t);
    while (p >= 0 && (g.ops().get(p) instanceof Op.Softmax
        || g.ops().get(p) instanceof Op.Reshape)) {
      t = g.ops().get(p).inputs().get(0);
      p = g.producer(t);
    }
    if (p < 0 || !(g.ops().get(p) instanceof Op.Conv2D
        || g.ops().get(p) instanceof Op.FullyConnected)) {
      throw new McuTrainException("cannot find the classifier: the model's output must come "
          + "from a FULLY_CONNECTED or 1x1 CONV_2D (optionally followed by RESHAPE/SOFTMAX)");
    }
    return p;
  }

  /** Channels a weight update ratio counts: input channels (conv, FC) or channels (depthwise). */
  public static int weightChannelCount(Graph g, Op op) {
    if (op instanceof Op.Conv2D c) {
      return g.tensor(c.filter()).shape().dim(3);
    }
    if (op instanceof Op.DepthwiseConv2D c) {
      return g.tensor(c.filter()).shape().dim(3);
    }
    if (op instanceof Op.FullyConnected c) {
      return g.tensor(c.filter()).shape().dim(1);
    }
    return 0;
  }

  private static boolean differentiable(Op op) {
    return op instanceof Op.Conv2D || op instanceof Op.DepthwiseConv2D
        || op instanceof Op.FullyConnected || op instanceof Op.Add || op instanceof Op.Reshape
        || op instanceof Op.Pad || op instanceof Op.Mean
        || (op instanceof Op.Pool2D p && !p.max());
  }
}
