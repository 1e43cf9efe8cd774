package io.smtpprotocol.auth;

import io.smtpprotocol.handler.SessionInfo;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A server-side SASL mechanism (RFC 4422, as AUTH uses it: RFC 4954). The {@link #STANDARD} ones
 * are built in and made by {@link #of(String)}, one instance per server (an instance may keep
 * per-server secrets). An application adds its own with {@code
 * SmtpServerBuilder.saslMechanism(SaslMechanism)} (in the Spring Boot starter: a bean of this
 * type); it is offered like the built-in ones, under the same AUTH policy (only over TLS unless
 * insecure AUTH is allowed, the failure budget and its delays, the handler's {@code auth} event).
 *
 * <pre>{@code
 * SaslMechanism external = new SaslMechanism() {
 *   public String name() { return "EXTERNAL"; }
 *   public SaslExchange start(SessionInfo session, Authenticator authenticator, String serverName) {
 *     TlsInfo tls = session.tls(); // a client certificate, with TLS client authentication
 *     return response -> CompletableFuture.completedStage(
 *         tls != null && tls.peerPrincipal() != null
 *             ? SaslStep.success(tls.peerPrincipal().getName())
 *             : SaslStep.failure());
 *   }
 * };
 * }</pre>
 */
public interface SaslMechanism {

  /** The names of the built-in mechanisms. */
  List<String> STANDARD = List.of("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "SCRAM-SHA-256");

  /**
   * The mechanism's name: 1 to 20 characters of upper-case letters, digits, {@code -} and {@code _}
   * (RFC 4422, section 3.1); the server checks it when it is built.
   */
  String name();

  /**
   * Starts an exchange.
   *
   * @param session the session as it is when AUTH arrives
   * @param authenticator checks the credentials
   * @param serverName the server's domain, for mechanisms that put it in a challenge
   */
  SaslExchange start(SessionInfo session, Authenticator authenticator, String serverName);

  /** Whether {@code name} is a valid SASL mechanism name (RFC 4422, section 3.1). */
  static boolean isValidName(String name) {
    return name.matches("[A-Z0-9_-]{1,20}");
  }

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
