package io.smtpprotocol.handler;

import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReversePath;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The application's side of an SMTP server: one method per protocol event, each answered once with
 * a {@link Decision}.
 *
 * <p>Methods run on the server's handler executor, never on a Netty event loop, so they may block.
 * They may also answer later from any thread by completing the returned stage. While a decision is
 * pending the session reads no further commands; pipelined commands wait in order.
 *
 * <p>The server calls only the methods of the events in {@link #handledEvents()}, which by default
 * are the methods the handler's class overrides. Every other event is answered at once on the event
 * loop, without a trip to the executor, by this interface's default method: it accepts, except
 * {@link #message}, so a handler that does not handle {@link Event#MESSAGE} refuses every message.
 * A method that throws, or whose stage completes exceptionally or not within the handler timeout,
 * gives {@code 451 4.3.0}; a {@link SmtpRejectException} gives its own reply.
 *
 * <p>State is staged: a sender or recipient becomes part of the {@link Envelope} only when its
 * event is accepted.
 */
public interface SmtpHandler {

  /** The protocol events of a handler, one per method of {@link SmtpHandler}. */
  enum Event {
    /** {@link SmtpHandler#connect}. */
    CONNECT,
    /** {@link SmtpHandler#greeting}. */
    GREETING,
    /** {@link SmtpHandler#tls}. */
    TLS,
    /** {@link SmtpHandler#auth}. */
    AUTH,
    /** {@link SmtpHandler#mailFrom}. */
    MAIL_FROM,
    /** {@link SmtpHandler#rcptTo}. */
    RCPT_TO,
    /** {@link SmtpHandler#data}. */
    DATA,
    /** {@link SmtpHandler#message}. */
    MESSAGE,
    /** {@link SmtpHandler#verify}. */
    VERIFY,
    /** {@link SmtpHandler#command}. */
    COMMAND,
    /** {@link SmtpHandler#reset}. */
    RESET,
    /** {@link SmtpHandler#quit}. */
    QUIT,
    /** {@link SmtpHandler#disconnect}. */
    DISCONNECT
  }

  /**
   * The events whose methods the server calls. For any other event the server does not call this
   * handler but answers at once, on the event loop, as this interface's default method does.
   *
   * <p>The default is the events whose methods the handler's class overrides, found by reflection.
   * Override it when that is not the right answer: a handler that delegates to others, or one that
   * overrides every method but handles only some events, returns the events it handles. Listing an
   * event whose method is not overridden only costs a trip to the executor.
   *
   * <p>The server asks once, when it is built.
   */
  default Set<Event> handledEvents() {
    return OverriddenEvents.of(getClass());
  }

  /**
   * A client connected. Rejecting sends the reply instead of the greeting and closes. Asked again
   * after XCLIENT (see {@code SmtpServerBuilder.xclient}), for the client the proxy named.
   */
  default CompletionStage<Decision> connect(SessionInfo session) {
    return Decision.acceptStage();
  }

  /** HELO, EHLO or LHLO. Accepting records the greeting on the session. */
  default CompletionStage<Decision> greeting(SessionInfo session, Command.Hello hello) {
    return Decision.acceptStage();
  }

  /**
   * A TLS handshake succeeded: after STARTTLS, or before the greeting on an implicit TLS listener.
   * {@link SessionInfo#tls()} holds the protocol, cipher and client certificates. Rejecting sends
   * the reply (default {@code 554 5.7.1}) and closes the connection.
   */
  default CompletionStage<Decision> tls(SessionInfo session) {
    return Decision.acceptStage();
  }

  /**
   * AUTH succeeded: the {@link io.smtpprotocol.auth.Authenticator} accepted the credentials for
   * {@code identity}. Accepting makes it the session's {@link SessionInfo#authenticatedUser()};
   * rejecting refuses the AUTH (default {@code 535 5.7.8}) and counts as a failed attempt.
   *
   * @param session the session before authentication
   * @param mechanism the SASL mechanism, for example {@code PLAIN}
   */
  default CompletionStage<Decision> auth(SessionInfo session, String mechanism, String identity) {
    return Decision.acceptStage();
  }

  /** MAIL FROM. Accepting starts a transaction with this sender. */
  default CompletionStage<Decision> mailFrom(
      SessionInfo session, ReversePath from, MailParameters parameters) {
    return Decision.acceptStage();
  }

  /**
   * RCPT TO. Accepting adds the recipient to the envelope.
   *
   * @param envelope the transaction so far, without this recipient
   */
  default CompletionStage<Decision> rcptTo(
      SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
    return Decision.acceptStage();
  }

  /**
   * DATA, or the first BDAT of a transaction. Accepting lets the body come ({@code 354} for DATA);
   * rejecting refuses it.
   */
  default CompletionStage<Decision> data(SessionInfo session, Envelope envelope) {
    return Decision.acceptStage();
  }

  /**
   * The message body, streamed as it arrives. The final reply is sent when the returned stage
   * completes and the whole body has arrived, so an accept may mean "stored". Bytes the handler
   * leaves unread are discarded. If the body turns out too large or malformed, reading it throws
   * and the client gets the engine's error reply, whatever the handler decides.
   *
   * <p>A handler that does not handle {@link Event#MESSAGE} refuses every message with {@code 554
   * 5.3.2}.
   */
  default CompletionStage<Decision> message(
      SessionInfo session, Envelope envelope, MessageBody body) {
    return Decision.reject(Replies.NO_MESSAGE_HANDLER).asStage();
  }

  /**
   * The message body on an LMTP server (RFC 2033), answered per recipient: one decision for each of
   * {@code envelope.recipients()}, in that order, each sent as its own reply after the final dot.
   * Part of {@link Event#MESSAGE}. The default calls {@link #message} and gives its decision to
   * every recipient.
   */
  default CompletionStage<List<Decision>> lmtpMessage(
      SessionInfo session, Envelope envelope, MessageBody body) {
    int recipients = envelope.recipients().size();
    return message(session, envelope, body).thenApply(d -> Collections.nCopies(recipients, d));
  }

  /** VRFY. The default answers {@code 252}. */
  default CompletionStage<Decision> verify(SessionInfo session, String argument) {
    return Decision.acceptStage();
  }

  /**
   * Every command line before the engine handles it: return a reply to answer the command yourself
   * (the session then goes on with the next command), or empty to let the engine handle it. This is
   * how applications add verbs or take over existing ones. A handler that does not handle {@link
   * Event#COMMAND} costs nothing here.
   *
   * @param verb the verb in upper case
   * @param argument the rest of the line after the verb and one space
   */
  default CompletionStage<Optional<Reply>> command(
      SessionInfo session, String verb, String argument) {
    return CompletableFuture.completedStage(Optional.empty());
  }

  /** The transaction was reset by RSET (notification only). */
  default void reset(SessionInfo session) {}

  /** The client sent QUIT (notification only). */
  default void quit(SessionInfo session) {}

  /** The connection closed, for whatever reason (notification only). */
  default void disconnect(SessionInfo session) {}
}
