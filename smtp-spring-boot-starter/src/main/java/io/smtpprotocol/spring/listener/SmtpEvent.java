package io.smtpprotocol.spring.listener;

import io.smtpprotocol.handler.SmtpHandler.Event;

/**
 * The protocol events an {@link SmtpListener} method can answer. Each event lists the parameter
 * types its listeners may declare, in any order; every listener may also declare {@link
 * io.smtpprotocol.handler.SessionInfo SessionInfo}.
 */
public enum SmtpEvent {

  /**
   * A client connected. Rejecting sends the reply instead of the greeting and closes the
   * connection.
   */
  CONNECT(Event.CONNECT),

  /**
   * HELO or EHLO. Parameters: {@link io.smtpprotocol.protocol.Command.Hello Command.Hello}, {@code
   * String} (the client's host name).
   */
  GREETING(Event.GREETING),

  /**
   * A TLS handshake succeeded, after STARTTLS or before the greeting with implicit TLS. Rejecting
   * closes the connection. Parameters: {@link io.smtpprotocol.tls.TlsInfo TlsInfo} (protocol,
   * cipher suite, client certificates).
   */
  TLS(Event.TLS),

  /**
   * AUTH succeeded: the credentials were verified by the {@code Authenticator}; a listener may
   * still refuse the identity (535). Parameters: {@code String} (the authenticated identity).
   */
  AUTH(Event.AUTH),

  /**
   * MAIL FROM. Parameters: {@link io.smtpprotocol.protocol.ReversePath ReversePath}, {@link
   * io.smtpprotocol.protocol.Mailbox Mailbox} (the sender, {@code null} for the null path {@code
   * <>}), {@code String} (the sender's address, empty for {@code <>}), {@link
   * io.smtpprotocol.protocol.MailParameters MailParameters}.
   */
  MAIL_FROM(Event.MAIL_FROM),

  /**
   * RCPT TO. Parameters: {@link io.smtpprotocol.handler.Envelope Envelope} (the transaction so far,
   * without this recipient), {@link io.smtpprotocol.protocol.ReversePath ReversePath}, {@link
   * io.smtpprotocol.protocol.Mailbox Mailbox} (the recipient), {@code String} (the recipient's
   * address), {@link io.smtpprotocol.protocol.MailParameters MailParameters}.
   */
  RCPT_TO(Event.RCPT_TO),

  /**
   * DATA, or the first BDAT. Parameters: {@link io.smtpprotocol.handler.Envelope Envelope}, {@link
   * io.smtpprotocol.protocol.ReversePath ReversePath}.
   */
  DATA(Event.DATA),

  /**
   * The message itself; the client gets the final reply only when the listeners are done, so
   * accepting may mean "stored". Parameters: {@link io.smtpprotocol.handler.Envelope Envelope},
   * {@link io.smtpprotocol.protocol.ReversePath ReversePath}, and the body as {@link
   * java.io.InputStream InputStream} or {@link io.smtpprotocol.handler.MessageBody MessageBody}
   * (streamed, for one listener only), or as {@code byte[]} or {@code
   * jakarta.mail.internet.MimeMessage} (read whole first, for any number of listeners). Without a
   * MESSAGE listener every message is refused.
   */
  MESSAGE(Event.MESSAGE),

  /** RSET (a notification: listeners return {@code void}). */
  RESET(Event.RESET),

  /** QUIT (a notification: listeners return {@code void}). */
  QUIT(Event.QUIT);

  private final Event handlerEvent;

  SmtpEvent(Event handlerEvent) {
    this.handlerEvent = handlerEvent;
  }

  /** The core handler event this listener event is answered in. */
  Event handlerEvent() {
    return handlerEvent;
  }
}
