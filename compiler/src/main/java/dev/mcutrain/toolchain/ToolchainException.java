package dev.mcutrain.toolchain;

/**
 * A failure of the bundled C toolchain or of a program it built: a compile or link error, a missing
 * tool, a timeout. The message is always a single line; where there is more to read (a compiler
 * log), the message names the file that holds it.
 */
public final class ToolchainException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ToolchainException(String message) {
    super(oneLine(message));
  }

  public ToolchainException(String message, Throwable cause) {
    super(oneLine(message), cause);
  }

  /** Collapses line breaks so the message stays on one line. */
  static String oneLine(String message) {
    if (message == null) {
      return "";
    }
    return message.replace("\r\n", " ").replace('\n', ' ').replace('\r', ' ').strip();
  }
}
