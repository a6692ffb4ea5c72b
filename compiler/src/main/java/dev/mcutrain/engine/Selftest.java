package dev.mcutrain.engine;

import dev.mcutrain.codegen.c.ExampleEmitter;
import dev.mcutrain.codegen.c.TrainingEmitter;
import dev.mcutrain.train.ReferenceTrainer;
import dev.mcutrain.train.TrainingMemoryPlan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The selftest example for one compiled training step: its generated sources, and the exact text
 * it must print, computed with the Java reference trainer.
 */
public final class Selftest {
  private final TrainingMemoryPlan plan;
  private final List<byte[]> samples;
  private final int[] labels;
  private final int steps;

  public Selftest(TrainingMemoryPlan plan, List<byte[]> samples, int[] labels, int steps) {
    this.plan = plan;
    this.samples = List.copyOf(samples);
    this.labels = labels.clone();
    this.steps = steps;
  }

  /** File name → content: the training step, mt_model.h and the embedded batch. */
  public Map<String, String> generatedSources() {
    TrainingEmitter emitter = new TrainingEmitter(plan);
    Map<String, String> files = new LinkedHashMap<>(emitter.emit());
    files.put("mt_model.h", ExampleEmitter.modelAlias(emitter.names()));
    files.putAll(ExampleEmitter.selftestData(samples, labels, steps));
    return files;
  }

  /** Writes the generated sources into {@code dir}; returns the .c files among them. */
  public List<Path> writeTo(Path dir) {
    try {
      Files.createDirectories(dir);
      List<Path> sources = new ArrayList<>();
      for (Map.Entry<String, String> f : generatedSources().entrySet()) {
        Path p = dir.resolve(f.getKey());
        byte[] b = f.getValue().getBytes(StandardCharsets.UTF_8);
        if (!Files.exists(p) || !java.util.Arrays.equals(Files.readAllBytes(p), b)) {
          Files.write(p, b);
        }
        if (f.getKey().endsWith(".c")) {
          sources.add(p);
        }
      }
      return sources;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What the selftest prints when it matches the Java reference trainer bit for bit. */
  public String expectedOutput() {
    ReferenceTrainer t = new ReferenceTrainer(plan.program());
    StringBuilder sb = new StringBuilder();
    for (int step = 0; step < steps; step++) {
      int i = step % samples.size();
      float loss = t.step(samples.get(i), labels[i]);
      sb.append(String.format(Locale.ROOT, "step %d loss %08x%n", step,
          Float.floatToRawIntBits(loss)));
    }
    byte[] state = t.exportState();
    CRC32 crc = new CRC32();
    crc.update(state);
    sb.append(String.format(Locale.ROOT, "state crc %08x size %d%nselftest ok%n", crc.getValue(),
        state.length));
    return sb.toString().replace(System.lineSeparator(), "\n");
  }
}
