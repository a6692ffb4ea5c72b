package dev.mcutrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.engine.Selftest;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.link.Frame;
import dev.mcutrain.testing.SharedAssets;
import dev.mcutrain.toolchain.Board;
import dev.mcutrain.toolchain.FirmwareBuild;
import dev.mcutrain.toolchain.Qemu;
import dev.mcutrain.train.ReferenceTrainer;
import dev.mcutrain.train.TrainingBudget;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.spec.UpdateScheme;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * examples/serial-finetune on the emulated Cortex-M7 trains from {@code mcutrain send} over its
 * UART, after corrupted frames were injected on the same link; the losses it reports are the
 * Java reference trainer's, bit for bit.
 */
class SerialSendTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  @Test
  void sendTrainsTheEmulatedBoardAndCorruptedFramesAreRejected(@TempDir Path dir)
      throws IOException {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    TrainingMemoryPlan plan = TrainingBudget.planWithinBudget(g, TrainingSpec.builder()
        .classes(2).scheme(UpdateScheme.parse("bias:4")).build());
    byte[] person = Files.readAllBytes(SharedAssets.golden("person_detect/person/input.bin"));
    byte[] none = Files.readAllBytes(SharedAssets.golden("person_detect/no_person/input.bin"));
    List<Path> sources = new ArrayList<>(
        new Selftest(plan, List.of(person), new int[] {1}, 1).writeTo(dir.resolve("gen")));
    sources.add(SharedAssets.projectRoot().resolve("examples/serial-finetune/main.c"));
    FirmwareBuild.Image img = FirmwareBuild.build(Board.MPS2_AN500, 256L << 10, sources,
        List.of(dir.resolve("gen")), dir.resolve("mps2"), "serial_finetune");
    // The dataset: person, no_person, person, no_person.
    Path data = Files.createDirectories(dir.resolve("data"));
    byte[] samples = new byte[4 * person.length];
    for (int i = 0; i < 4; i++) {
      System.arraycopy(i % 2 == 0 ? person : none, 0, samples, i * person.length, person.length);
    }
    Files.write(data.resolve("samples.bin"), samples);
    Files.write(data.resolve("labels.bin"), new byte[] {1, 0, 1, 0});
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (Qemu.Session q = Qemu.start(img.elf(), port, false)) {
      // 1. Inject two corrupted frames; each is answered with an error (code 1).
      try (Socket raw = q.connect(TIMEOUT)) {
        for (int k = 0; k < 2; k++) {
          byte[] bad = Frame.sample(1, person).encode();
          bad[100 + k] ^= 0x20;
          raw.getOutputStream().write(bad);
          raw.getOutputStream().flush();
          Frame reply = Frame.read(raw.getInputStream());
          assertEquals(Frame.ERROR, reply.type());
          assertEquals(1, reply.payload()[0]);
        }
      }
      // 2. mcutrain send streams the dataset over a new connection.
      CliTest.Run r = CliTest.run("send", "--port", "tcp:127.0.0.1:" + port, "--data",
          data.toString(), "--input-size", String.valueOf(person.length), "--bye");
      assertEquals(0, r.code(), r.err());
      ReferenceTrainer java = new ReferenceTrainer(plan.program());
      for (int i = 0; i < 4; i++) {
        float loss = java.step(i % 2 == 0 ? person : none, i % 2 == 0 ? 1 : 0);
        String line = String.format(Locale.ROOT, "sample %d/4 loss %08x", i + 1,
            Float.floatToRawIntBits(loss));
        assertTrue(r.out().contains(line), "expected '" + line + "' in:\n" + r.out());
      }
      assertTrue(r.out().contains("device: 4 trained, 2 rejected frames"), r.out());
      assertEquals(0, q.waitFor(TIMEOUT).exitStatus());
    }
  }
}
