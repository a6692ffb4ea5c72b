package dev.mcutrain.toolchain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.Loader;

/**
 * The LLVM programs bundled in the {@code org.bytedeco:llvm} jar (clang, ld.lld, llvm-size,
 * llvm-objdump, llvm-objcopy, llvm-mca). The first call to {@link #get()} extracts them with
 * JavaCPP's {@link Loader} into {@code ~/.javacpp/cache/llvm-<version>-linux-x86_64.jar/org/bytedeco/llvm/linux-x86_64/}
 * (about 5 s and ~500 MB the first time, instant afterwards) and makes sure they are executable.
 * No system compiler is ever used.
 */
public final class Llvm {
  private final Path binDir;

  private Llvm(Path binDir) {
    this.binDir = binDir;
  }

  /** The extracted toolchain; extracts it on first use. Thread-safe. */
  public static Llvm get() {
    return Holder.INSTANCE;
  }

  private static final class Holder {
    static final Llvm INSTANCE = locate();
  }

  private static Llvm locate() {
    String clangPath;
    try {
      // Both presets are needed: the clang one extracts clang and lld, the llvm one the llvm-* tools
      // (without it llvm-size/llvm-objdump/llvm-mca stay non-executable).
      clangPath = Loader.load(org.bytedeco.llvm.program.clang.class);
      Loader.load(org.bytedeco.llvm.program.llvm.class);
    } catch (RuntimeException | LinkageError e) {
      throw new ToolchainException(
          "cannot extract the bundled LLVM (org.bytedeco:llvm linux-x86_64): " + e, e);
    }
    if (clangPath == null) {
      throw new ToolchainException("the bundled LLVM has no clang for this platform");
    }
    Path dir = Path.of(clangPath).toAbsolutePath().getParent();
    Llvm llvm = new Llvm(dir);
    for (Path tool :
        List.of(llvm.clang(), llvm.lld(), llvm.llvmSize(), llvm.llvmObjdump(), llvm.llvmObjcopy(),
            llvm.llvmMca())) {
      makeExecutable(tool);
    }
    return llvm;
  }

  private static void makeExecutable(Path tool) {
    if (!Files.isRegularFile(tool)) {
      throw new ToolchainException("bundled LLVM tool missing: " + tool);
    }
    if (!Files.isExecutable(tool) && !tool.toFile().setExecutable(true, false)) {
      throw new ToolchainException("cannot make bundled LLVM tool executable: " + tool);
    }
  }

  /** The directory holding the extracted programs. */
  public Path binDir() {
    return binDir;
  }

  public Path clang() {
    return binDir.resolve("clang");
  }

  /** The ELF linker, {@code ld.lld}. */
  public Path lld() {
    return binDir.resolve("ld.lld");
  }

  public Path llvmSize() {
    return binDir.resolve("llvm-size");
  }

  public Path llvmObjdump() {
    return binDir.resolve("llvm-objdump");
  }

  public Path llvmObjcopy() {
    return binDir.resolve("llvm-objcopy");
  }

  public Path llvmMca() {
    return binDir.resolve("llvm-mca");
  }
}
