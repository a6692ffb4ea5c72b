package dev.mcutrain.toolchain;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@link Board#MPS2_AN500} firmware in QEMU ({@code qemu-system-arm -M mps2-an500}, Debian
 * package {@value #DEBIAN_PACKAGE}) with semihosting for output and exit status (design.md §5).
 *
 * <p>The program's input is written to {@value #STDIN_FILE} in a fresh working directory, which the
 * board reads with semihosting SYS_OPEN/SYS_READ (QEMU 7.2 does not pass the stdio chardev's input
 * to semihosting reads); output goes to QEMU's stdout through the stdio chardev. Every run is
 * bounded by a timeout.
 */
public final class Qemu {
  /** The Debian package that provides qemu-system-arm. */
  public static final String DEBIAN_PACKAGE = "qemu-system-arm";

  /** The input file name the mps2-an500 board reads (boards/mps2-an500/mt_board_mps2.c). */
  public static final String STDIN_FILE = "mt_stdin.bin";

  /** What a firmware run produced: the status passed to SYS_EXIT_EXTENDED (0..255) and output. */
  public record Result(int exitStatus, byte[] stdout, String stderr) {
    public String stdoutText() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  private Qemu() {}

  /** qemu-system-arm on the PATH, if any. */
  public static Optional<Path> find() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path p = Path.of(dir, "qemu-system-arm");
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Whether qemu-system-arm is installed. */
  public static boolean isAvailable() {
    return find().isPresent();
  }

  /**
   * qemu-system-arm.
   *
   * @throws ToolchainException naming the Debian package if it is not installed
   */
  public static Path executable() {
    return find()
        .orElseThrow(
            () ->
                new ToolchainException(
                    "qemu-system-arm not found on the PATH; install it with: apt-get install"
                        + " --no-install-recommends " + DEBIAN_PACKAGE + " (or run scripts/setup.sh)"));
  }

  /** The QEMU command line for {@code elf}; with {@code icount}, deterministic instruction timing. */
  public static List<String> command(Path qemu, Path elf, boolean icount) {
    return command(qemu, elf, icount, "none");
  }

  /**
   * The QEMU command line for {@code elf} with UART0 (the board's link) on a TCP server socket at
   * 127.0.0.1:{@code port}; QEMU waits for one client to connect before the program starts.
   */
  public static List<String> serialCommand(Path qemu, Path elf, int port, boolean icount) {
    if (port <= 0 || port > 65535) {
      throw new IllegalArgumentException("bad TCP port " + port);
    }
    return command(qemu, elf, icount, "tcp:127.0.0.1:" + port + ",server=on,wait=on,nodelay=on");
  }

  private static List<String> command(Path qemu, Path elf, boolean icount, String serial) {
    List<String> cmd = new ArrayList<>();
    cmd.add(qemu.toString());
    cmd.addAll(
        List.of(
            "-M", "mps2-an500",
            "-display", "none",
            "-monitor", "none",
            "-serial", serial,
            "-chardev", "stdio,id=c0",
            "-semihosting-config", "enable=on,target=native,chardev=c0"));
    if (icount) {
      cmd.addAll(List.of("-icount", "shift=7,align=off,sleep=off"));
    }
    cmd.add("-kernel");
    cmd.add(elf.toAbsolutePath().toString());
    return cmd;
  }

  /**
   * Runs {@code elf} (an mps2-an500 image) with {@code stdin} as its input (null = none).
   *
   * @throws ToolchainException if QEMU is missing, cannot start, or the run exceeds {@code timeout}
   */
  public static Result run(Path elf, byte[] stdin, Duration timeout, boolean icount) {
    Path qemu = executable();
    if (!Files.isRegularFile(elf)) {
      throw new ToolchainException("no firmware image " + elf);
    }
    Path work;
    try {
      work = Files.createTempDirectory("mcutrain-qemu");
      Files.write(work.resolve(STDIN_FILE), stdin == null ? new byte[0] : stdin);
    } catch (IOException e) {
      throw new ToolchainException("cannot prepare a QEMU working directory: " + e, e);
    }
    try {
      ProcessRunner.Result r = ProcessRunner.run(command(qemu, elf, icount), null, timeout, work);
      return new Result(r.exitCode(), r.stdout(), r.stderr());
    } finally {
      deleteTree(work);
    }
  }

  /**
   * A running QEMU whose UART0 (the board's link, mt_board_link_read/_write) is a TCP server on
   * 127.0.0.1:{@link #port()}. Console output (semihosting) and QEMU's stderr go to files, read by
   * {@link #waitFor}. {@link #close()} kills QEMU (if still running) and deletes its working
   * directory: use try-with-resources.
   */
  public static final class Session implements AutoCloseable {
    private final Process process;
    private final Path work;
    private final int port;

    private Session(Process process, Path work, int port) {
      this.process = process;
      this.work = work;
      this.port = port;
    }

    /** The QEMU process. */
    public Process process() {
      return process;
    }

    /** The loopback TCP port of UART0. */
    public int port() {
      return port;
    }

    /**
     * Connects to UART0, retrying until QEMU listens or {@code timeout} passes. The socket has a
     * read timeout of {@code timeout} too.
     *
     * @throws ToolchainException if QEMU exits or does not listen in time
     */
    public Socket connect(Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      IOException last = null;
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new ToolchainException("QEMU exited with " + process.exitValue()
              + " before accepting a connection: " + readQuietly(work.resolve("stderr.txt")));
        }
        Socket socket = new Socket();
        try {
          socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
          socket.setTcpNoDelay(true);
          socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
          return socket;
        } catch (IOException e) {
          last = e;
          try {
            socket.close();
          } catch (IOException ignored) {
            // nothing to do
          }
          try {
            Thread.sleep(50);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      throw new ToolchainException("QEMU did not accept a connection on 127.0.0.1:" + port
          + " within " + timeout + (last == null ? "" : ": " + last));
    }

    /**
     * Waits for QEMU to exit; kills it after {@code timeout}.
     *
     * @throws ToolchainException if it does not exit in time
     */
    public Result waitFor(Duration timeout) {
      try {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly();
          throw new ToolchainException("QEMU did not exit within " + timeout);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new ToolchainException("interrupted waiting for QEMU", e);
      }
      byte[] out;
      try {
        out = Files.readAllBytes(work.resolve("stdout.bin"));
      } catch (IOException e) {
        out = new byte[0];
      }
      return new Result(process.exitValue(), out, readQuietly(work.resolve("stderr.txt")));
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
        try {
          process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      deleteTree(work);
    }
  }

  /**
   * Starts {@code elf} (an mps2-an500 image) with UART0 on a TCP server socket at 127.0.0.1:{@code
   * port} (loopback only); QEMU waits for a client before running the program. The program's
   * semihosting input is empty. Connect with {@link Session#connect}, finish with {@link
   * Session#waitFor} and always {@link Session#close}.
   *
   * @throws ToolchainException if QEMU is missing or cannot start
   */
  public static Session start(Path elf, int port, boolean icount) {
    Path qemu = executable();
    if (!Files.isRegularFile(elf)) {
      throw new ToolchainException("no firmware image " + elf);
    }
    Path work;
    try {
      work = Files.createTempDirectory("mcutrain-qemu");
      Files.write(work.resolve(STDIN_FILE), new byte[0]);
    } catch (IOException e) {
      throw new ToolchainException("cannot prepare a QEMU working directory: " + e, e);
    }
    ProcessBuilder pb = new ProcessBuilder(serialCommand(qemu, elf, port, icount))
        .directory(work.toFile())
        .redirectOutput(work.resolve("stdout.bin").toFile())
        .redirectError(work.resolve("stderr.txt").toFile());
    try {
      Process process = pb.start();
      try {
        process.getOutputStream().close();
      } catch (IOException ignored) {
        // QEMU's own stdin is not used
      }
      return new Session(process, work, port);
    } catch (IOException e) {
      deleteTree(work);
      throw new ToolchainException("cannot start QEMU: " + e, e);
    }
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // best effort
    }
  }
}
