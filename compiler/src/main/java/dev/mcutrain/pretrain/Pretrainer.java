package dev.mcutrain.pretrain;

import dev.mcutrain.fp32.FloatGraph;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.QuantParams;
import dev.mcutrain.train.TrainingProgram;
import dev.mcutrain.train.math.SoftmaxCrossEntropy;
import dev.mcutrain.train.update.Prng;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * fp32 training of a float graph on the host: mini-batch Adam with a cosine learning-rate decay
 * and softmax cross-entropy on the classifier's logits. A batch is split into {@link #CHUNKS}
 * fixed interleaved parts whose gradients are computed in parallel and summed in chunk order, so
 * the result does not depend on the number of threads.
 */
public final class Pretrainer {
  /** Gradient chunks per batch (fixed so that results do not depend on the thread count). */
  public static final int CHUNKS = 4;

  /** Training hyper-parameters. */
  public record Config(int epochs, int batch, float learningRate, int seed, int threads) {
    public Config {
      if (epochs < 1 || batch < 1 || !(learningRate > 0) || threads < 1) {
        throw new IllegalArgumentException("bad pretraining configuration");
      }
    }
  }

  /** Receives progress: samples done of the total, and the mean loss of the last batch. */
  public interface Progress {
    void update(long done, long total, int epoch, float batchLoss);
  }

  private final FloatGraph net;
  private final int logits;
  private final int[] params;
  private final float[][] m;
  private final float[][] v;
  private final QuantParams inputQuant;

  /** Trains every parameter of {@code graph}'s float view, up to its classifier. */
  public Pretrainer(Graph graph) {
    int classifier = TrainingProgram.classifierOf(graph);
    this.net = FloatGraph.dequantized(graph, classifier);
    this.logits = graph.ops().get(classifier).output();
    this.params = net.paramIds();
    this.m = new float[params.length][];
    this.v = new float[params.length][];
    for (int i = 0; i < params.length; i++) {
      m[i] = new float[net.param(params[i]).length];
      v[i] = new float[m[i].length];
    }
    this.inputQuant = graph.tensor(graph.inputs().get(0)).q();
  }

  public FloatGraph network() {
    return net;
  }

  /** The real-valued model input of an int8 sample (dequantized with the input quantization). */
  public float[] realInput(byte[] sample) {
    float[] x = new float[sample.length];
    for (int i = 0; i < x.length; i++) {
      x[i] = inputQuant.scale() * (sample[i] - inputQuant.zeroPoint());
    }
    return x;
  }

  /** The logits of one sample. */
  public float[] logits(byte[] sample) {
    return net.forward(realInput(sample))[logits];
  }

  /** Top-1 accuracy on a labelled set. */
  public double accuracy(byte[][] xs, int[] ys) {
    int ok = 0;
    for (int i = 0; i < xs.length; i++) {
      if (argmax(logits(xs[i])) == ys[i]) {
        ok++;
      }
    }
    return xs.length == 0 ? 0 : (double) ok / xs.length;
  }

  static int argmax(float[] v) {
    return dev.mcutrain.sim.Simulation.argmax(v);
  }

  /** Runs the training; returns the mean training loss of each epoch. */
  public float[] train(byte[][] xs, int[] ys, Config c, Progress progress) {
    int n = xs.length;
    long totalSteps = (long) c.epochs() * ((n + c.batch() - 1) / c.batch());
    long step = 0;
    float[] epochLoss = new float[c.epochs()];
    Prng shuffle = new Prng(c.seed() ^ 0x5AFF1E);
    int[] order = new int[n];
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(c.threads(), CHUNKS), r -> {
      Thread t = new Thread(r, "pretrain");
      t.setDaemon(true);
      return t;
    });
    try {
      for (int e = 0; e < c.epochs(); e++) {
        for (int i = 0; i < n; i++) {
          order[i] = i;
        }
        shuffle.shuffle(order);
        double lossSum = 0;
        for (int start = 0; start < n; start += c.batch()) {
          int end = Math.min(n, start + c.batch());
          float lr = (float) (c.learningRate() * 0.5 * (1 + Math.cos(Math.PI * step
              / totalSteps)));
          float batchLoss = batchStep(order, start, end, xs, ys, lr, step + 1, pool);
          lossSum += batchLoss * (end - start);
          step++;
          if (progress != null) {
            progress.update((long) e * n + end, (long) c.epochs() * n, e + 1,
                batchLoss);
          }
        }
        epochLoss[e] = (float) (lossSum / n);
      }
    } finally {
      pool.shutdownNow();
    }
    return epochLoss;
  }

  private float batchStep(int[] order, int start, int end, byte[][] xs, int[] ys, float lr,
      long t, ExecutorService pool) {
    List<Future<float[][]>> parts = new ArrayList<>();
    float[] losses = new float[CHUNKS];
    for (int k = 0; k < CHUNKS; k++) {
      final int chunk = k;
      parts.add(pool.submit(() -> {
        float[][] pg = new float[net.graph().tensors().size()][];
        for (int id : params) {
          pg[id] = new float[net.param(id).length];
        }
        float loss = 0f;
        for (int i = start + chunk; i < end; i += CHUNKS) {
          float[][] acts = net.forward(realInput(xs[order[i]]));
          float[] l = acts[logits];
          float[] dl = new float[l.length];
          loss += SoftmaxCrossEntropy.lossAndGrad(l, ys[order[i]], dl);
          net.backward(acts, logits, dl, pg);
        }
        losses[chunk] = loss;
        return pg;
      }));
    }
    float[][] sum = null;
    try {
      for (Future<float[][]> f : parts) {
        float[][] pg = f.get();
        if (sum == null) {
          sum = pg;
        } else {
          for (int id : params) {
            float[] s = sum[id];
            float[] g = pg[id];
            for (int i = 0; i < s.length; i++) {
              s[i] += g[i];
            }
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
    int count = end - start;
    float b1 = 0.9f;
    float b2 = 0.999f;
    float c1 = (float) (1 - Math.pow(b1, t));
    float c2 = (float) (1 - Math.pow(b2, t));
    for (int p = 0; p < params.length; p++) {
      float[] w = net.param(params[p]);
      float[] g = sum[params[p]];
      float[] mp = m[p];
      float[] vp = v[p];
      for (int i = 0; i < w.length; i++) {
        float gi = g[i] / count;
        mp[i] = b1 * mp[i] + (1 - b1) * gi;
        vp[i] = b2 * vp[i] + (1 - b2) * gi * gi;
        w[i] -= lr * (mp[i] / c1) / ((float) Math.sqrt(vp[i] / c2) + 1e-7f);
      }
    }
    float loss = 0f;
    for (float l : losses) {
      loss += l;
    }
    return loss / count;
  }
}
