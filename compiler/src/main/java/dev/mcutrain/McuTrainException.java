package dev.mcutrain;

/**
 * An error the user can act on: bad input, an unsupported model, a budget that does not fit. The
 * message is one line and is printed as it is by the CLI.
 */
public class McuTrainException extends RuntimeException {
  public McuTrainException(String message) {
    super(message);
  }

  public McuTrainException(String message, Throwable cause) {
    super(message, cause);
  }
}
