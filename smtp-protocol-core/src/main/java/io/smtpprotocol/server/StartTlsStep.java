package io.smtpprotocol.server;

import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Verb;
import io.smtpprotocol.tls.TlsInfo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * STARTTLS (RFC 3207): the {@link SslHandler} goes first in the pipeline before the 220 is written
 * (its first write passes in plaintext), and whatever plaintext the client sent after the command
 * is dropped unread, so it can never be taken for a command (CVE-2011-0411).
 */
final class StartTlsStep {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

  private final SmtpSession session;
  private final SessionHost host;
  private final SmtpServerObserver observer;
  private final SessionInput input;
  private final ReplyWriter out;
  private final MessageIntake intake;

  StartTlsStep(
      SmtpSession session,
      SessionHost host,
      SessionInput input,
      ReplyWriter out,
      MessageIntake intake) {
    this.session = session;
    this.host = host;
    this.observer = host.config().observer();
    this.input = input;
    this.out = out;
    this.intake = intake;
  }

  /** The handler for STARTTLS, or null when TLS cannot start now (454 has been written). */
  @Nullable SslHandler newHandler() {
    try {
      return host.newSslHandler(session.ctx().channel(), true);
    } catch (RuntimeException e) {
      log.warn("session {}: cannot start TLS: {}", session.info().id(), e.toString());
      observer.tlsHandshake(false);
      out.write(Replies.TLS_NOT_AVAILABLE, Verb.STARTTLS);
      return null;
    }
  }

  /** Drops the plaintext read so far and the transaction, puts {@code ssl} first, answers 220. */
  void begin(SslHandler ssl) {
    input.discardPlaintext();
    intake.reset();
    session.ctx().pipeline().addFirst("tls", ssl);
    out.write(Replies.READY_TO_START_TLS, Verb.STARTTLS);
    out.flush();
  }

  /**
   * A handshake ended (STARTTLS or implicit TLS).
   *
   * @return what was negotiated, or null if the handshake failed
   */
  @Nullable TlsInfo handshakeDone(SslHandshakeCompletionEvent event) {
    if (!event.isSuccess()) {
      observer.tlsHandshake(false);
      out.event("{} TLS handshake failed: {}", String.valueOf(event.cause()));
      return null;
    }
    observer.tlsHandshake(true);
    SslHandler ssl = session.ctx().pipeline().get(SslHandler.class);
    TlsInfo tls = TlsInfo.of(ssl.engine().getSession());
    out.event("{} TLS {} {}", tls.protocol(), tls.cipherSuite());
    // The client must start again: greeting, AUTH and envelope are forgotten.
    intake.reset();
    return tls;
  }
}
