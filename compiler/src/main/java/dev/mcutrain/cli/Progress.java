package dev.mcutrain.cli;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr (samples/s, loss, ETA) when a person is watching (stderr is a
 * terminal, or {@code MCUTRAIN_PROGRESS=1}); silent otherwise, so logs and tests stay clean.
 */
final class Progress implements AutoCloseable {
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  static boolean enabled() {
    String env = System.getenv("MCUTRAIN_PROGRESS");
    if (env != null) {
      return env.equals("1");
    }
    return System.console() != null;
  }

  /** A bar counting {@code total} samples, or a no-op when progress is not shown. */
  static Progress start(String task, long total) {
    if (!enabled()) {
      return new Progress(null);
    }
    PrintStream err = System.err;
    return new Progress(new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
        .setStyle(ProgressBarStyle.ASCII).setUnit(" samples", 1).showSpeed()
        .setUpdateIntervalMillis(250).setMaxRenderedLength(100)
        .setConsumer(new ConsoleProgressBarConsumer(err, 100)).build());
  }

  void update(long done, float loss) {
    if (bar != null) {
      bar.stepTo(done);
      bar.setExtraMessage(String.format(Locale.ROOT, "loss %.3f", loss));
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
