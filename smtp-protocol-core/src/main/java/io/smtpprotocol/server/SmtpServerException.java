package io.smtpprotocol.server;

/** The server could not start, for example because its port is taken. */
public class SmtpServerException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public SmtpServerException(String message, Throwable cause) {
    super(message, cause);
  }
}
