package io.smtpprotocol.server;

/**
 * Where a session is in its life; each phase says what the session waits for. {@link SmtpSession}
 * alone moves between them.
 */
enum Phase {
  /** Before the greeting: it waits for what {@link GreetingWait} lists. */
  GREETING,
  /** A TLS handshake is under way: implicit TLS before the greeting, or after STARTTLS. */
  TLS_HANDSHAKE,
  /** Commands and message content are read and answered. */
  COMMANDS,
  /** Reading waits until the client has taken the replies queued for it. */
  WRITE_BLOCKED,
  /** Closing or closed: nothing more is read or written. */
  CLOSED;

  /** What must happen before the greeting is sent. */
  enum GreetingWait {
    /** The handler's connect decision. */
    CONNECT,
    /** The configured greeting delay. */
    DELAY,
    /** Implicit TLS: the handshake and the handler's tls event. */
    TLS
  }
}
