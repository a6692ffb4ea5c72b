package dev.mcutrain.link;

import dev.mcutrain.McuTrainException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32;

/**
 * A frame of the serial fine-tuning protocol: {@code 0xA5 0x5A}, type (u8), payload length
 * (u16, little-endian), payload, CRC-32 of type, length and payload (u32, little-endian).
 */
public record Frame(int type, byte[] payload) {
  public static final int SYNC0 = 0xA5;
  public static final int SYNC1 = 0x5A;
  public static final int MAX_PAYLOAD = 0xFFFF;

  /** Host to device. */
  public static final int SAMPLE = 0x01;
  public static final int INFER = 0x02;
  public static final int STATS = 0x03;
  public static final int BYE = 0x04;
  /** Device to host. */
  public static final int TRAINED = 0x81;
  public static final int PREDICTION = 0x82;
  public static final int STATS_REPLY = 0x83;
  public static final int BYE_REPLY = 0x84;
  public static final int ERROR = 0xFF;

  public Frame {
    if (type < 0 || type > 0xFF || payload.length > MAX_PAYLOAD) {
      throw new IllegalArgumentException("bad frame type " + type + " or length "
          + payload.length);
    }
  }

  static long crc(int type, byte[] payload) {
    CRC32 c = new CRC32();
    c.update(type);
    c.update(payload.length & 0xFF);
    c.update((payload.length >> 8) & 0xFF);
    c.update(payload);
    return c.getValue();
  }

  /** The frame's bytes on the wire. */
  public byte[] encode() {
    ByteBuffer b = ByteBuffer.allocate(9 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) SYNC0).put((byte) SYNC1).put((byte) type).putShort((short) payload.length)
        .put(payload).putInt((int) crc(type, payload));
    return b.array();
  }

  /**
   * Reads the next valid frame, skipping bytes until a sync pattern and frames whose CRC fails.
   * Throws on end of stream.
   */
  public static Frame read(InputStream in) throws IOException {
    while (true) {
      int b = next(in);
      if (b != SYNC0) {
        continue;
      }
      if (next(in) != SYNC1) {
        continue;
      }
      int type = next(in);
      int length = next(in) | next(in) << 8;
      byte[] payload = in.readNBytes(length);
      if (payload.length != length) {
        throw new McuTrainException("the link closed in the middle of a frame");
      }
      long crc = (next(in) | next(in) << 8 | next(in) << 16 | (long) next(in) << 24);
      if (crc == crc(type, payload)) {
        return new Frame(type, payload);
      }
    }
  }

  private static int next(InputStream in) throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new McuTrainException("the link closed (no reply from the device)");
    }
    return b;
  }

  /** A SAMPLE frame: label byte, then the input. */
  public static Frame sample(int label, byte[] input) {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    o.write(label);
    o.writeBytes(input);
    return new Frame(SAMPLE, o.toByteArray());
  }
}
