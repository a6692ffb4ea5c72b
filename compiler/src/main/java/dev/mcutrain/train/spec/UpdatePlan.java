package dev.mcutrain.train.spec;

import com.google.common.collect.ImmutableList;
import dev.mcutrain.McuTrainException;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Op;
import dev.mcutrain.ir.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An {@link UpdateScheme} resolved against a graph: for every trainable layer (the graph's
 * {@code CONV_2D}, {@code DEPTHWISE_CONV_2D} and {@code FULLY_CONNECTED} operators in forward
 * order, numbered from 0; the classifier is the last), whether its bias is updated and how many
 * of its weight channels are.
 *
 * @param scheme the scheme resolved
 * @param newHead whether the classifier is replaced by a fresh head
 * @param layers every trainable layer in forward order, frozen ones included
 */
public record UpdatePlan(UpdateScheme scheme, boolean newHead, ImmutableList<Layer> layers) {

  /**
   * One trainable layer.
   *
   * @param opIndex index of its operator in {@link Graph#ops()}
   * @param layerIndex its forward index among the trainable layers
   * @param kind the operator kind ({@code CONV_2D}, {@code DEPTHWISE_CONV_2D}, {@code
   *     FULLY_CONNECTED})
   * @param hasBias whether the operator has a bias tensor
   * @param updateBias whether its bias is updated
   * @param channels the channels a ratio selects from: input channels of CONV_2D (filter dim 3)
   *     and FULLY_CONNECTED (filter dim 1), channels of DEPTHWISE_CONV_2D (filter dim 3)
   * @param weightChannels how many of them have their weights updated (0: weights frozen)
   * @param filterElements elements of the whole filter
   * @param biasElements elements of the bias (output channels), 0 without a bias
   */
  public record Layer(
      int opIndex, int layerIndex, String kind, boolean hasBias, boolean updateBias,
      int channels, int weightChannels, long filterElements, int biasElements) {

    /** Neither weights nor bias are updated. */
    public boolean frozen() {
      return !updateBias && weightChannels == 0;
    }

    /** Weight elements updated: the filter slices of the updated channels. */
    public long updatedWeightElements() {
      return filterElements / channels * weightChannels;
    }

    /** Bias elements updated. */
    public int updatedBiasElements() {
      return updateBias ? biasElements : 0;
    }
  }

  /**
   * Resolves {@code scheme} on {@code g}. {@code full}: every weight and bias; {@code last:K}:
   * weights and biases of the last K layers; {@code bias:K}: biases of the last K layers; {@code
   * sparse}: biases of the last N layers plus the listed layers' weights for their channel
   * fractions. A layer without a bias tensor that the scheme asks to update the bias of is
   * skipped silently ({@code updateBias} false), since the scheme counts layers, not biases.
   *
   * <p>With {@code newHead} the classifier (the last layer, which must be a FULLY_CONNECTED or a
   * 1x1 CONV_2D) is a fresh head, so all its weights and its bias are trained whatever the
   * scheme says; its counts here are the old head's shapes.
   *
   * <p>Errors (McuTrainException): a graph without trainable layers, K or N larger than the
   * number of layers, a layer index out of range, and with {@code newHead} a classifier that
   * cannot be replaced.
   */
  public static UpdatePlan resolve(Graph g, UpdateScheme scheme, boolean newHead) {
    List<Integer> ops = new ArrayList<>();
    for (int i = 0; i < g.ops().size(); i++) {
      Op op = g.ops().get(i);
      if (op instanceof Op.Conv2D || op instanceof Op.DepthwiseConv2D
          || op instanceof Op.FullyConnected) {
        ops.add(i);
      }
    }
    int n = ops.size();
    if (n == 0) {
      throw new McuTrainException("model '" + g.name() + "' has no trainable layers (CONV_2D, "
          + "DEPTHWISE_CONV_2D or FULLY_CONNECTED)");
    }
    String has = "the model has " + n + " trainable layer" + (n == 1 ? "" : "s") + " (0.."
        + (n - 1) + ")";
    boolean[] bias = new boolean[n];
    int[] channels = new int[n];
    for (int i = 0; i < n; i++) {
      channels[i] = channels(g, g.ops().get(ops.get(i)));
    }
    int[] weights = new int[n];
    if (scheme instanceof UpdateScheme.Full) {
      for (int i = 0; i < n; i++) {
        bias[i] = true;
        weights[i] = channels[i];
      }
    } else if (scheme instanceof UpdateScheme.LastK l) {
      checkCount(scheme, "K", l.k(), n, has);
      for (int i = n - l.k(); i < n; i++) {
        bias[i] = true;
        weights[i] = channels[i];
      }
    } else if (scheme instanceof UpdateScheme.BiasK b) {
      checkCount(scheme, "K", b.k(), n, has);
      for (int i = n - b.k(); i < n; i++) {
        bias[i] = true;
      }
    } else if (scheme instanceof UpdateScheme.Sparse s) {
      checkCount(scheme, "bias=N", s.biasLayers(), n, has);
      for (int i = n - s.biasLayers(); i < n; i++) {
        bias[i] = true;
      }
      for (Map.Entry<Integer, Ratio> w : s.weights().entrySet()) {
        int i = w.getKey();
        if (i >= n) {
          throw new McuTrainException("update scheme '" + scheme + "': layer index " + i
              + " is out of range: " + has);
        }
        weights[i] = w.getValue().of(channels[i]);
      }
    } else {
      throw new IllegalStateException("unknown scheme " + scheme);
    }
    if (newHead) {
      Op head = g.ops().get(ops.get(n - 1));
      checkReplaceable(g, head, ops.get(n - 1));
      bias[n - 1] = true;
      weights[n - 1] = channels[n - 1];
    }
    ImmutableList.Builder<Layer> layers = ImmutableList.builder();
    for (int i = 0; i < n; i++) {
      int opIndex = ops.get(i);
      Op op = g.ops().get(opIndex);
      int biasId = biasId(op);
      boolean hasBias = biasId >= 0;
      boolean fresh = newHead && i == n - 1;
      int filterId = op.inputs().get(1);
      layers.add(new Layer(opIndex, i, op.kind(), hasBias, bias[i] && (hasBias || fresh),
          channels[i], weights[i], g.tensor(filterId).shape().elementCount(),
          hasBias ? g.tensor(biasId).shape().size() : 0));
    }
    return new UpdatePlan(scheme, newHead, layers.build());
  }

