package dev.mcutrain.toolchain;

import dev.mcutrain.McuTrainException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds firmware images for a {@link Board} with the bundled clang/ld.lld: the runtime
 * (runtime-c/src), the board (boards/common + boards/name) and extra sources, linked with a linker
 * script whose RAM region is exactly the RAM budget, so an image that does not fit fails to link
 * with a one-line {@link McuTrainException}. Produces {@code name.elf}, {@code name.bin},
 * {@code name.hex}, the linker script {@code name.ld} and the size report {@code name.size.txt}.
 *
 * <p>Runtime and board objects are cached per board flags under {@code <cacheDir>/obj/<board>/}
 * (same content-hash scheme as {@link HostBuild}).
 */
public final class FirmwareBuild {
  /** clang flags every board shares (the board adds its target/CPU/FPU flags in front). */
  public static final List<String> COMMON_CFLAGS =
      List.of(
          "-std=c99",
          "-O2",
          "-Wall",
          "-Wextra",
          "-Werror",
          "-ffp-contract=off",
          "-ffreestanding",
          "-nostdlib",
          "-ffunction-sections",
          "-fdata-sections");

  private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(2);
  private static final Pattern OVERFLOW =
      Pattern.compile("will not fit in region '(\\w+)': overflowed by (\\d+) bytes");

  /** Section sizes of a linked image and how they compare with the board and the budget. */
  public record SizeReport(
      Board board, long text, long data, long bss, long stackReserve, long ramBudget) {
    /** Flash used: code + constants + the .data load image. */
    public long flashBytes() {
      return text + data;
    }

    /** RAM used by variables: .data + .bss. */
    public long staticRamBytes() {
      return data + bss;
    }

    /** Static RAM plus the stack reserve: what must fit in the budget. */
    public long totalRamBytes() {
      return staticRamBytes() + stackReserve;
    }

    /** Budget minus total RAM (the stack may grow into this too). */
    public long ramHeadroomBytes() {
      return ramBudget - totalRamBytes();
    }

    /** The report as written to {@code name.size.txt}. */
    public String toText() {
      return String.format(
          "board          %s%n"
              + "text           %d%n"
              + "data           %d%n"
              + "bss            %d%n"
              + "flash          %d of %d bytes for code (text + data)%n"
              + "static RAM     %d (data + bss)%n"
              + "stack reserve  %d%n"
              + "total RAM      %d of %d bytes budget (%d free; board SRAM %d)%n",
          board.boardName(), text, data, bss, flashBytes(), board.codeFlashBytes(),
          staticRamBytes(), stackReserve, totalRamBytes(), ramBudget, ramHeadroomBytes(),
          board.sramBytes());
    }
  }

  /** The files a build produced. */
  public record Image(
      Board board, Path elf, Path bin, Path hex, Path linkerScript, Path sizeFile, SizeReport size) {}

  private final HostBuild compiler;
  private int lastCompiled;

  /** Caches under {@code -Dmcutrain.cache}, else {@code ~/.cache/mcutrain}. */
  public FirmwareBuild() {
    this(HostBuild.defaultCacheDir());
  }

  public FirmwareBuild(Path cacheDir) {
    this.compiler = new HostBuild(cacheDir);
  }

  /** Builds with the default cache directory; see {@link #buildImage}. */
  public static Image build(
      Board board,
      long budgetBytes,
      List<Path> extraSources,
      List<Path> extraIncludeDirs,
      Path outDir,
      String name) {
    return new FirmwareBuild().buildImage(board, budgetBytes, extraSources, extraIncludeDirs, outDir, name);
  }

  /** Boards with at most this much code flash are built for size ({@code -Os}). */
  public static final long SIZE_OPTIMIZED_FLASH = 256L << 10;

  /**
   * The clang flags for {@code board}: its CPU flags, then {@link #COMMON_CFLAGS}; boards with
   * little code flash (the Nucleo-F411RE) add {@code -Os}, which overrides {@code -O2}.
   */
  public static List<String> cflags(Board board) {
    List<String> flags = new ArrayList<>(board.cpuFlags());
    flags.addAll(COMMON_CFLAGS);
    if (board.codeFlashBytes() <= SIZE_OPTIMIZED_FLASH) {
      flags.add("-Os");
    }
    return flags;
  }

  /** Number of clang invocations (cache misses) of the last build. */
  public int lastCompiledCount() {
    return lastCompiled;
  }

