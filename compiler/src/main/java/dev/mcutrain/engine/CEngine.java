package dev.mcutrain.engine;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import dev.mcutrain.McuTrainException;
import dev.mcutrain.codegen.c.HostRunnerEmitter;
import dev.mcutrain.codegen.c.InferenceEmitter;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.plan.InferenceLayout;
import dev.mcutrain.toolchain.HostBuild;
import dev.mcutrain.toolchain.ProcessRunner;
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
 * Generated C as an engine: emits the model's C and a host runner, builds them with the bundled
 * clang (runtime objects are cached) and runs the executable once per inference.
 */
public final class CEngine implements InferenceEngine {
  private static final Duration TIMEOUT = Duration.ofMinutes(5);

  private final Graph graph;
  private final Path executable;

  public CEngine(Graph graph) {
    this(graph, new HostBuild());
  }

  public CEngine(Graph graph, HostBuild build) {
    this(graph, build, InferenceLayout.of(graph));
  }

  /**
   * The engine for a given layout, e.g. {@link InferenceLayout#fused} (whose traces report only
   * the operators whose outputs exist).
   */
  public CEngine(Graph graph, HostBuild build, InferenceLayout layout) {
    this.graph = graph;
    try {
      InferenceEmitter emitter = new InferenceEmitter(graph, layout);
      Map<String, String> files = emitter.emit();
      Hasher h = Hashing.sha256().newHasher();
      files.forEach((k, v) -> h.putString(k, StandardCharsets.UTF_8)
          .putString(v, StandardCharsets.UTF_8));
      Path dir = Files.createDirectories(build.cacheDir().resolve("models")
          .resolve(graph.name() + "-" + h.hash().toString().substring(0, 12)));
      List<Path> sources = new ArrayList<>();
      for (Map.Entry<String, String> f : files.entrySet()) {
        Path p = dir.resolve(f.getKey());
        writeIfChanged(p, f.getValue());
        if (f.getKey().endsWith(".c")) {
          sources.add(p);
        }
      }
      Path main = dir.resolve("main.c");
      writeIfChanged(main, HostRunnerEmitter.emit(emitter.names()));
      sources.add(main);
      this.executable = build.buildExecutable(sources, List.of(dir), dir, "mt_" + graph.name());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeIfChanged(Path p, String content) throws IOException {
    byte[] b = content.getBytes(StandardCharsets.UTF_8);
    if (!Files.exists(p) || !java.util.Arrays.equals(Files.readAllBytes(p), b)) {
      Files.write(p, b);
    }
  }

  public Path executable() {
    return executable;
  }

  @Override
  public Result run(byte[] input, boolean trace) {
    List<String> cmd = trace ? List.of(executable.toString(), "--trace")
        : List.of(executable.toString());
    ProcessRunner.Result r = ProcessRunner.run(cmd, input, TIMEOUT);
    if (r.exitCode() == 3) {
      throw new McuTrainException("the generated program rejected the input size ("
          + input.length + " bytes, expected " + graph.inputBytes() + ")");
    }
    if (r.exitCode() != 0) {
      throw new McuTrainException("the generated program failed with exit code " + r.exitCode());
    }
    ByteBuffer b = ByteBuffer.wrap(r.stdout()).order(ByteOrder.LITTLE_ENDIAN);
    List<OpOutput> ops = new ArrayList<>();
    while (b.remaining() >= 8) {
      int op = b.getInt();
      int size = b.getInt();
      if (size < 0 || size > b.remaining()) {
        break;
      }
      byte[] data = new byte[size];
      b.get(data);
      if (op < 0) {
        return new Result(data, ops);
      }
      ops.add(new OpOutput(op, data));
    }
    throw new McuTrainException("the generated program produced malformed output ("
        + r.stdout().length + " bytes)");
  }
}
