package io.smtpprotocol.auth;

import io.smtpprotocol.handler.SessionInfo;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A server-side SASL mechanism: one of the {@link #STANDARD} ones, made by {@link #of(String)}; an
 * instance may keep per-server secrets, so each server makes its own. The set is closed (the
 * interface is sealed): the server's AUTH settings name mechanisms, they do not plug them in.
 */
public sealed interface SaslMechanism
    permits PlainMechanism,
        LoginMechanism,
        CramMd5Mechanism,
        XOAuth2Mechanism,
        ScramSha256Mechanism {

  /** The names of the built-in mechanisms. */
  List<String> STANDARD = List.of("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "SCRAM-SHA-256");

  /** The mechanism's registered name, in upper case. */
  String name();

  /**
   * Starts an exchange.
   *
   * @param session the session as it is when AUTH arrives
   * @param authenticator checks the credentials
   * @param serverName the server's domain, for mechanisms that put it in a challenge
   */
  SaslExchange start(SessionInfo session, Authenticator authenticator, String serverName);

  /** A new instance of the built-in mechanism of this name (case-insensitive), if there is one. */
  static Optional<SaslMechanism> of(String name) {
    return switch (name.toUpperCase(Locale.ROOT)) {
      case "PLAIN" -> Optional.of(new PlainMechanism());
      case "LOGIN" -> Optional.of(new LoginMechanism());
      case "CRAM-MD5" -> Optional.of(new CramMd5Mechanism());
      case "XOAUTH2" -> Optional.of(new XOAuth2Mechanism());
      case "SCRAM-SHA-256" -> Optional.of(new ScramSha256Mechanism());
      default -> Optional.empty();
    };
  }
}
