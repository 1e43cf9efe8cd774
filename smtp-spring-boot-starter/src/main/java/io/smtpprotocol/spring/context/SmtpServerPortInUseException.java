package io.smtpprotocol.spring.context;

/** The SMTP server could not start because its port is taken. */
public class SmtpServerPortInUseException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final int port;

  public SmtpServerPortInUseException(int port, Throwable cause) {
    super("SMTP server could not start: port " + port + " is already in use", cause);
    this.port = port;
  }

  /** The port that is taken. */
  public int port() {
    return port;
  }
}
