package io.smtpprotocol.spring.listener;

import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.ReversePath;
import org.jspecify.annotations.Nullable;

/**
 * What one event offers its listeners; each listener parameter picks one of these.
 *
 * @param session the connection
 * @param hello the greeting (GREETING)
 * @param from the reverse path (MAIL_FROM, and the envelope's afterwards)
 * @param to the recipient (RCPT_TO)
 * @param parameters the command's parameters (MAIL_FROM, RCPT_TO)
 * @param envelope the transaction (RCPT_TO, DATA, MESSAGE)
 * @param identity the authenticated identity (AUTH)
 * @param body the body stream (MESSAGE)
 * @param bytes the whole body, when a listener wants it buffered (MESSAGE)
 */
record ListenerArguments(
    SessionInfo session,
    Command.@Nullable Hello hello,
    @Nullable ReversePath from,
    @Nullable Mailbox to,
    @Nullable MailParameters parameters,
    @Nullable Envelope envelope,
    @Nullable String identity,
    @Nullable MessageBody body,
    byte @Nullable [] bytes) {

  static ListenerArguments of(SessionInfo session) {
    return new ListenerArguments(session, null, null, null, null, null, null, null, null);
  }

  static ListenerArguments greeting(SessionInfo session, Command.Hello hello) {
    return new ListenerArguments(session, hello, null, null, null, null, null, null, null);
  }

  static ListenerArguments auth(SessionInfo session, String identity) {
    return new ListenerArguments(session, null, null, null, null, null, identity, null, null);
  }

  static ListenerArguments mailFrom(
      SessionInfo session, ReversePath from, MailParameters parameters) {
    return new ListenerArguments(session, null, from, null, parameters, null, null, null, null);
  }

  static ListenerArguments rcptTo(
      SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
    return new ListenerArguments(
        session, null, envelope.from(), to, parameters, envelope, null, null, null);
  }

  static ListenerArguments data(SessionInfo session, Envelope envelope) {
    return new ListenerArguments(
        session, null, envelope.from(), null, null, envelope, null, null, null);
  }

  static ListenerArguments message(
      SessionInfo session, Envelope envelope, MessageBody body, byte @Nullable [] bytes) {
    return new ListenerArguments(
        session, null, envelope.from(), null, null, envelope, null, body, bytes);
  }
}
