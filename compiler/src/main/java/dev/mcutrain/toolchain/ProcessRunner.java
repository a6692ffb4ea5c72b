package dev.mcutrain.toolchain;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external program with optional stdin bytes and a hard timeout, capturing stdout as bytes
 * and stderr as text. stdin, stdout and stderr are each served by their own thread, so a program
 * that fills a pipe never deadlocks. On timeout the program (and its descendants) is killed and a
 * {@link ToolchainException} says so.
 */
public final class ProcessRunner {
  private ProcessRunner() {}

  /** What a finished program produced. */
  public record Result(int exitCode, byte[] stdout, String stderr) {
    /** stdout decoded as UTF-8. */
    public String stdoutText() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  /** Runs {@code command} in the current directory. */
  public static Result run(List<String> command, byte[] stdin, Duration timeout) {
    return run(command, stdin, timeout, null);
  }

  /**
   * Runs {@code command} (program path first) in {@code workDir} (null = current directory),
   * feeding {@code stdin} (null = empty input) and waiting at most {@code timeout}.
   *
   * @throws ToolchainException if the program cannot be started, or does not finish in time
   *     (it is then killed)
   */
  public static Result run(List<String> command, byte[] stdin, Duration timeout, Path workDir) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("empty command");
    }
    ProcessBuilder builder = new ProcessBuilder(command);
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new ToolchainException("cannot start " + command.get(0) + ": " + e.getMessage(), e);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread outPump = pump(process.getInputStream(), out, "stdout");
    Thread errPump = pump(process.getErrorStream(), err, "stderr");
    Thread inFeeder = feed(process.getOutputStream(), stdin == null ? new byte[0] : stdin);
    boolean finished;
    try {
      finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new ToolchainException("interrupted while running " + command.get(0), e);
    }
    if (!finished) {
      kill(process);
      joinQuietly(inFeeder, outPump, errPump);
      throw new ToolchainException(
          "timed out after " + timeout.toMillis() + " ms and killed: " + String.join(" ", command));
    }
    joinQuietly(inFeeder, outPump, errPump);
    return new Result(
        process.exitValue(), out.toByteArray(), err.toString(StandardCharsets.UTF_8));
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Thread pump(InputStream in, ByteArrayOutputStream sink, String name) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[8192];
              try (InputStream src = in) {
                int n;
                while ((n = src.read(buf)) >= 0) {
                  synchronized (sink) {
                    sink.write(buf, 0, n);
                  }
                }
              } catch (IOException e) {
                // the process died or was killed: keep what was read
              }
            },
            "process-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static Thread feed(OutputStream stdin, byte[] data) {
    Thread t =
        new Thread(
            () -> {
              try (OutputStream dst = stdin) {
                dst.write(data);
              } catch (IOException e) {
                // the program exited without reading all of its input: not an error here
              }
            },
            "process-stdin");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static void joinQuietly(Thread... threads) {
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
