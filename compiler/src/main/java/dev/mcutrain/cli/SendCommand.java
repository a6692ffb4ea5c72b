package dev.mcutrain.cli;

import dev.mcutrain.McuTrainException;
import dev.mcutrain.link.Frame;
import dev.mcutrain.link.Link;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mcutrain send --port PORT --data DIR --input-size N}: streams a labelled dataset to a
 * device running the serial-finetune firmware and prints its training progress.
 */
@Command(name = "send", mixinStandardHelpOptions = true,
    description = "Stream a raw dataset (samples.bin, labels.bin) to a device running "
        + "examples/serial-finetune and print the loss it reports.")
final class SendCommand implements Callable<Integer> {
  @Option(names = "--port", required = true, paramLabel = "PORT",
      description = "tcp:HOST:PORT or a serial device such as /dev/ttyACM0 (set its speed with "
          + "stty first)")
  String port;

  @Option(names = "--data", required = true, paramLabel = "DIR", description = "raw dataset")
  Path data;

  @Option(names = "--input-size", required = true, paramLabel = "BYTES",
      description = "bytes of one input tensor (the model's input size)")
  int inputSize;

  @Option(names = "--epochs", defaultValue = "1", paramLabel = "E",
      description = "passes over the data (default: ${DEFAULT-VALUE})")
  int epochs;

  @Option(names = "--bye", description = "tell the firmware to exit at the end")
  boolean bye;

  @Option(names = "--timeout", defaultValue = "60", paramLabel = "SECONDS",
      description = "per-reply timeout (default: ${DEFAULT-VALUE})")
  int timeout;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (inputSize < 1 || epochs < 1) {
      throw new McuTrainException("--input-size and --epochs must be at least 1");
    }
    byte[] samples = read(data.resolve("samples.bin"));
    byte[] labels = read(data.resolve("labels.bin"));
    if ((long) labels.length * inputSize != samples.length || labels.length == 0) {
      throw new McuTrainException(data.resolve("samples.bin") + " has " + samples.length
          + " bytes, not " + labels.length + " samples of " + inputSize + " bytes");
    }
    PrintWriter out = spec.commandLine().getOut();
    try (Link link = Link.open(port, timeout * 1000)) {
      int total = labels.length * epochs;
      int done = 0;
      for (int e = 0; e < epochs; e++) {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
          byte[] x = new byte[inputSize];
          System.arraycopy(samples, i * inputSize, x, 0, inputSize);
          Frame reply = link.exchange(Frame.sample(labels[i] & 0xFF, x));
          if (reply.type() == Frame.ERROR) {
            throw new McuTrainException("the device rejected sample " + i + " (error code "
                + (reply.payload().length > 0 ? reply.payload()[0] : -1) + ")");
          }
          if (reply.type() != Frame.TRAINED || reply.payload().length < 8) {
            throw new McuTrainException("unexpected reply type " + reply.type());
          }
          ByteBuffer b = ByteBuffer.wrap(reply.payload()).order(ByteOrder.LITTLE_ENDIAN);
          float loss = b.getFloat();
          sum += loss;
          done++;
          out.printf(Locale.ROOT, "sample %d/%d loss %08x (%.6f)%n", done, total,
              Float.floatToRawIntBits(loss), loss);
        }
        out.printf(Locale.ROOT, "epoch %d: mean loss %.6f%n", e + 1, sum / labels.length);
      }
      Frame stats = link.exchange(new Frame(Frame.STATS, new byte[0]));
      if (stats.type() == Frame.STATS_REPLY && stats.payload().length >= 16) {
        ByteBuffer b = ByteBuffer.wrap(stats.payload()).order(ByteOrder.LITTLE_ENDIAN);
        out.printf(Locale.ROOT, "device: %d trained, %d rejected frames, %d wrong-size samples, "
            + "%d bad labels%n", b.getInt(), b.getInt(), b.getInt(), b.getInt());
      }
      if (bye) {
        link.exchange(new Frame(Frame.BYE, new byte[0]));
      }
    }
    return 0;
  }

  private static byte[] read(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      throw new McuTrainException(p + ": no such file");
    } catch (IOException e) {
      throw new McuTrainException(p + ": cannot read (" + e.getMessage() + ")");
    }
  }
}
