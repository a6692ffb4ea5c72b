package dev.mcutrain.cli;

import dev.mcutrain.McuTrainException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mcutrain} command line. Errors are one line on stderr with a nonzero exit code. */
@Command(
    name = "mcutrain",
    mixinStandardHelpOptions = true,
    version = "mcutrain 0.1.0",
    description = "Compiles int8 TFLite models into static C that runs (and trains) on "
        + "microcontrollers.",
    subcommands = {DemoCommand.class, GoldenCommand.class, InspectCommand.class,
        InferCommand.class,
        CompileCommand.class, TrainCommand.class, FirmwareCommand.class,
        BenchDeviceCommand.class, SendCommand.class, PretrainCommand.class,
        SimulateCommand.class, ExperimentsCommand.class, BenchCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {
  /** Exit code for a user error (bad input, unsupported model). */
  public static final int EXIT_ERROR = 1;
  /** Exit code for a command line that does not parse. */
  public static final int EXIT_USAGE = 2;
  /** Exit code for a bug in mcutrain itself. */
  public static final int EXIT_INTERNAL = 70;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command (try "
        + "'mcutrain inspect MODEL.tflite' or 'mcutrain --help')");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the CLI with the given streams and returns the exit code (used by tests). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setParameterExceptionHandler((ex, a) -> {
      err.println("mcutrain: error: " + oneLine(ex.getMessage()));
      err.println("Try 'mcutrain --help'.");
      return EXIT_USAGE;
    });
    cl.setExecutionExceptionHandler((ex, c, parsed) -> {
      if (ex instanceof McuTrainException) {
        err.println("mcutrain: error: " + oneLine(ex.getMessage()));
        return EXIT_ERROR;
      }
      err.println("mcutrain: internal error: " + ex.getClass().getSimpleName() + ": "
          + oneLine(String.valueOf(ex.getMessage()))
          + " (please report it; rerun with MCUTRAIN_DEBUG=1 for a stack trace)");
      if (System.getenv("MCUTRAIN_DEBUG") != null) {
        ex.printStackTrace(err);
      }
      return EXIT_INTERNAL;
    });
    return cl.execute(args);
  }

  static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
  }
}
