package dev.mcutrain.toolchain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mcutrain.engine.Selftest;
import dev.mcutrain.frontend.tflite.TfliteReader;
import dev.mcutrain.ir.Graph;
import dev.mcutrain.testing.SharedAssets;
import dev.mcutrain.train.ReferenceTrainer;
import dev.mcutrain.train.TrainingBudget;
import dev.mcutrain.train.TrainingMemoryPlan;
import dev.mcutrain.train.spec.TrainingSpec;
import dev.mcutrain.train.spec.UpdateScheme;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/serial-finetune: the protocol, and losses equal to the Java reference trainer's. */
class SerialFinetuneTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(3);

  private record Setup(TrainingMemoryPlan plan, byte[] person, byte[] none, List<Path> sources) {}

  private static Setup setup(Path dir) throws IOException {
    Graph g = TfliteReader.read(SharedAssets.personDetect());
    TrainingMemoryPlan plan = TrainingBudget.planWithinBudget(g, TrainingSpec.builder()
        .classes(2).scheme(UpdateScheme.parse("bias:4")).build());
    byte[] person = Files.readAllBytes(SharedAssets.golden("person_detect/person/input.bin"));
    byte[] none = Files.readAllBytes(SharedAssets.golden("person_detect/no_person/input.bin"));
    // the generated selftest data is linked in too: the example must not mind it
    List<Path> sources = new ArrayList<>(
        new Selftest(plan, List.of(person), new int[] {1}, 1).writeTo(dir.resolve("gen")));
    sources.add(SharedAssets.projectRoot().resolve("examples/serial-finetune/main.c"));
    return new Setup(plan, person, none, sources);
  }

  private static byte[] cat(int label, byte[] input) {
    byte[] p = new byte[1 + input.length];
    p[0] = (byte) label;
    System.arraycopy(input, 0, p, 1, input.length);
    return p;
  }

  /** The request stream: two samples, every error, an inference, stats and bye. */
  private static byte[] requests(Setup s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(FrameCodecTest.frame(0x01, cat(1, s.person())));
    out.writeBytes(FrameCodecTest.frame(0x01, cat(0, s.none())));
    out.writeBytes(FrameCodecTest.frame(0x01, cat(1, new byte[10])));      // wrong size
    out.writeBytes(FrameCodecTest.frame(0x01, cat(2, s.person())));        // bad label
    byte[] corrupt = FrameCodecTest.frame(0x01, cat(1, s.person()));
    corrupt[100] ^= 1;
    out.writeBytes(corrupt);                                               // CRC
    out.writeBytes(FrameCodecTest.frame(0x09, new byte[] {1}));            // unknown type
    out.writeBytes(FrameCodecTest.frame(0x02, s.person()));                // infer
    out.writeBytes(FrameCodecTest.frame(0x03, new byte[0]));               // stats
    out.writeBytes(FrameCodecTest.frame(0x04, new byte[0]));               // bye
    return out.toByteArray();
  }

  private static void checkReplies(Setup s, InputStream in) throws IOException {
    ReferenceTrainer t = new ReferenceTrainer(s.plan().program());
    float l1 = t.step(s.person(), 1);
    float l2 = t.step(s.none(), 0);
    SerialLinkTest.Frame r = SerialLinkTest.readFrame(in);
    assertEquals(0x81, r.type());
    assertEquals(Float.floatToRawIntBits(l1), (int) SerialLinkTest.u32(r.payload(), 0), "loss 1");
    assertEquals(1, SerialLinkTest.u32(r.payload(), 4));
    r = SerialLinkTest.readFrame(in);
    assertEquals(0x81, r.type());
    assertEquals(Float.floatToRawIntBits(l2), (int) SerialLinkTest.u32(r.payload(), 0), "loss 2");
    assertEquals(2, SerialLinkTest.u32(r.payload(), 4));
    for (int code : new int[] {2, 3, 1, 4}) {
      r = SerialLinkTest.readFrame(in);
      assertEquals(0xFF, r.type());
      assertArrayEquals(new byte[] {(byte) code}, r.payload());
    }
    r = SerialLinkTest.readFrame(in);
    assertEquals(0x82, r.type());
    assertEquals(1 + 4 * 2, r.payload().length);
    float[] logits = t.logits(s.person());
    for (int i = 0; i < 2; i++) {
      assertEquals(Float.floatToRawIntBits(logits[i]),
          (int) SerialLinkTest.u32(r.payload(), 1 + 4 * i), "logit " + i);
    }
    assertEquals(t.predict(s.person()), r.payload()[0]);
    r = SerialLinkTest.readFrame(in);
    assertEquals(0x83, r.type());
    assertEquals(16, r.payload().length);
    assertEquals(2, SerialLinkTest.u32(r.payload(), 0), "trained");
    assertEquals(1, SerialLinkTest.u32(r.payload(), 4), "rejected");
    assertEquals(1, SerialLinkTest.u32(r.payload(), 8), "wrong size");
    assertEquals(1, SerialLinkTest.u32(r.payload(), 12), "bad labels");
    r = SerialLinkTest.readFrame(in);
    assertEquals(0x84, r.type());
    assertEquals(0, r.payload().length);
  }

  @Test
  void hostRunOverStdinAndStdout(@TempDir Path dir) throws IOException {
    Setup s = setup(dir);
    HostBuild build = new HostBuild();
    Path exe = build.buildExecutable(s.sources(), List.of(dir.resolve("gen")), dir,
        "serial-finetune");
    ProcessRunner.Result r = ProcessRunner.run(List.of(exe.toString()), requests(s), TIMEOUT);
    assertEquals(0, r.exitCode());
    ByteArrayInputStream in = new ByteArrayInputStream(r.stdout());
    checkReplies(s, in);
    assertEquals(0, in.available(), "nothing after the BYE reply");
    // end of the link without BYE: status 1
    assertEquals(1, ProcessRunner.run(List.of(exe.toString()), new byte[0], TIMEOUT).exitCode());
  }

  @Test
  void emulatedCortexM7OverTheUartSocket(@TempDir Path dir) throws IOException {
    Setup s = setup(dir);
    FirmwareBuild.Image img = FirmwareBuild.build(Board.MPS2_AN500, 256L << 10, s.sources(),
        List.of(dir.resolve("gen")), dir.resolve("mps2"), "serial-finetune");
    try (Qemu.Session q = Qemu.start(img.elf(), SerialLinkTest.freePort(), false);
        Socket socket = q.connect(TIMEOUT)) {
      socket.getOutputStream().write(requests(s));
      socket.getOutputStream().flush();
      checkReplies(s, socket.getInputStream());
      Qemu.Result result = q.waitFor(TIMEOUT);
      assertEquals(0, result.exitStatus(), "stderr: " + result.stderr());
    }
  }
}
