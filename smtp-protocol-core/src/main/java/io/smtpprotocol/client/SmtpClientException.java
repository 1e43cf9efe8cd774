package io.smtpprotocol.client;

/** Why a client call failed: a refusal by the server, or a broken or silent connection. */
public abstract sealed class SmtpClientException extends RuntimeException
    permits SmtpReplyException, SmtpConnectionException {

  SmtpClientException(String message, @org.jspecify.annotations.Nullable Throwable cause) {
    super(message, cause);
  }
}
