package dev.mcutrain.toolchain;

import dev.mcutrain.McuTrainException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The microcontroller boards mcutrain builds firmware for (sources under {@code boards/<name>/},
 * plus the shared Cortex-M startup in {@code boards/common/}). Each board knows its clang CPU
 * flags, the SRAM a RAM budget may use (from 0x20000000), the flash available for code and whether
 * QEMU can run its images.
 */
public enum Board {
  /** QEMU's {@code -M mps2-an500} Cortex-M7; built with the STM32F746's single-precision flags. */
  MPS2_AN500(
      "mps2-an500",
      List.of(
          "--target=thumbv7em-none-eabihf",
          "-mcpu=cortex-m7",
          "-mfloat-abi=hard",
          "-mfpu=fpv5-sp-d16"),
      4L << 20,
      0x00000000L,
      4L << 20,
      true),
  /** STM32F746G-DISCO: Cortex-M7 at 216 MHz, 320 KB SRAM, 1 MB flash (512 KB for code). */
  STM32F746G_DISCO(
      "stm32f746g-disco",
      List.of(
          "--target=thumbv7em-none-eabihf",
          "-mcpu=cortex-m7",
          "-mfloat-abi=hard",
          "-mfpu=fpv5-sp-d16"),
      320L << 10,
      0x08000000L,
      512L << 10,
      false),
  /** NUCLEO-F411RE: Cortex-M4F at 100 MHz, 128 KB SRAM, 512 KB flash (256 KB for code). */
  NUCLEO_F411RE(
      "nucleo-f411re",
      List.of(
          "--target=thumbv7em-none-eabihf",
          "-mcpu=cortex-m4",
          "-mfloat-abi=hard",
          "-mfpu=fpv4-sp-d16"),
      128L << 10,
      0x08000000L,
      256L << 10,
      false);

  /** Bytes reserved for the stack inside the RAM budget (a NOLOAD section after .bss). */
  public static final long DEFAULT_STACK_BYTES = 8L << 10;

  /** The linker-script template shared by every board, relative to the source root. */
  public static final String LINKER_TEMPLATE = "boards/common/cortexm.ld.in";

  private final String boardName;
  private final List<String> cpuFlags;
  private final long sramBytes;
  private final long flashOrigin;
  private final long codeFlashBytes;
  private final boolean qemu;

  Board(
      String boardName,
      List<String> cpuFlags,
      long sramBytes,
      long flashOrigin,
      long codeFlashBytes,
      boolean qemu) {
    this.boardName = boardName;
    this.cpuFlags = cpuFlags;
    this.sramBytes = sramBytes;
    this.flashOrigin = flashOrigin;
    this.codeFlashBytes = codeFlashBytes;
    this.qemu = qemu;
  }

  /** The board's name as used on the command line and as its directory under boards/. */
  public String boardName() {
    return boardName;
  }

  /** clang target/CPU/FPU flags. */
  public List<String> cpuFlags() {
    return cpuFlags;
  }

  /** SRAM bytes available to a RAM budget (contiguous from 0x20000000). */
  public long sramBytes() {
    return sramBytes;
  }

  /** Address where code flash starts (the vector table goes there). */
  public long flashOrigin() {
    return flashOrigin;
  }

  /** Flash bytes for code and constants (the state-store sectors are excluded). */
  public long codeFlashBytes() {
    return codeFlashBytes;
  }

  /** Whether {@link Qemu} can run this board's images. */
  public boolean runsInQemu() {
    return qemu;
  }

  /** The stack reserve inside the RAM budget. */
  public long stackBytes() {
    return DEFAULT_STACK_BYTES;
  }

  /** The board's own directory, relative to the source root. */
  public String directory() {
    return "boards/" + boardName;
  }

  /** The linker-script template, relative to the source root. */
  public String linkerTemplate() {
    return LINKER_TEMPLATE;
  }

  /** The board's C sources under {@code sourceRoot}: boards/common/*.c then boards/name/*.c. */
  public List<Path> sources(Path sourceRoot) {
    List<Path> out = new ArrayList<>(cFiles(sourceRoot.resolve("boards/common")));
    out.addAll(cFiles(sourceRoot.resolve(directory())));
    return out;
  }

  /** The linker script for a RAM budget of {@code ramBudgetBytes}, from the template text. */
  public String linkerScript(String template, long ramBudgetBytes) {
    return template
        .replace("@BOARD@", boardName)
        .replace("@FLASH_ORIGIN@", String.format("0x%08X", flashOrigin))
        .replace("@FLASH_LENGTH@", Long.toString(codeFlashBytes))
        .replace("@RAM_LENGTH@", Long.toString(ramBudgetBytes))
        .replace("@STACK_BYTES@", Long.toString(stackBytes()));
  }

  /** The names of all boards, comma-separated. */
  public static String knownNames() {
    return Arrays.stream(values()).map(Board::boardName).collect(Collectors.joining(", "));
  }

  /**
   * The board called {@code name} (case-insensitive).
   *
   * @throws McuTrainException naming the known boards if there is none
   */
  public static Board byName(String name) {
    for (Board b : values()) {
      if (b.boardName.equalsIgnoreCase(name == null ? "" : name.strip())) {
        return b;
      }
    }
    throw new McuTrainException(
        "unknown board '" + ToolchainException.oneLine(String.valueOf(name)) + "' (known boards: "
            + knownNames() + ")");
  }

  @Override
  public String toString() {
    return boardName;
  }

  private static List<Path> cFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ToolchainException("missing board source directory " + dir);
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".c"))
          .filter(Files::isRegularFile)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