  private static void checkCount(UpdateScheme scheme, String what, int k, int n, String has) {
    if (k > n) {
      throw new McuTrainException("update scheme '" + scheme + "': " + what + " = " + k
          + " is more layers than the model has: " + has);
    }
  }

  private static int biasId(Op op) {
    if (op instanceof Op.Conv2D c) {
      return c.bias();
    }
    if (op instanceof Op.DepthwiseConv2D d) {
      return d.bias();
    }
    return ((Op.FullyConnected) op).bias();
  }

  private static int channels(Graph g, Op op) {
    int filter = op.inputs().get(1);
    Shape s = g.tensor(filter).shape();
    int dim = op instanceof Op.FullyConnected ? 1 : 3;
    if (s.rank() != (op instanceof Op.FullyConnected ? 2 : 4)) {
      throw new IllegalStateException(op.kind() + " filter " + g.tensor(filter).name()
          + " has shape " + s);
    }
    return s.dim(dim);
  }

  private static void checkReplaceable(Graph g, Op head, int opIndex) {
    if (head instanceof Op.FullyConnected) {
      return;
    }
    if (head instanceof Op.Conv2D c) {
      Shape f = g.tensor(c.filter()).shape();
      if (f.dim(1) == 1 && f.dim(2) == 1) {
        return;
      }
      throw new McuTrainException("cannot replace the classifier of '" + g.name() + "': its last "
          + "layer (op " + opIndex + ") is a " + f.dim(1) + "x" + f.dim(2) + " CONV_2D, not a "
          + "FULLY_CONNECTED or 1x1 CONV_2D");
    }
    throw new McuTrainException("cannot replace the classifier of '" + g.name() + "': its last "
        + "layer (op " + opIndex + ") is a " + head.kind() + ", not a FULLY_CONNECTED or 1x1 "
        + "CONV_2D");
  }

  /** The layer with forward index {@code i}. */
  public Layer layer(int i) {
    return layers.get(i);
  }

  /** The layers with anything updated, in forward order. */
  public ImmutableList<Layer> updated() {
    return layers.stream().filter(l -> !l.frozen()).collect(ImmutableList.toImmutableList());
  }

  /** Weight elements updated over all layers. */
  public long updatedWeightElements() {
    return layers.stream().mapToLong(Layer::updatedWeightElements).sum();
  }

  /** Bias elements updated over all layers. */
  public long updatedBiasElements() {
    return layers.stream().mapToLong(Layer::updatedBiasElements).sum();
  }

  /**
   * A summary line and one line per updated layer, for logs (person_detect, {@code last:2}):
   *
   * <pre>
   * update last:2: 2 of 28 layers, 66,048 weights + 258 biases
   *   layer 26 (op 26 CONV_2D): weights 256/256 channels, bias
   *   layer 27 (op 28 CONV_2D): weights 256/256 channels, bias
   * </pre>
   */
  public String describe() {
    ImmutableList<Layer> upd = updated();
    StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
        "update %s%s: %d of %d layers, %,d weights + %,d biases", scheme,
        newHead ? " (new head)" : "", upd.size(), layers.size(), updatedWeightElements(),
        updatedBiasElements()));
    for (Layer l : upd) {
      b.append(String.format(Locale.ROOT, "%n  layer %d (op %d %s%s): ", l.layerIndex(),
          l.opIndex(), l.kind(), newHead && l.layerIndex() == layers.size() - 1 ? ", new head"
              : ""));
      if (l.weightChannels() > 0) {
        b.append("weights ").append(l.weightChannels()).append('/').append(l.channels())
            .append(" channels");
      } else {
        b.append("weights frozen");
      }
      if (l.updateBias()) {
        b.append(", bias");
      }
    }
    return b.toString();
  }
}
