package dev.mcutrain.toolchain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mcutrain.McuTrainException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirmwareBuildTest {
  private static final long BUDGET = 256L << 10;
  private static final String HELLO_OUTPUT = "hello from mcutrain\nsqrt2*1000=1414\n";
  private static final Duration QEMU_TIMEOUT = Duration.ofSeconds(20);

  @TempDir static Path cache;

  private static Path firmware;
  private static FirmwareBuild build;

  @BeforeAll
  static void locate() {
    Path checkout = RuntimeSources.sourceCheckout();
    assertNotNull(checkout, "no project checkout found from " + Path.of("").toAbsolutePath());
    firmware = checkout.resolve("tests/firmware");
    build = new FirmwareBuild(cache);
  }

  private static FirmwareBuild.Image image(Board board, String program, Path out) {
    return image(board, BUDGET, program, out);
  }

  private static FirmwareBuild.Image image(Board board, long budget, String program, Path out) {
    return build.buildImage(
        board, budget, List.of(firmware.resolve(program + ".c")), List.of(), out, program);
  }

  @Test
  void helloRunsInQemuWithStatusAndOutput(@TempDir Path out) throws IOException {
    FirmwareBuild.Image img = image(Board.MPS2_AN500, "hello", out);
    assertTrue(Files.size(img.bin()) > 0);
    assertTrue(Files.readString(img.hex()).startsWith(":"));
    Qemu.Result r = Qemu.run(img.elf(), null, QEMU_TIMEOUT, false);
    assertEquals(7, r.exitStatus(), "stderr: " + r.stderr());
    assertEquals(HELLO_OUTPUT, r.stdoutText());
    Qemu.Result counted = Qemu.run(img.elf(), null, QEMU_TIMEOUT, true);
    assertEquals(7, counted.exitStatus(), "with -icount; stderr: " + counted.stderr());
    assertEquals(HELLO_OUTPUT, counted.stdoutText());

    FirmwareBuild.SizeReport size = img.size();
    assertTrue(size.text() > 0);
    assertEquals(Board.MPS2_AN500.stackBytes(), size.stackReserve());
    assertEquals(size.data() + size.bss() + size.stackReserve(), size.totalRamBytes());
    assertTrue(size.totalRamBytes() <= BUDGET);
    String report = Files.readString(out.resolve("hello.size.txt"));
    assertTrue(report.contains("total RAM"), report);
  }

  @Test
  void echoReadsItsInputToTheEndInQemu(@TempDir Path out) {
    FirmwareBuild.Image img = image(Board.MPS2_AN500, "echo", out);
    byte[] input = "line one\nline two\n".repeat(20).getBytes(StandardCharsets.UTF_8);
    Qemu.Result r = Qemu.run(img.elf(), input, QEMU_TIMEOUT, false);
    assertEquals(input.length & 0xFF, r.exitStatus(), "stderr: " + r.stderr());
    assertEquals(new String(input, StandardCharsets.UTF_8), r.stdoutText());
    assertEquals(0, Qemu.run(img.elf(), null, QEMU_TIMEOUT, false).exitStatus(), "no input");
  }

  @Test
  void flashStoreWorksInQemuAndOnTheHost(@TempDir Path out) {
    FirmwareBuild.Image img = image(Board.MPS2_AN500, "flash", out);
    Qemu.Result r = Qemu.run(img.elf(), null, QEMU_TIMEOUT, false);
    assertEquals("flash ok\n", r.stdoutText());
    assertEquals(0, r.exitStatus());

    Path exe =
        new HostBuild(cache)
            .buildExecutable(List.of(firmware.resolve("flash.c")), List.of(), out, "flash-host");
    ProcessRunner.Result h = ProcessRunner.run(List.of(exe.toString()), null, QEMU_TIMEOUT);
    assertEquals("flash ok\n", h.stdoutText());
    assertEquals(0, h.exitCode());
  }

  @Test
  void helloBuildsForTheStm32BoardsWithSinglePrecisionOnly(@TempDir Path out) {
    FirmwareBuild.Image f7 = image(Board.STM32F746G_DISCO, "hello", out.resolve("f7"));
    FirmwareBuild.Image f4 = image(Board.NUCLEO_F411RE, 96L << 10, "hello", out.resolve("f4"));
    for (FirmwareBuild.Image img : List.of(f7, f4)) {
      assertTrue(Files.isRegularFile(img.bin()), img.bin().toString());
      assertTrue(Files.isRegularFile(img.hex()), img.hex().toString());
      assertTrue(img.size().flashBytes() < img.board().codeFlashBytes());
    }
    ProcessRunner.Result dis =
        ProcessRunner.run(
            List.of(
                Llvm.get().llvmObjdump().toString(), "-d", "--mcpu=cortex-m7",
                f7.elf().toString()),
            null,
            Duration.ofSeconds(30));
    assertEquals(0, dis.exitCode(), dis.stderr());
    String asm = dis.stdoutText();
    assertTrue(asm.contains("vdiv.f32") || asm.contains("vadd.f32"), "float math is inlined");
    assertFalse(asm.contains(".f64"), "double-precision instruction in an F746 image");
  }

  @Test
  void overBudgetImageFailsToLinkWithOneLine(@TempDir Path out) {
    McuTrainException e =
        assertThrows(McuTrainException.class, () -> image(Board.MPS2_AN500, "big", out));
    assertTrue(e.getMessage().contains("exceeds the RAM budget of 262144 bytes"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void unknownBoardAndOversizedBudgetAreOneLineErrors(@TempDir Path out) {
    McuTrainException unknown =
        assertThrows(McuTrainException.class, () -> Board.byName("arduino-uno"));
    assertEquals(
        "unknown board 'arduino-uno' (known boards: mps2-an500, stm32f746g-disco, nucleo-f411re)",
        unknown.getMessage());
    assertSame(Board.NUCLEO_F411RE, Board.byName("nucleo-f411re"));

    McuTrainException tooBig =
        assertThrows(
            McuTrainException.class,
            () ->
                build.buildImage(
                    Board.NUCLEO_F411RE, 256L << 10, List.of(firmware.resolve("hello.c")),
                    List.of(), out, "hello"));
    assertTrue(tooBig.getMessage().contains("exceeds the 131072 bytes of SRAM on nucleo-f411re"),
        tooBig.getMessage());
    assertFalse(tooBig.getMessage().contains("\n"));
  }

  @Test
  void missingQemuMessageNamesTheDebianPackage() {
    assertTrue(
        Qemu.command(Path.of("/usr/bin/qemu-system-arm"), Path.of("fw.elf"), true)
            .contains("shift=7,align=off,sleep=off"));
    if (!Qemu.isAvailable()) {
      ToolchainException e = assertThrows(ToolchainException.class, Qemu::executable);
      assertTrue(e.getMessage().contains(Qemu.DEBIAN_PACKAGE));
    }
  }
}
