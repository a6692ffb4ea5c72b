package dev.mcutrain.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mcutrain.McuTrainException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The host side of the frame codec: round trips, resynchronisation, and rejected frames. */
class FrameTest {

  @Test
  void roundTripsAndSkipsGarbageAndCorruptedFrames() throws IOException {
    Frame a = Frame.sample(1, new byte[] {1, 2, 3});
    Frame b = new Frame(Frame.STATS, new byte[0]);
    byte[] bad = a.encode();
    bad[6] ^= 1; // flip a payload bit: the CRC fails
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    s.writeBytes(new byte[] {0x00, (byte) 0xA5, 0x11, 0x22});
    s.writeBytes(bad);
    s.writeBytes(a.encode());
    s.writeBytes(b.encode());
    ByteArrayInputStream in = new ByteArrayInputStream(s.toByteArray());
    Frame first = Frame.read(in);
    assertEquals(Frame.SAMPLE, first.type());
    assertArrayEquals(new byte[] {1, 1, 2, 3}, first.payload());
    assertEquals(Frame.STATS, Frame.read(in).type());
    assertThrows(McuTrainException.class, () -> Frame.read(in));
  }

  @Test
  void encodingIsTheDocumentedLayout() {
    byte[] e = new Frame(0x03, new byte[0]).encode();
    assertEquals(9, e.length);
    assertEquals((byte) 0xA5, e[0]);
    assertEquals((byte) 0x5A, e[1]);
    assertEquals(3, e[2]);
    assertEquals(0, e[3]);
    assertEquals(0, e[4]);
  }
}
