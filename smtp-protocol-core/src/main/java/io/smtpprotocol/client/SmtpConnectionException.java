package io.smtpprotocol.client;

import org.jspecify.annotations.Nullable;

/**
 * The connection failed: it could not be opened, it was closed or broken, a reply did not come in
 * time, the server sent something that is not an SMTP reply, or TLS could not be established.
 */
public final class SmtpConnectionException extends SmtpClientException {

  public SmtpConnectionException(String message) {
    super(message, null);
  }

  public SmtpConnectionException(String message, @Nullable Throwable cause) {
    super(message, cause);
  }
}
