package io.smtpprotocol.server;

import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler.Event;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Verb;
import io.smtpprotocol.tls.TlsInfo;
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
  private final HandlerCalls calls;

  StartTlsStep(
      SmtpSession session,
      SessionHost host,
      SessionInput input,
      ReplyWriter out,
      MessageIntake intake,
      HandlerCalls calls) {
    this.session = session;
    this.host = host;
    this.observer = host.observer();
    this.input = input;
    this.out = out;
    this.intake = intake;
    this.calls = calls;
  }

  /** Answers STARTTLS: 220 and the handshake begins, or 454 when TLS cannot start now. */
  void start() {
    SslHandler ssl;
    try {
      ssl = host.newSslHandler(session.ctx().channel(), true);
    } catch (RuntimeException e) {
      log.warn("session {}: cannot start TLS: {}", session.info().id(), e.toString());
      observer.tlsHandshake(false);
      out.write(Replies.TLS_NOT_AVAILABLE, Verb.STARTTLS);
      session.next();
      return;
    }
    session.tlsHandshaking();
    input.discardPlaintext();
    intake.reset();
    session.ctx().pipeline().addFirst("tls", ssl);
    out.write(Replies.READY_TO_START_TLS, Verb.STARTTLS);
    out.flush();
  }

  /**
   * A handshake ended (STARTTLS or implicit TLS). After a failure the connection closes; after a
   * success the client starts again (greeting, AUTH and envelope are forgotten) and the handler's
   * tls event decides whether the session goes on.
   */
  void handshakeDone(SslHandshakeCompletionEvent event) {
    if (!event.isSuccess()) {
      observer.tlsHandshake(false);
      out.event("{} TLS handshake failed: {}", String.valueOf(event.cause()));
      session.tlsFailed();
      return;
    }
    observer.tlsHandshake(true);
    SslHandler ssl = session.ctx().pipeline().get(SslHandler.class);
    TlsInfo tls = TlsInfo.of(ssl.engine().getSession());
    out.event("{} TLS {} {}", tls.protocol(), tls.cipherSuite());
    intake.reset();
    // the client must start again: its greeting and AUTH are forgotten
    SessionInfo snapshot = session.info(SessionInfos.encrypted(session.info(), tls));
    calls.decide(
        Event.TLS,
        h -> h.tls(snapshot),
        d -> {
          if (d.accepted()) {
            session.tlsAccepted();
          } else {
            session.closeWith(d.replyOr(Replies.TLS_REJECTED, Replies.TLS_REJECTED));
          }
        });
  }
}
