package io.smtpprotocol.server;

import io.smtpprotocol.auth.AuthSettings;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.Verb;
import io.smtpprotocol.tls.TlsMode;
import io.smtpprotocol.tls.TlsSettings;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The preconditions of every command, checked in one place before the session dispatches it: the
 * greeting first, TLS and AUTH when required, one transaction at a time, the extensions that are
 * on, XCLIENT from trusted peers only. A function of the session's facts and the server's settings,
 * without side effects of its own.
 */
final class CommandGate {

  private final boolean chunking;
  private final boolean lmtp;
  private final TlsSettings tls;
  private final AuthSettings auth;
  private final TrustedAddresses xclient;

  CommandGate(ServerConfig config) {
    this(config, TrustedAddresses.of(config.xclientClients()));
  }

  CommandGate(ServerConfig config, TrustedAddresses xclient) {
    this.chunking = config.chunking();
    this.lmtp = config.lmtp();
    this.tls = config.tls();
    this.auth = config.auth();
    this.xclient = xclient;
  }

  /**
   * The reply refusing a command with this verb, or null to let it through. For RCPT, DATA and BDAT
   * null means that {@code t} is a transaction.
   *
   * @param info the session as it is now
   * @param t the transaction under way, or null
   * @param throttled asked last for AUTH: whether the client's address used up its failures
   */
  @Nullable Reply refusal(
      Verb verb, SessionInfo info, @Nullable Transaction t, BooleanSupplier throttled) {
    boolean helloed = info.hello() != null;
    boolean encrypted = info.tls() != null;
    boolean tlsMissing = !encrypted && tls.required();
    boolean authenticated = info.authenticatedUser() != null;
    return switch (verb) {
      case HELO, EHLO -> lmtp ? Replies.COMMAND_UNRECOGNIZED : null; // RFC 2033 section 4.1
      case LHLO -> lmtp ? null : Replies.COMMAND_UNRECOGNIZED;
      case MAIL ->
          !helloed
              ? Replies.NEED_HELO
              : tlsMissing
                  ? Replies.TLS_REQUIRED
                  : !authenticated && auth.required()
                      ? Replies.AUTH_REQUIRED
                      : t != null ? Replies.NESTED_MAIL : null;
      case RCPT -> !helloed ? Replies.NEED_HELO : t == null ? Replies.NEED_MAIL : null;
      case DATA ->
          !helloed
              ? Replies.NEED_HELO
              : t == null
                  ? Replies.NEED_MAIL
                  : t.bdat
                      ? Replies.DATA_AFTER_BDAT
                      : t.envelope.recipients().isEmpty() ? Replies.NEED_RCPT : null;
      case BDAT ->
          !chunking
              ? Replies.COMMAND_NOT_IMPLEMENTED
              : !helloed
                  ? Replies.NEED_HELO
                  : t == null
                      ? Replies.NEED_MAIL
                      : t.envelope.recipients().isEmpty() ? Replies.NEED_RCPT : null;
      case STARTTLS ->
          tls.mode() == TlsMode.NONE
              ? Replies.COMMAND_NOT_IMPLEMENTED
              : encrypted ? Replies.TLS_ALREADY_ACTIVE : null;
      case AUTH ->
          !auth.enabled()
              ? Replies.COMMAND_NOT_IMPLEMENTED
              : !helloed
                  ? Replies.NEED_HELO
                  : tlsMissing
                      ? Replies.TLS_REQUIRED
                      : !encrypted && !auth.allowInsecure()
                          ? Replies.AUTH_ENCRYPTION_REQUIRED
                          : authenticated
                              ? Replies.ALREADY_AUTHENTICATED
                              : t != null
                                  ? Replies.AUTH_IN_TRANSACTION
                                  : throttled.getAsBoolean()
                                      ? Replies.AUTH_ADDRESS_THROTTLED
                                      : null;
      // Postfix's XCLIENT_README: trust follows the client as the session knows it now
      case XCLIENT ->
          !xclient.contains(info.remoteAddress())
              ? Replies.XCLIENT_NOT_AUTHORIZED
              : t != null ? Replies.XCLIENT_IN_TRANSACTION : null;
      default -> null;
    };
  }
}
