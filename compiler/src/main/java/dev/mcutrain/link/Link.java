package dev.mcutrain.link;

import dev.mcutrain.McuTrainException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A byte link to a device: {@code tcp:HOST:PORT} (e.g. QEMU's UART on a socket, or a TCP-serial
 * bridge) or a serial device path such as {@code /dev/ttyACM0} (configure its speed first, e.g.
 * {@code stty -F /dev/ttyACM0 115200 raw -echo}).
 */
public final class Link implements Closeable {
  private final Closeable resource;
  private final InputStream in;
  private final OutputStream out;

  private Link(Closeable resource, InputStream in, OutputStream out) {
    this.resource = resource;
    this.in = in;
    this.out = out;
  }

  public static Link open(String port, int timeoutMillis) {
    try {
      if (port.startsWith("tcp:")) {
        String[] hp = port.substring(4).split(":");
        if (hp.length != 2) {
          throw new McuTrainException("--port " + port + ": expected tcp:HOST:PORT");
        }
        int p;
        try {
          p = Integer.parseInt(hp[1]);
        } catch (NumberFormatException e) {
          throw new McuTrainException("--port " + port + ": bad port number '" + hp[1] + "'");
        }
        Socket s = new Socket();
        s.connect(new InetSocketAddress(hp[0], p), timeoutMillis);
        s.setSoTimeout(timeoutMillis);
        s.setTcpNoDelay(true);
        return new Link(s, s.getInputStream(), s.getOutputStream());
      }
      Path dev = Path.of(port);
      if (!Files.exists(dev)) {
        throw new McuTrainException("--port " + port + ": no such device");
      }
      RandomAccessFile f = new RandomAccessFile(dev.toFile(), "rw");
      return new Link(f, Channels.newInputStream(f.getChannel()),
          Channels.newOutputStream(f.getChannel()));
    } catch (IOException e) {
      throw new McuTrainException("--port " + port + ": cannot open (" + e.getMessage() + ")");
    }
  }

  /** Sends a frame and returns the device's reply. */
  public Frame exchange(Frame f) {
    try {
      out.write(f.encode());
      out.flush();
      return Frame.read(in);
    } catch (java.net.SocketTimeoutException e) {
      throw new McuTrainException("the device did not answer in time");
    } catch (IOException e) {
      throw new McuTrainException("link error: " + e.getMessage());
    }
  }

  /** Sends raw bytes (tests use it to inject corrupted frames). */
  public void sendRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new McuTrainException("link error: " + e.getMessage());
    }
  }

  /** Reads the next valid frame. */
  public Frame receive() {
    try {
      return Frame.read(in);
    } catch (java.net.SocketTimeoutException e) {
      throw new McuTrainException("the device did not answer in time");
    } catch (IOException e) {
      throw new McuTrainException("link error: " + e.getMessage());
    }
  }

  @Override
  public void close() throws IOException {
    resource.close();
  }
}
