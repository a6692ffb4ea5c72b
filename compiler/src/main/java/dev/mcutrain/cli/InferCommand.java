package dev.mcutrain.cli;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.engine.CEngine;
import dev.mcutrain.engine.InferenceEngine;
import dev.mcutrain.engine.JavaEngine;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.DType;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.ir.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code mcutrain infer MODEL --input IN.bin}: one inference, output values on one line. */
@Command(name = "infer", mixinStandardHelpOptions = true,
    description = "Run one inference on a raw input tensor and print the output values.")
final class InferCommand implements Callable<Integer> {
  enum Engine {
    java,
    c
  }

  @Parameters(index = "0", paramLabel = "MODEL.tflite", description = "int8 TFLite model")
  Path model;

  @Option(names = "--input", required = true, paramLabel = "IN.bin",
      description = "raw input tensor bytes (all inputs packed in order, NHWC)")
  Path input;

  @Option(names = "--engine", defaultValue = "java", paramLabel = "java|c",
      description = "java: the reference interpreter; c: generate C, build it for the host "
          + "with the bundled clang and run it (default: ${DEFAULT-VALUE})")
  Engine engine;

  @Option(names = "--dump-dir", paramLabel = "DIR",
      description = "write every operator's output as DIR/opNN_<OPERATOR>.bin")
  Path dumpDir;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Graph g = TfliteReader.read(model);
    byte[] in = readInput(g);
    InferenceEngine e = engine == Engine.java ? new JavaEngine(g) : new CEngine(g);
    InferenceEngine.Result r = e.run(in, dumpDir != null);
    if (dumpDir != null) {
      Files.createDirectories(dumpDir);
      for (InferenceEngine.OpOutput o : r.ops()) {
        String f = String.format(Locale.ROOT, "op%02d_%s.bin", o.op(), g.ops().get(o.op()).kind());
        Files.write(dumpDir.resolve(f), o.bytes());
      }
    }
    spec.commandLine().getOut().println(format(g, r.output()));
    return 0;
  }

  private byte[] readInput(Graph g) {
    byte[] in;
    try {
      in = Files.readAllBytes(input);
    } catch (NoSuchFileException ex) {
      throw new McuTrainException(input + ": no such file");
    } catch (IOException ex) {
      throw new McuTrainException(input + ": cannot read (" + ex.getMessage() + ")");
    }
    if (in.length != g.inputBytes()) {
      StringJoiner what = new StringJoiner(" + ");
      for (int id : g.inputs()) {
        Tensor t = g.tensor(id);
        what.add(t.dtype().name().toLowerCase(Locale.ROOT) + " " + t.shape());
      }
      throw new McuTrainException(input + " has " + in.length + " bytes but the model's input "
          + "needs " + g.inputBytes() + " (" + what + ")");
    }
    return in;
  }

  /** Output values separated by spaces: integers for int8, shortest floats for float32. */
  static String format(Graph g, byte[] out) {
    StringJoiner j = new StringJoiner(" ");
    ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
    for (int id : g.outputs()) {
      Tensor t = g.tensor(id);
      for (long i = 0; i < t.shape().elementCount(); i++) {
        j.add(t.dtype() == DType.FLOAT32 ? Float.toString(b.getFloat()) : Byte.toString(b.get()));
      }
    }
    return j.toString();
  }
}
