package dev.mcutrain.toolchain;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
    List<String> cmd = new ArrayList<>();
    cmd.add(qemu.toString());
    cmd.addAll(
        List.of(
            "-M", "mps2-an500",
            "-display", "none",
            "-monitor", "none",
            "-serial", "none",
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
