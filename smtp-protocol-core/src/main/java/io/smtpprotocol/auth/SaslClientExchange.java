package io.smtpprotocol.auth;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The client's side of one SASL exchange (RFC 4954): an optional initial response, then an answer
 * to each {@code 334} challenge. The mechanisms are the server's, seen from the other end: PLAIN,
 * LOGIN, CRAM-MD5, XOAUTH2 and SCRAM-SHA-256 (which checks the server's signature).
 *
 * <pre>{@code
 * SaslClientExchange exchange = SaslClientExchange.start("SCRAM-SHA-256", "alice", "secret").orElseThrow();
 * }</pre>
 */
public interface SaslClientExchange {

  /**
   * The mechanisms this side can use with a password, strongest first; XOAUTH2 (whose secret is a
   * token) is used only when asked for by name.
   */
  List<String> PASSWORD_PREFERENCE = List.of("SCRAM-SHA-256", "CRAM-MD5", "PLAIN", "LOGIN");

  /** The mechanism's registered name, in upper case. */
  String mechanism();

  /**
   * The initial response to send with the AUTH command, or {@code null} to wait for a challenge.
   */
  byte @Nullable [] initialResponse();

  /**
   * The answer to a challenge (already base64-decoded).
   *
   * @throws IllegalArgumentException when the challenge is not what the mechanism expects, or the
   *     server's proof does not verify: the client then cancels the exchange
   */
  byte[] respond(byte[] challenge);

  /**
   * Whether the exchange reached its end on this side: a success reply before this is true means
   * the server skipped a step (for SCRAM-SHA-256, proving that it knows the credential).
   */
  boolean complete();

  /**
   * Starts an exchange for a built-in mechanism (case-insensitive).
   *
   * @param user the user name
   * @param secret the password, or the OAuth 2.0 access token for XOAUTH2
   * @return empty when the mechanism is not one of the built-in ones
   */
  static Optional<SaslClientExchange> start(String mechanism, String user, String secret) {
    return switch (mechanism.toUpperCase(Locale.ROOT)) {
      case "PLAIN" -> Optional.of(ClientMechanisms.plain(user, secret));
      case "LOGIN" -> Optional.of(ClientMechanisms.login(user, secret));
      case "CRAM-MD5" -> Optional.of(ClientMechanisms.cramMd5(user, secret));
      case "XOAUTH2" -> Optional.of(ClientMechanisms.xoauth2(user, secret));
      case "SCRAM-SHA-256" -> Optional.of(new ScramSha256Client(user, secret));
      default -> Optional.empty();
    };
  }

  /** Whether the mechanism sends the secret itself (readable by anyone who sees the exchange). */
  static boolean exposesSecret(String mechanism) {
    String m = mechanism.toUpperCase(Locale.ROOT);
    return m.equals("PLAIN") || m.equals("LOGIN") || m.equals("XOAUTH2");
  }
}
