package dev.mcutrain.train.spec;

import com.google.common.collect.ImmutableSortedMap;
import dev.mcutrain.McuTrainException;
import java.util.StringJoiner;

/**
 * Which parameters on-device training updates.
 *
 * <p>The trainable layers of a model are its {@code CONV_2D}, {@code DEPTHWISE_CONV_2D} and
 * {@code FULLY_CONNECTED} operators in forward (execution) order, numbered from 0; the classifier
 * is the last one. Syntax ({@code --update SCHEME}, or {@code "update"} in a spec file):
 *
 * <pre>
 * full                      weights and biases of every layer
 * last:K                    weights and biases of the last K layers (K &gt;= 1)
 * bias:K                    biases of the last K layers (K &gt;= 1)
 * sparse:bias=N;w=I:R,...   biases of the last N layers (N &gt;= 0), and the weights of each
 *                           listed layer I (forward index, from 0) for the fraction R of its
 *                           channels: R is 1 or a/b with 0 &lt; a/b &lt;= 1, e.g. 1/8
 * </pre>
 *
 * <p>Example (the paper's sparse update): {@code
 * sparse:bias=22;w=21:1,24:1,27:1,30:1,36:1/8,39:1/4}. For {@code CONV_2D} and {@code
 * FULLY_CONNECTED} the ratio selects input channels (OHWI filter dim 3, FC filter dim 1); for
 * {@code DEPTHWISE_CONV_2D} it selects channels (filter dim 3). The number of channels updated is
 * {@code max(1, floor(channels * R))}.
 *
 * <p>Rules: lower case only; no spaces inside (spaces around the whole scheme are ignored); in
 * {@code sparse} the parts {@code bias=N} and {@code w=...} may come in either order, each at
 * most once, at least one of them, and together they must update something; layer indices are
 * non-negative, each listed once, in any order; ratios are fractions ({@code 0.5} is rejected,
 * write {@code 1/2}); fractions are reduced ({@code 2/4} means {@code 1/2}). The canonical form
 * ({@code toString()}) writes {@code bias=N} first, omits {@code bias=0} and an empty {@code w},
 * sorts the layers and reduces the ratios; {@code parse(s.toString())} equals {@code s}.
 */
public sealed interface UpdateScheme {

  /** Every layer's weights and biases. */
  UpdateScheme FULL = new Full();

  /** {@code full}. */
  record Full() implements UpdateScheme {
    @Override
    public String toString() {
      return "full";
    }
  }

  /** {@code last:K}: weights and biases of the last {@code k} layers. */
  record LastK(int k) implements UpdateScheme {
    public LastK {
      if (k < 1) {
        throw new McuTrainException("bad update scheme 'last:" + k + "': K must be >= 1");
      }
    }

    @Override
    public String toString() {
      return "last:" + k;
    }
  }

  /** {@code bias:K}: biases of the last {@code k} layers. */
  record BiasK(int k) implements UpdateScheme {
    public BiasK {
      if (k < 1) {
        throw new McuTrainException("bad update scheme 'bias:" + k + "': K must be >= 1");
      }
    }

    @Override
    public String toString() {
      return "bias:" + k;
    }
  }

  /**
   * {@code sparse:bias=N;w=I:R,...}: biases of the last {@code biasLayers} layers, and the
   * weights of the layers keyed in {@code weights} (forward layer index → fraction of channels).
   */
  record Sparse(int biasLayers, ImmutableSortedMap<Integer, Ratio> weights)
      implements UpdateScheme {
    public Sparse {
      weights = ImmutableSortedMap.copyOf(weights); // natural key order, whatever was passed
      if (biasLayers < 0) {
        throw new McuTrainException("bad sparse update scheme: bias=N needs N >= 0, got "
            + biasLayers);
      }
      if (!weights.isEmpty() && weights.firstKey() < 0) {
        throw new McuTrainException("bad sparse update scheme: negative layer index "
            + weights.firstKey());
      }
      if (biasLayers == 0 && weights.isEmpty()) {
        throw new McuTrainException("bad sparse update scheme: it updates nothing (give bias=N "
            + "with N >= 1 or w=I:R,...)");
      }
    }

    @Override
    public String toString() {
      StringJoiner parts = new StringJoiner(";", "sparse:", "");
      if (biasLayers > 0) {
        parts.add("bias=" + biasLayers);
      }
      if (!weights.isEmpty()) {
        StringJoiner w = new StringJoiner(",", "w=", "");
        weights.forEach((i, r) -> w.add(i + ":" + r));
        parts.add(w.toString());
      }
      return parts.toString();
    }
  }

  /**
   * Parses the syntax in the class comment. Anything malformed is a {@link McuTrainException} with
   * a one-line message that quotes the scheme and says what is wrong.
   */
  public static UpdateScheme parse(String text) {
    if (text == null) {
      throw new McuTrainException("missing update scheme; " + SchemeParser.EXPECTED);
    }
    return new SchemeParser(text.strip()).scheme();
  }
}
