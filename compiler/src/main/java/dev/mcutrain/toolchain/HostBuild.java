package dev.mcutrain.toolchain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Builds C with the bundled clang/ld.lld: freestanding static Linux x86_64 executables made of the
 * runtime (runtime-c/src), the host board (boards/host) and extra sources; and Cortex-M7 objects.
 *
 * <p>Host objects are cached under {@code <cacheDir>/obj/} by a hash of the source content, the
 * flags and every header the source can see, so a second build only compiles what changed. Sources
 * compile in parallel. A compile or link error becomes a {@link ToolchainException} whose one-line
 * message is the first error line and names the log file that holds the full output.
 */
public final class HostBuild {
  /** clang flags for host objects (freestanding x86_64 Linux, no libc, static, non-PIC). */
  public static final List<String> HOST_CFLAGS =
      List.of(
          "--target=x86_64-unknown-linux-gnu",
          "-std=c99",
          "-O2",
          "-Wall",
          "-Wextra",
          "-Werror",
          "-ffp-contract=off",
          "-ffreestanding",
          "-fno-stack-protector",
          "-fno-pic",
          "-fno-pie",
          "-ffunction-sections",
          "-fdata-sections");

  /** ld.lld flags for host executables. */
  public static final List<String> HOST_LDFLAGS = List.of("-static", "-e", "_start", "--gc-sections");

  /** clang flags for Cortex-M7 (STM32F746: single-precision FPU), design.md §5. */
  public static final List<String> CORTEX_M7_CFLAGS =
      List.of(
          "--target=thumbv7em-none-eabihf",
          "-mcpu=cortex-m7",
          "-mfloat-abi=hard",
          "-mfpu=fpv5-sp-d16",
          "-ffreestanding",
          "-nostdlib",
          "-ffunction-sections",
          "-fdata-sections",
          "-ffp-contract=off",
          "-std=c99",
          "-O2",
          "-Wall",
          "-Wextra",
          "-Werror");

  /** System property overriding the default cache directory. */
  public static final String CACHE_PROPERTY = "mcutrain.cache";

  private static final Duration COMPILE_TIMEOUT = Duration.ofMinutes(2);

  private final Path cacheDir;
  private final AtomicInteger lastCompiled = new AtomicInteger();

  /** Caches under {@code -Dmcutrain.cache}, else {@code ~/.cache/mcutrain}. */
  public HostBuild() {
    this(defaultCacheDir());
  }

  public HostBuild(Path cacheDir) {
    this.cacheDir = cacheDir.toAbsolutePath();
  }

