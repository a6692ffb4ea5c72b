package dev.mcutrain.engine;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.mcutrain.McuTrainException;
import dev.mcutrain.codegen.c.TrainRunnerEmitter;
import dev.mcutrain.codegen.c.TrainingEmitter;
import dev.mcutrain.train.StateLayout;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.toolchain.ProcessRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
      Files.writeString(main, TrainRunnerEmitter.emit(emitter.names()), StandardCharsets.UTF_8);
      sources.add(main);
      this.executable = build.buildExecutable(sources, List.of(dir), dir, "train_" + name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Runs {@code inputs.size()} training steps from the initial state. */
  public Result run(List<byte[]> inputs, int[] labels) {
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
    header.putInt(inputs.size());
    in.writeBytes(header.array());
    for (int i = 0; i < inputs.size(); i++) {
      in.writeBytes(inputs.get(i));
      in.write(labels[i]);
    }
    ProcessRunner.Result r = ProcessRunner.run(List.of(executable.toString()), in.toByteArray(),
        Duration.ofMinutes(10));
    if (r.exitCode() != 0) {
      throw new McuTrainException("the generated training program failed with exit code "
          + r.exitCode());
    }
    int stateBytes = StateLayout.of(plan.program()).totalBytes();
    ByteBuffer out = ByteBuffer.wrap(r.stdout()).order(ByteOrder.LITTLE_ENDIAN);
    if (out.remaining() != 4 * inputs.size() + stateBytes) {
      throw new McuTrainException("the generated training program wrote " + out.remaining()
          + " bytes, expected " + (4 * inputs.size() + stateBytes));
    }
    float[] losses = new float[inputs.size()];
    for (int i = 0; i < losses.length; i++) {
      losses[i] = out.getFloat();
    }
    byte[] state = new byte[stateBytes];
    out.get(state);
    return new Result(losses, state);
  }
}