  /**
   * Compiles the runtime, the board and {@code extraSources} for {@code board} and links them into
   * {@code outDir/name.elf} with a RAM region of {@code budgetBytes}; one of the sources must
   * define {@code int main(int, char **)}.
   *
   * @throws McuTrainException if the budget is not positive or exceeds the board's SRAM, or if the
   *     image does not fit the RAM budget or the code flash (one line)
   * @throws ToolchainException on a compile error or another link error (full log named)
   */
  public Image buildImage(
      Board board,
      long budgetBytes,
      List<Path> extraSources,
      List<Path> extraIncludeDirs,
      Path outDir,
      String name) {
    if (budgetBytes <= 0) {
      throw new McuTrainException("RAM budget must be positive, got " + budgetBytes + " bytes");
    }
    if (budgetBytes > board.sramBytes()) {
      throw new McuTrainException(
          "RAM budget of " + budgetBytes + " bytes exceeds the " + board.sramBytes()
              + " bytes of SRAM on " + board.boardName());
    }
    Path root = compiler.sourceRoot();
    List<Path> baseIncludes = List.of(root.resolve("runtime-c/include"), root.resolve("boards"));
    List<Path> includes = new ArrayList<>(baseIncludes);
    for (Path p : extraIncludeDirs) {
      includes.add(p.toAbsolutePath());
    }
    List<Path> base = new ArrayList<>(HostBuild.runtimeSources(root));
    base.addAll(board.sources(root));
    List<Path> extra = extraSources.stream().map(Path::toAbsolutePath).toList();
    createDirectories(outDir);
    Path log = outDir.resolve(name + ".build.log").toAbsolutePath();
    Path objDir = compiler.cacheDir().resolve("obj").resolve(board.boardName());
    List<String> flags = cflags(board);
    List<Path> objects = new ArrayList<>(compiler.compileCached(base, baseIncludes, flags, objDir, log));
    int compiled = compiler.lastCompiledCount();
    objects.addAll(compiler.compileCached(extra, includes, flags, objDir, log));
    lastCompiled = compiled + compiler.lastCompiledCount();

    Path script = outDir.resolve(name + ".ld").toAbsolutePath();
    Path elf = outDir.resolve(name + ".elf").toAbsolutePath();
    Path bin = outDir.resolve(name + ".bin").toAbsolutePath();
    Path hex = outDir.resolve(name + ".hex").toAbsolutePath();
    Path map = outDir.resolve(name + ".map").toAbsolutePath();
    try {
      String template = Files.readString(root.resolve(board.linkerTemplate()), StandardCharsets.UTF_8);
      Files.writeString(script, board.linkerScript(template, budgetBytes), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ToolchainException("cannot write linker script " + script + ": " + e, e);
    }
    Llvm llvm = Llvm.get();
    List<String> cmd = new ArrayList<>();
    cmd.add(llvm.lld().toString());
    cmd.addAll(List.of("-T", script.toString(), "--gc-sections", "-Map", map.toString(), "-o", elf.toString()));
    objects.forEach(o -> cmd.add(o.toString()));
    ProcessRunner.Result r = ProcessRunner.run(cmd, null, TOOL_TIMEOUT);
    if (r.exitCode() != 0) {
      writeLog(log, String.join(" ", cmd) + "\n" + r.stderr());
      throw linkError(board, budgetBytes, name, r.stderr(), log);
    }
    run(List.of(llvm.llvmObjcopy().toString(), "-O", "binary", elf.toString(), bin.toString()), log);
    run(List.of(llvm.llvmObjcopy().toString(), "-O", "ihex", elf.toString(), hex.toString()), log);
    SizeReport size = size(board, elf, budgetBytes, log);
    Path sizeFile = outDir.resolve(name + ".size.txt").toAbsolutePath();
    writeLog(sizeFile, size.toText());
    return new Image(board, elf, bin, hex, script, sizeFile, size);
  }

  /** Turns ld.lld's output into a one-line error; region overflows become McuTrainExceptions. */
  static RuntimeException linkError(Board board, long budget, String name, String stderr, Path log) {
    long ramOver = -1;
    long flashOver = -1;
    Matcher m = OVERFLOW.matcher(stderr);
    while (m.find()) {
      long over = Long.parseLong(m.group(2));
      if (m.group(1).equals("RAM")) {
        ramOver = Math.max(ramOver, over);
      } else if (m.group(1).equals("FLASH")) {
        flashOver = Math.max(flashOver, over);
      }
    }
    if (ramOver >= 0) {
      return new McuTrainException(
          "firmware '" + name + "' for " + board.boardName() + " exceeds the RAM budget of "
              + budget + " bytes by " + ramOver + " bytes (.data + .bss + " + board.stackBytes()
              + "-byte stack reserve; full log: " + log + ")");
    }
    if (flashOver >= 0) {
      return new McuTrainException(
          "firmware '" + name + "' for " + board.boardName() + " exceeds the "
              + board.codeFlashBytes() + " bytes of code flash by " + flashOver
              + " bytes (full log: " + log + ")");
    }
    return new ToolchainException(
        "ld.lld failed linking " + name + " for " + board.boardName() + ": "
            + HostBuild.firstErrorLine(stderr) + " (full log: " + log + ")");
  }

  /** Reads text/data/bss with {@code llvm-size -B}; the stack reserve is counted out of bss. */
  static SizeReport size(Board board, Path elf, long budget, Path log) {
    ProcessRunner.Result r =
        run(List.of(Llvm.get().llvmSize().toString(), "-B", "-d", elf.toString()), log);
    String[] lines = r.stdoutText().strip().split("\\R");
    if (lines.length < 2) {
      throw new ToolchainException("unexpected llvm-size output for " + elf + ": " + r.stdoutText());
    }
    String[] f = lines[1].strip().split("\\s+");
    try {
      long text = Long.parseLong(f[0]);
      long data = Long.parseLong(f[1]);
      long bss = Long.parseLong(f[2]) - board.stackBytes();
      return new SizeReport(board, text, data, bss, board.stackBytes(), budget);
    } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
      throw new ToolchainException("unexpected llvm-size output for " + elf + ": " + lines[1], e);
    }
  }

  private static ProcessRunner.Result run(List<String> cmd, Path log) {
    ProcessRunner.Result r = ProcessRunner.run(cmd, null, TOOL_TIMEOUT);
    if (r.exitCode() != 0) {
      writeLog(log, String.join(" ", cmd) + "\n" + r.stderr());
      throw new ToolchainException(
          Path.of(cmd.get(0)).getFileName() + " failed: " + HostBuild.firstErrorLine(r.stderr())
              + " (full log: " + log + ")");
    }
    return r;
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ToolchainException("cannot create " + dir + ": " + e, e);
    }
  }

  private static void writeLog(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ToolchainException("cannot write " + file + ": " + e, e);
    }
  }
}