  /** The default cache directory. */
  public static Path defaultCacheDir() {
    String prop = System.getProperty(CACHE_PROPERTY);
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "mcutrain");
  }

  public Path cacheDir() {
    return cacheDir;
  }

  /** The extracted sources: a directory holding runtime-c/ and boards/. */
  public Path sourceRoot() {
    return RuntimeSources.extractTo(cacheDir.resolve("src"));
  }

  /** Number of clang invocations (cache misses) of the last build or compile call. */
  public int lastCompiledCount() {
    return lastCompiled.get();
  }

  /** Every runtime-c/src/**.c file under {@code sourceRoot}, sorted. */
  public static List<Path> runtimeSources(Path sourceRoot) {
    return cFiles(sourceRoot.resolve("runtime-c/src"), true);
  }

  /** The host board's .c files under {@code sourceRoot}, sorted. */
  public static List<Path> hostBoardSources(Path sourceRoot) {
    return cFiles(sourceRoot.resolve("boards/host"), false);
  }

  /**
   * Compiles the runtime, the host board and {@code extraSources} (with runtime-c/include, boards/
   * and {@code extraIncludeDirs} on the include path) and links them into the static executable
   * {@code outDir/name}. One of the sources must define {@code int main(int, char **)}.
   *
   * @return the executable
   * @throws ToolchainException on a compile or link error (full log in {@code outDir/name.build.log})
   */
  public Path buildExecutable(
      List<Path> extraSources, List<Path> extraIncludeDirs, Path outDir, String name) {
    Path root = sourceRoot();
    // The runtime and the board see only their own headers, so their cached objects are shared
    // by every program; the extra (model) sources also see extraIncludeDirs.
    List<Path> baseIncludes = List.of(root.resolve("runtime-c/include"), root.resolve("boards"));
    List<Path> includes = new ArrayList<>(baseIncludes);
    for (Path p : extraIncludeDirs) {
      includes.add(p.toAbsolutePath());
    }
    List<Path> runtime = new ArrayList<>(runtimeSources(root));
    runtime.addAll(hostBoardSources(root));
    List<Path> sources = new ArrayList<>();
    for (Path p : extraSources) {
      sources.add(p.toAbsolutePath());
    }
    createDirectories(outDir);
    Path log = outDir.resolve(name + ".build.log").toAbsolutePath();
    Path objDir = cacheDir.resolve("obj/host");
    List<Path> objects = new ArrayList<>(compileAll(runtime, baseIncludes, HOST_CFLAGS, objDir,
        true, log));
    int runtimeCompiled = lastCompiled.get();
    objects.addAll(compileAll(sources, includes, HOST_CFLAGS, objDir, true, log));
    lastCompiled.addAndGet(runtimeCompiled);

    Path exe = outDir.resolve(name).toAbsolutePath();
    List<String> cmd = new ArrayList<>();
    cmd.add(Llvm.get().lld().toString());
    cmd.addAll(HOST_LDFLAGS);
    cmd.add("-o");
    cmd.add(exe.toString());
    objects.forEach(o -> cmd.add(o.toString()));
    ProcessRunner.Result r = ProcessRunner.run(cmd, null, COMPILE_TIMEOUT);
    if (r.exitCode() != 0) {
      writeLog(log, String.join(" ", cmd) + "\n" + r.stderr());
      throw new ToolchainException(
          "ld.lld failed linking " + name + ": " + firstErrorLine(r.stderr()) + " (full log: " + log
              + ")");
    }
    return exe;
  }

  /**
   * Compiles each source to {@code outDir/<name>.o} with {@link #CORTEX_M7_CFLAGS}, runtime-c/include,
   * boards/ and {@code extraIncludeDirs} on the include path. No caching.
   *
   * @return the objects, in the order of {@code sources}
   * @throws ToolchainException on a compile error (full log in {@code outDir/cortex-m7.build.log})
   */
  public List<Path> compileOnlyForCortexM7(
      List<Path> sources, List<Path> extraIncludeDirs, Path outDir) {
    Path root = sourceRoot();
    List<Path> includes = new ArrayList<>();
    includes.add(root.resolve("runtime-c/include"));
    includes.add(root.resolve("boards"));
    for (Path p : extraIncludeDirs) {
      includes.add(p.toAbsolutePath());
    }
    createDirectories(outDir);
    Path log = outDir.resolve("cortex-m7.build.log").toAbsolutePath();
    List<Path> abs = sources.stream().map(Path::toAbsolutePath).toList();
    return compileAll(abs, includes, CORTEX_M7_CFLAGS, outDir.toAbsolutePath(), false, log);
  }

  /**
   * Compiles {@code sources} with {@code flags} and {@code includes} into {@code objDir}, reusing
   * objects cached there by content hash (the firmware builds share the host build's cache logic).
   *
   * @throws ToolchainException on a compile error (full log in {@code log})
   */
  List<Path> compileCached(
      List<Path> sources, List<Path> includes, List<String> flags, Path objDir, Path log) {
    return compileAll(sources, includes, flags, objDir, true, log);
  }

  private List<Path> compileAll(
      List<Path> sources,
      List<Path> includes,
      List<String> flags,
      Path objDir,
      boolean cached,
      Path log) {
    createDirectories(objDir);
    Path clang = Llvm.get().clang();
    String headerDigest = cached ? headerDigest(includes) : "";
    // plan: object path per source
    Map<Path, Path> plan = new LinkedHashMap<>();
    Map<String, Integer> usedNames = new LinkedHashMap<>();
    for (Path src : sources) {
      String base = stripExtension(src.getFileName().toString());
      Path obj;
      if (cached) {
        obj = objDir.resolve(base + "-" + cacheKey(src, flags, includes, headerDigest) + ".o");
      } else {
        int n = usedNames.merge(base, 1, Integer::sum);
        obj = objDir.resolve(n == 1 ? base + ".o" : base + "-" + n + ".o");
      }
      plan.put(src, obj);
    }

    List<Map.Entry<Path, Path>> todo =
        plan.entrySet().stream().filter(e -> !cached || !Files.isRegularFile(e.getValue())).toList();
    lastCompiled.set(todo.size());
    if (!todo.isEmpty()) {
      int threads = Math.max(1, Math.min(todo.size(), Runtime.getRuntime().availableProcessors()));
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<String>> results = new ArrayList<>();
        for (Map.Entry<Path, Path> e : todo) {
          results.add(pool.submit(() -> compileOne(clang, e.getKey(), e.getValue(), flags, includes)));
        }
        StringBuilder fullLog = new StringBuilder();
        String firstError = null;
        for (int i = 0; i < todo.size(); i++) {
          String err;
          try {
            err = results.get(i).get();
          } catch (ExecutionException ex) {
            Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException re) {
              throw re;
            }
            throw new ToolchainException("compile of " + todo.get(i).getKey() + " failed: " + cause, cause);
          } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new ToolchainException("interrupted while compiling", ex);
          }
          if (err != null) {
            fullLog.append("== ").append(todo.get(i).getKey()).append('\n').append(err).append('\n');
            if (firstError == null) {
              firstError =
                  "clang failed on " + todo.get(i).getKey().getFileName() + ": " + firstErrorLine(err);
            }
          }
        }
        if (firstError != null) {
          writeLog(log, fullLog.toString());
          throw new ToolchainException(firstError + " (full log: " + log + ")");
        }
      } finally {
        pool.shutdownNow();
      }
    }
    return new ArrayList<>(plan.values());
  }

  /** Compiles one file; returns null on success, else the command line and clang's output. */
  private static String compileOne(
      Path clang, Path src, Path obj, List<String> flags, List<Path> includes) {
    Path tmp = obj.resolveSibling(obj.getFileName() + "." + Thread.currentThread().getId() + ".tmp");
    List<String> cmd = new ArrayList<>();
    cmd.add(clang.toString());
    cmd.addAll(flags);
    for (Path inc : includes) {
      cmd.add("-I");
      cmd.add(inc.toString());
    }
    cmd.add("-c");
    cmd.add(src.toString());
    cmd.add("-o");
    cmd.add(tmp.toString());
    ProcessRunner.Result r = ProcessRunner.run(cmd, null, COMPILE_TIMEOUT);
    if (r.exitCode() != 0) {
      deleteQuietly(tmp);
      String out = r.stderr().isEmpty() ? r.stdoutText() : r.stderr();
      return String.join(" ", cmd) + "\n" + out;
    }
    try {
      Files.move(tmp, obj, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new ToolchainException("cannot write " + obj + ": " + e, e);
    }
    return null;
  }

  /** The first line of a compiler log that reports an error (else its first non-empty line). */
  static String firstErrorLine(String log) {
    String first = null;
    for (String line : log.split("\\R")) {
      String s = line.strip();
      if (s.isEmpty()) {
        continue;
      }
      if (first == null) {
        first = s;
      }
      if (s.contains("error:") || s.contains("error :")) {
        return s;
      }
    }
    return first == null ? "(no output)" : first;
  }

  private static String cacheKey(
      Path src, List<String> flags, List<Path> includes, String headerDigest) {
    MessageDigest md = RuntimeSources.sha256();
    update(md, Llvm.get().clang().toString());
    for (String f : flags) {
      update(md, f);
    }
    update(md, headerDigest);
    update(md, src.getFileName().toString());
    try {
      md.update(Files.readAllBytes(src));
      // headers next to the source (#include "local.h")
      for (Path h : headers(src.getParent(), false)) {
        update(md, h.getFileName().toString());
        md.update(Files.readAllBytes(h));
      }
    } catch (IOException e) {
      throw new ToolchainException("cannot read " + src + ": " + e, e);
    }
    return HexFormat.of().formatHex(md.digest()).substring(0, 16);
  }

  /** Hash of every header under the include directories (a header edit invalidates all objects). */
  private static String headerDigest(List<Path> includes) {
    MessageDigest md = RuntimeSources.sha256();
    try {
      for (Path inc : includes) {
        update(md, inc.toString());
        for (Path h : headers(inc, true)) {
          update(md, inc.relativize(h).toString());
          md.update(Files.readAllBytes(h));
        }
      }
    } catch (IOException e) {
      throw new ToolchainException("cannot read headers: " + e, e);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static List<Path> headers(Path dir, boolean recursive) throws IOException {
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = recursive ? Files.walk(dir) : Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".h"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    }
  }

  private static void update(MessageDigest md, String s) {
    md.update(s.getBytes(StandardCharsets.UTF_8));
    md.update((byte) 0);
  }

  private static List<Path> cFiles(Path dir, boolean recursive) {
    if (!Files.isDirectory(dir)) {
      throw new ToolchainException("missing source directory " + dir);
    }
    try (Stream<Path> s = recursive ? Files.walk(dir) : Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".c"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String stripExtension(String name) {
    int dot = name.lastIndexOf('.');
    return dot > 0 ? name.substring(0, dot) : name;
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ToolchainException("cannot create " + dir + ": " + e, e);
    }
  }

  private static void writeLog(Path log, String text) {
    try {
      Files.writeString(log, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ToolchainException("cannot write build log " + log + ": " + e, e);
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // best effort
    }
  }
}
