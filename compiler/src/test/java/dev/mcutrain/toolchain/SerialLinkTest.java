package dev.mcutrain.toolchain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mps2-an500 link (CMSDK UART0) through a loopback socket: tests/firmware/link_echo.c. */
class SerialLinkTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  /** A frame as decoded from the link. */
  record Frame(int type, byte[] payload) {}

  static Frame readFrame(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    int b0 = d.readUnsignedByte();
    int b1 = d.readUnsignedByte();
    assertEquals(0xA5, b0, "sync 0");
    assertEquals(0x5A, b1, "sync 1");
    byte[] head = new byte[3];
    d.readFully(head);
    int length = (head[1] & 0xFF) | (head[2] & 0xFF) << 8;
    byte[] payload = new byte[length];
    d.readFully(payload);
    byte[] crcBytes = new byte[4];
    d.readFully(crcBytes);
    CRC32 crc = new CRC32();
    crc.update(head);
    crc.update(payload);
    assertEquals(crc.getValue(), u32(crcBytes, 0), "reply CRC");
    return new Frame(head[0] & 0xFF, payload);
  }

  static long u32(byte[] b, int off) {
    return (b[off] & 0xFFL) | (b[off + 1] & 0xFFL) << 8 | (b[off + 2] & 0xFFL) << 16
        | (b[off + 3] & 0xFFL) << 24;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void framesRoundTripThroughTheEmulatedUart(@TempDir Path dir) throws IOException {
    Path checkout = RuntimeSources.sourceCheckout();
    assertNotNull(checkout);
    FirmwareBuild.Image img = new FirmwareBuild(dir.resolve("cache")).buildImage(Board.MPS2_AN500,
        256L << 10, List.of(checkout.resolve("tests/firmware/link_echo.c")), List.of(),
        dir.resolve("out"), "link_echo");
    try (Qemu.Session q = Qemu.start(img.elf(), freePort(), false);
        Socket socket = q.connect(TIMEOUT)) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();

      byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
      out.write(FrameCodecTest.frame(0x10, hello));
      out.flush();
      Frame r = readFrame(in);
      assertEquals(0x10, r.type());
      assertArrayEquals(hello, r.payload());

      byte[] big = new byte[256];
      for (int i = 0; i < big.length; i++) {
        big[i] = (byte) (i * 7);
      }
      out.write(FrameCodecTest.frame(0x20, big));
      out.write(FrameCodecTest.frame(0x21, new byte[0]));
      out.flush();
      r = readFrame(in);
      assertEquals(0x20, r.type());
      assertArrayEquals(big, r.payload());
      r = readFrame(in);
      assertEquals(0x21, r.type());
      assertEquals(0, r.payload().length);

      byte[] corrupt = FrameCodecTest.frame(0x11, hello);
      corrupt[6] ^= 0x40;
      out.write(corrupt);
      out.flush();
      r = readFrame(in);
      assertEquals(0xFF, r.type(), "a corrupted frame is reported");
      assertEquals(1, u32(r.payload(), 0));

      ByteArrayOutputStream mixed = new ByteArrayOutputStream();
      // after a BAD the parser hunts silently; after a good frame stray bytes are one BAD
      mixed.writeBytes(new byte[] {7, 8}); // silent: still hunting after the corrupt frame
      mixed.writeBytes(FrameCodecTest.frame(0x12, hello));
      mixed.writeBytes(new byte[] {1, 2, 3}); // stray bytes: BAD 2
      mixed.writeBytes(FrameCodecTest.frame(0x15, hello));
      byte[] oversize = FrameCodecTest.frame(0x13, new byte[300]); // above the 256-byte buffer
      mixed.writeBytes(oversize); // BAD 3
      mixed.writeBytes(FrameCodecTest.frame(0x14, hello));
      out.write(mixed.toByteArray());
      out.flush();
      r = readFrame(in);
      assertEquals(0x12, r.type());
      assertArrayEquals(hello, r.payload());
      r = readFrame(in);
      assertEquals(0xFF, r.type());
      assertEquals(2, u32(r.payload(), 0));
      r = readFrame(in);
      assertEquals(0x15, r.type());
      assertArrayEquals(hello, r.payload());
      r = readFrame(in);
      assertEquals(0xFF, r.type());
      assertEquals(3, u32(r.payload(), 0));
      r = readFrame(in);
      assertEquals(0x14, r.type());
      assertArrayEquals(hello, r.payload());

      out.write(FrameCodecTest.frame(0x04, new byte[0]));
      out.flush();
      r = readFrame(in);
      assertEquals(0x84, r.type());
      assertEquals(0, r.payload().length);

      Qemu.Result result = q.waitFor(TIMEOUT);
      assertEquals(0, result.exitStatus(), "stderr: " + result.stderr());
      assertEquals("link ok 7 bad 3\n", result.stdoutText());
    }
  }
}
