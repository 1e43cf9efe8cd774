package io.smtpprotocol.handler;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * A {@link MessageBody} read failed because of the client: the message grew beyond the size limit,
 * had a bare CR or LF, was reset, or the connection was lost. The client gets the engine's reply
 * for it; a handler may let this exception propagate, and it is not logged as a server error.
 */
public final class MessageAbortedException extends IOException {

  private static final long serialVersionUID = 1L;

  public MessageAbortedException(@Nullable String message) {
    super(message);
  }

  public MessageAbortedException(@Nullable String message, @Nullable Throwable cause) {
    super(message, cause);
  }

  /** Whether {@code error} or one of its causes is a {@code MessageAbortedException}. */
  public static boolean isCause(@Nullable Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof MessageAbortedException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }
}
