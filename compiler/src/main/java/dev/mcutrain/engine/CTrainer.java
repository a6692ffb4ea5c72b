package dev.mcutrain.engine;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.mcutrain.McuTrainException;
import dev.mcutrain.codegen.c.TrainRunnerEmitter;
import dev.mcutrain.codegen.c.TrainingEmitter;
import dev.mcutrain.train.StateLayout;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.toolchain.HostBuild;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The generated C training step, built for the host with the bundled clang: runs a sequence of
 * labelled samples from a fresh {@code init()} and returns the losses and the exported state.
 */
public final class CTrainer {
  /** Losses per step and the final state blob. */
  public record Result(float[] losses, byte[] state) {}

  private final TrainingMemoryPlan plan;
  private final Path executable;

  public CTrainer(TrainingMemoryPlan plan) {
    this(plan, new HostBuild());
  }

  public CTrainer(TrainingMemoryPlan plan, HostBuild build) {
    this.plan = plan;
    try {
      TrainingEmitter emitter = new TrainingEmitter(plan);
      Map<String, String> files = emitter.emit();
      Hasher h = Hashing.sha256().newHasher();
      files.forEach((k, v) -> h.putString(k, StandardCharsets.UTF_8)
          .putString(v, StandardCharsets.UTF_8));
      String name = plan.program().graph().name();
      Path dir = Files.createDirectories(build.cacheDir().resolve("train")
          .resolve(name + "-" + h.hash().toString().substring(0, 12)));
      List<Path> sources = new ArrayList<>();
      for (Map.Entry<String, String> f : files.entrySet()) {
        Path p = dir.resolve(f.getKey());
        Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
        if (f.getKey().endsWith(".c")) {
          sources.add(p);
        }
      }
      Path main = dir.resolve("main.c");
      Files.writeString(main, TrainRunnerEmitter.emit(emitter.names(),
          plan.program().graph().inputs().size() == 1), StandardCharsets.UTF_8);
      sources.add(main);
      this.executable = build.buildExecutable(sources, List.of(dir), dir, "train_" + name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code inputs.size()} training steps from the initial state. */
  public Result run(List<byte[]> inputs, int[] labels) {
    try (Session s = open()) {
      float[] losses = s.train(inputs.toArray(new byte[0][]), labels, null);
      return new Result(losses, s.state());
    }
  }

  /** Starts the training program as a command server with a fresh {@code init()} state. */
  public Session open() {
    return new Session();
  }

  /**
   * A running training program (see {@link TrainRunnerEmitter} for the protocol): training steps
   * and inferences against one evolving state, streamed so that progress can be reported.
   */
  public final class Session implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;
    private final DataInputStream stdout;
    private final int inputBytes;
    private final int classes;

    private Session() {
      try {
        this.process = new ProcessBuilder(executable.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      } catch (IOException e) {
        throw new McuTrainException("cannot start " + executable + ": " + e.getMessage());
      }
      this.stdin = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
      this.stdout = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
      var g = plan.program().graph();
      this.inputBytes = (int) g.inputBytes();
      this.classes = plan.program().head().map(dev.mcutrain.train.TrainingProgram.Head::units)
          .orElse((int) g.tensor(plan.program().logitsTensor()).shape().elementCount());
    }

    /**
     * One training step per sample, in order; {@code progress} (may be null) hears the number
     * of steps done and the last loss after every step. Returns the losses.
     */
    public float[] train(byte[][] inputs, int[] labels, StepListener progress) {
      Thread writer = feed(out -> {
        for (int i = 0; i < inputs.length; i++) {
          check(inputs[i]);
          out.write('T');
          out.write(inputs[i]);
          out.write(labels[i]);
        }
      });
      float[] losses = new float[inputs.length];
      for (int i = 0; i < losses.length; i++) {
        losses[i] = readFloat();
        if (progress != null) {
          progress.step(i + 1, losses[i]);
        }
      }
      join(writer);
      return losses;
    }

    /** The logits of each input with the current state. */
    public float[][] infer(byte[][] inputs) {
      Thread writer = feed(out -> {
        for (byte[] x : inputs) {
          check(x);
          out.write('E');
          out.write(x);
        }
      });
      float[][] logits = new float[inputs.length][classes];
      for (float[] l : logits) {
        for (int k = 0; k < classes; k++) {
          l[k] = readFloat();
        }
      }
      join(writer);
      return logits;
    }

    /** The exported state blob. */
    public byte[] state() {
      Thread writer = feed(out -> out.write('S'));
      byte[] state = new byte[StateLayout.of(plan.program()).totalBytes()];
      try {
        stdout.readFully(state);
      } catch (IOException e) {
        throw failure();
      }
      join(writer);
      return state;
    }

    private void check(byte[] x) {
      if (x.length != inputBytes) {
        throw new IllegalArgumentException("input of " + x.length + " bytes, the model takes "
            + inputBytes);
      }
    }

    private interface Feeder {
      void write(OutputStream out) throws IOException;
    }

    private volatile IOException writeError;

    private Thread feed(Feeder f) {
      Thread t = new Thread(() -> {
        try {
          f.write(stdin);
          stdin.flush();
        } catch (IOException e) {
          writeError = e;
        }
      }, "ctrainer-feed");
      t.setDaemon(true);
      t.start();
      return t;
    }

    private void join(Thread t) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new McuTrainException("interrupted");
      }
      if (writeError != null) {
        throw failure();
      }
    }

    private float readFloat() {
      try {
        return Float.intBitsToFloat(Integer.reverseBytes(stdout.readInt()));
      } catch (IOException e) {
        throw failure();
      }
    }

    private McuTrainException failure() {
      process.destroy();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new McuTrainException("the generated training program stopped early"
          + (process.isAlive() ? "" : " with exit code " + process.exitValue()));
    }

    @Override
    public void close() {
      try {
        stdin.write('Q');
        stdin.close();
        if (!process.waitFor(1, TimeUnit.MINUTES)) {
          process.destroyForcibly();
        }
      } catch (IOException e) {
        process.destroyForcibly();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
      }
    }
  }

  /** Hears each finished training step. */
  public interface StepListener {
    void step(int done, float loss);
  }
}
