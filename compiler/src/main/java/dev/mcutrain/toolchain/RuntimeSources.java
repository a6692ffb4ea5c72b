package dev.mcutrain.toolchain;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The C sources of the runtime ({@code runtime-c/}) and of the boards ({@code boards/}), available
 * at run time even when only the jar is present.
 *
 * <p>They are found, in this order: under the directory named by the system property {@value
 * #HOME_PROPERTY}; as classpath resources {@code mcutrain/runtime-c/...} and {@code
 * mcutrain/boards/...} (the build copies the two trees there), listed by the {@code MANIFEST} file
 * at the top of each tree; in the project checkout found by walking up from the working directory.
 * {@link #extractTo(Path)} copies them into a directory named by their content hash, so repeated
 * calls cost one hash and no copy.
 */
public final class RuntimeSources {
  /** System property naming a project checkout that holds runtime-c/ and boards/. */
  public static final String HOME_PROPERTY = "mcutrain.home";

  /** The two source trees, as directory names. */
  public static final List<String> TREES = List.of("runtime-c", "boards", "examples");

  /** The name of the listing file at the top of each tree. */
  public static final String MANIFEST = "MANIFEST";

  private static final String RESOURCE_PREFIX = "mcutrain/";

  private RuntimeSources() {}

  /**
   * Copies runtime-c/ and boards/ into {@code dir/<content-hash>/} (unless that is already there)
   * and returns that directory, which then holds {@code runtime-c/} and {@code boards/}.
   *
   * @throws ToolchainException if the sources cannot be found or written
   */
  public static Path extractTo(Path dir) {
    Map<String, byte[]> files = load();
    String hash = contentHash(files);
    Path root = dir.resolve(hash).toAbsolutePath();
    Path complete = root.resolve(".complete");
    if (Files.isRegularFile(complete)) {
      return root;
    }
    try {
      Files.createDirectories(dir);
      Path tmp = Files.createTempDirectory(dir, hash + ".tmp");
      for (Map.Entry<String, byte[]> e : files.entrySet()) {
        Path target = tmp.resolve(e.getKey());
        Files.createDirectories(target.getParent());
        Files.write(target, e.getValue());
      }
      Files.write(tmp.resolve(".complete"), new byte[0]);
      try {
        Files.move(tmp, root, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        // another thread or process extracted the same content first
        deleteTree(tmp);
      } catch (IOException e) {
        if (!Files.isRegularFile(complete)) {
          throw e;
        }
        deleteTree(tmp);
      }
    } catch (IOException e) {
      throw new ToolchainException("cannot extract the runtime sources to " + dir + ": " + e, e);
    }
    if (!Files.isRegularFile(complete)) {
      throw new ToolchainException("runtime sources extraction to " + root + " did not complete");
    }
    return root;
  }

  /**
   * The sorted list of files under {@code tree} (paths relative to it, '/'-separated), as the
   * tree's MANIFEST must list them: every regular file except the MANIFEST itself and hidden files.
   */
  public static List<String> listFiles(Path tree) {
    try (Stream<Path> walk = Files.walk(tree)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> tree.relativize(p).toString().replace('\\', '/'))
          .filter(rel -> !rel.equals(MANIFEST))
          .filter(rel -> Stream.of(rel.split("/")).noneMatch(part -> part.startsWith(".")))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The MANIFEST text for {@code tree}: {@link #listFiles} one per line. */
  public static String manifestText(Path tree) {
    StringBuilder sb = new StringBuilder();
    for (String f : listFiles(tree)) {
      sb.append(f).append('\n');
    }
    return sb.toString();
  }

  /**
   * The project checkout holding runtime-c/ and boards/ on disk: the {@value #HOME_PROPERTY}
   * property, else the working directory or one of its parents; null if there is none.
   */
  public static Path sourceCheckout() {
    String home = System.getProperty(HOME_PROPERTY);
    if (home != null && !home.isBlank()) {
      Path p = Path.of(home).toAbsolutePath();
      return isCheckout(p) ? p : null;
    }
    Path p = Path.of("").toAbsolutePath();
    for (int i = 0; i < 4 && p != null; i++, p = p.getParent()) {
      if (isCheckout(p)) {
        return p;
      }
    }
    return null;
  }

  private static boolean isCheckout(Path p) {
    return Files.isRegularFile(p.resolve("runtime-c/include/mt_kernels.h"))
        && Files.isRegularFile(p.resolve("boards/board.h"));
  }

  /** All source files, keyed by tree-prefixed relative path ("runtime-c/src/..."), sorted. */
  static Map<String, byte[]> load() {
    String home = System.getProperty(HOME_PROPERTY);
    if (home == null || home.isBlank()) {
      Map<String, byte[]> fromClasspath = loadFromClasspath();
      if (fromClasspath != null) {
        return fromClasspath;
      }
    }
    Path checkout = sourceCheckout();
    if (checkout == null) {
      throw new ToolchainException(
          "runtime C sources not found: not on the classpath (mcutrain/runtime-c/MANIFEST) and no"
              + " checkout with runtime-c/ and boards/ (set -D" + HOME_PROPERTY + "=<project dir>)");
    }
    Map<String, byte[]> files = new LinkedHashMap<>();
    try {
      for (String tree : TREES) {
        Path treeDir = checkout.resolve(tree);
        for (String rel : listFiles(treeDir)) {
          files.put(tree + "/" + rel, Files.readAllBytes(treeDir.resolve(rel)));
        }
      }
    } catch (IOException | UncheckedIOException e) {
      throw new ToolchainException("cannot read the runtime sources in " + checkout + ": " + e, e);
    }
    return files;
  }

  private static Map<String, byte[]> loadFromClasspath() {
    ClassLoader loader = RuntimeSources.class.getClassLoader();
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String tree : TREES) {
      byte[] manifest = readResource(loader, RESOURCE_PREFIX + tree + "/" + MANIFEST);
      if (manifest == null) {
        return null;
      }
      List<String> entries = new ArrayList<>();
      for (String line : new String(manifest, StandardCharsets.UTF_8).split("\n")) {
        String rel = line.strip();
        if (!rel.isEmpty() && !rel.startsWith("#")) {
          entries.add(rel);
        }
      }
      for (String rel : entries) {
        if (rel.contains("..") || rel.startsWith("/")) {
          throw new ToolchainException("bad path in " + tree + "/MANIFEST: " + rel);
        }
        byte[] data = readResource(loader, RESOURCE_PREFIX + tree + "/" + rel);
        if (data == null) {
          throw new ToolchainException(
              tree + "/MANIFEST lists " + rel + " but the classpath has no such resource");
        }
        files.put(tree + "/" + rel, data);
      }
    }
    return files;
  }

  private static byte[] readResource(ClassLoader loader, String name) {
    try (InputStream in = loader.getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new ToolchainException("cannot read resource " + name + ": " + e, e);
    }
  }

  private static String contentHash(Map<String, byte[]> files) {
    MessageDigest md = sha256();
    files.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e -> {
              md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
              md.update((byte) 0);
              md.update(Integer.toString(e.getValue().length).getBytes(StandardCharsets.UTF_8));
              md.update((byte) 0);
              md.update(e.getValue());
            });
    return HexFormat.of().formatHex(md.digest()).substring(0, 20);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
