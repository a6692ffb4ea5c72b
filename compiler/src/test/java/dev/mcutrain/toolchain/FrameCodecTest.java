package dev.mcutrain.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** runtime-c/src/link/mt_frame.c on the host, through tests/firmware/frame_codec.c. */
class FrameCodecTest {
  @TempDir static Path dir;
  private static Path exe;

  @BeforeAll
  static void build() {
    Path checkout = RuntimeSources.sourceCheckout();
    assertNotNull(checkout);
    exe = new HostBuild(dir.resolve("cache")).buildExecutable(
        List.of(checkout.resolve("tests/firmware/frame_codec.c")), List.of(), dir, "frame_codec");
  }

  /** One frame: A5 5A type len(LE16) payload crc32(type+len+payload, LE32). */
  static byte[] frame(int type, byte[] payload) {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) 0xA5;
    f[1] = (byte) 0x5A;
    f[2] = (byte) type;
    f[3] = (byte) payload.length;
    f[4] = (byte) (payload.length >> 8);
    System.arraycopy(payload, 0, f, 5, payload.length);
    CRC32 crc = new CRC32();
    crc.update(f, 2, 3 + payload.length);
    long c = crc.getValue();
    for (int i = 0; i < 4; i++) {
      f[5 + payload.length + i] = (byte) (c >> (8 * i));
    }
    return f;
  }

  private static String run(byte[] stream, int capacity) {
    ProcessRunner.Result r = ProcessRunner.run(
        List.of(exe.toString(), Integer.toString(capacity)), stream, Duration.ofSeconds(30));
    assertEquals(0, r.exitCode(), r.stdoutText());
    return r.stdoutText();
  }

  private static String ok(int type, byte[] payload) {
    return "OK " + String.format("%02x", type) + " " + payload.length + " "
        + HexFormat.of().formatHex(frame(type, payload)) + "\n";
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] bytes(int n, int seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void validFramesDecodeAndReencodeIdentically() {
    byte[] a = "hello".getBytes(StandardCharsets.US_ASCII);
    byte[] b = new byte[0];
    byte[] c = bytes(1024, 1);
    byte[] d = {(byte) 0xA5, 0x5A, (byte) 0xA5, 0x5A}; // sync bytes inside a payload
    String out = run(concat(frame(1, a), frame(0x84, b), frame(0xFF, c), frame(2, d)), 1024);
    assertEquals(ok(1, a) + ok(0x84, b) + ok(0xFF, c) + ok(2, d) + "ok 4 bad 0\n", out);
  }

  @Test
  void corruptedFramesCountAsBadAndTheNextFrameIsFound() {
    byte[] a = bytes(40, 2);
    byte[] badCrc = frame(3, a);
    badCrc[badCrc.length - 1] ^= 1;
    byte[] badPayload = frame(3, a);
    badPayload[10] ^= (byte) 0x80;
    byte[] badLength = frame(3, a);
    badLength[3] ^= 1; // length 41: eats the first byte of the next stream element
    String out = run(concat(badCrc, frame(1, a), badPayload, frame(1, a)), 1024);
    assertEquals("BAD\n" + ok(1, a) + "BAD\n" + ok(1, a) + "ok 2 bad 2\n", out);
    // a wrong length swallows the start of the next frame: one BAD, then resync on a later one
    out = run(concat(badLength, bytes(3, 9), frame(1, a), frame(2, a)), 1024);
    assertEquals("BAD\n" + ok(1, a) + ok(2, a) + "ok 2 bad 1\n", out);
  }

  @Test
  void oversizeLengthsAreBadAndSkipped() {
    byte[] big = bytes(200, 3);
    byte[] small = bytes(100, 4);
    String out = run(concat(frame(1, big), frame(1, small), frame(2, big), frame(3, small)), 100);
    // the skipped bytes of the big frames must hold no 0xA5 0x5A pair for this expectation
    assertEquals(false, containsSync(java.util.Arrays.copyOfRange(frame(1, big), 2, 209)));
    assertEquals(false, containsSync(java.util.Arrays.copyOfRange(frame(2, big), 2, 209)));
    assertEquals("BAD\n" + ok(1, small) + "BAD\n" + ok(3, small) + "ok 2 bad 2\n", out);
  }

  @Test
  void truncatedFramesAndTrailingPiecesAreHandled() {
    byte[] a = bytes(30, 5);
    byte[] f = frame(7, a);
    byte[] cut = java.util.Arrays.copyOf(f, 20);
    // truncated at the end of the stream: no event
    assertEquals(ok(7, a) + "ok 1 bad 0\n", run(concat(f, cut), 1024));
    // truncated in the middle: the next frame's bytes complete it, its CRC fails (one BAD); the
    // rest of that frame is skipped silently and the frame after it decodes
    assertEquals("BAD\n" + ok(7, a) + "ok 1 bad 1\n", run(concat(cut, f, f), 1024));
    assertEquals("ok 0 bad 0\n", run(new byte[0], 1024));
  }

  @Test
  void garbageBetweenFramesCountsOncePerRun() {
    byte[] a = bytes(16, 6);
    byte[] junk = {1, 2, 3, (byte) 0xA5, 4, 5};
    byte[] lone = {(byte) 0xA5, (byte) 0xA5}; // A5 A5 A5 5A ...: strays, then the frame
    List<byte[]> parts = new ArrayList<>();
    parts.add(junk);            // stray at the start: BAD
    parts.add(frame(1, a));     // OK
    parts.add(junk);            // BAD
    parts.add(junk);            // same run: no second BAD
    parts.add(frame(2, a));     // OK
    parts.add(lone);            // BAD (stray bytes), the frame's own A5 5A then resyncs
    parts.add(frame(3, a));     // OK
    parts.add(frame(4, a));     // OK, back to back
    parts.add(new byte[] {0});  // trailing stray: BAD
    String out = run(concat(parts.toArray(new byte[0][])), 1024);
    assertEquals("BAD\n" + ok(1, a) + "BAD\n" + ok(2, a) + "BAD\n" + ok(3, a) + ok(4, a)
        + "BAD\n" + "ok 4 bad 4\n", out);
  }

  private static boolean containsSync(byte[] b) {
    for (int i = 0; i + 1 < b.length; i++) {
      if ((b[i] & 0xFF) == 0xA5 && (b[i + 1] & 0xFF) == 0x5A) {
        return true;
      }
    }
    return false;
  }
}
