package io.smtpprotocol.auth;

import io.smtpprotocol.handler.SessionInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Checks credentials for SMTP AUTH. There is one method per kind of credential; a server offers the
 * SASL mechanisms whose method the authenticator overrides (unless the mechanisms are listed
 * explicitly):
 *
 * <ul>
 *   <li>{@link #password}: PLAIN and LOGIN. By default it checks the password against {@link
 *       #scramCredential}, so an application that stores SCRAM credentials gets PLAIN and LOGIN
 *       too.
 *   <li>{@link #clearTextPassword}: CRAM-MD5, which needs the password in clear text on the server;
 *       it is offered only when this method is overridden.
 *   <li>{@link #token}: XOAUTH2 bearer tokens.
 *   <li>{@link #scramCredential}: SCRAM-SHA-256 (RFC 7677), from stored salted credentials.
 * </ul>
 *
 * <p>Like {@link io.smtpprotocol.handler.SmtpHandler} methods, these run on the server's handler
 * executor, may block, and may answer later by completing the returned stage. A method that throws
 * or fails gives {@code 454 4.7.0}. An accepted identity is then offered to the handler's {@code
 * auth} event, which may still refuse it.
 */
public interface Authenticator {

  /**
   * PLAIN and LOGIN: whether {@code password} is right for {@code username}.
   *
   * @param authorizationId the identity the client asks to act as (PLAIN only), or empty; the
   *     default refuses any authorization identity other than the user name
   */
  default CompletionStage<AuthResult> password(
      SessionInfo session, String username, String password, String authorizationId) {
    if (!authorizationId.isEmpty() && !authorizationId.equals(username)) {
      return AuthResult.failure().asStage();
    }
    return scramCredential(session, username)
        .thenApply(
            credential ->
                credential.isPresent() && credential.get().matches(password)
                    ? AuthResult.success(username)
                    : AuthResult.failure());
  }

  /**
   * CRAM-MD5: the user's password in clear text, or empty when the user is unknown. Overriding this
   * method enables CRAM-MD5.
   */
  default CompletionStage<Optional<String>> clearTextPassword(
      SessionInfo session, String username) {
    return CompletableFuture.completedStage(Optional.empty());
  }

  /** XOAUTH2: whether the bearer {@code token} is valid for {@code username}. */
  default CompletionStage<AuthResult> token(SessionInfo session, String username, String token) {
    return AuthResult.failure().asStage();
  }

  /**
   * SCRAM-SHA-256: the user's stored credential, or empty when the user is unknown (see {@link
   * ScramCredential#derive(String)} to make one from a password).
   */
  default CompletionStage<Optional<ScramCredential>> scramCredential(
      SessionInfo session, String username) {
    return CompletableFuture.completedStage(Optional.empty());
  }

  /**
   * An authenticator for a fixed set of users and passwords, for tests and small setups. Only
   * salted SCRAM credentials are kept (derived once, here); it offers PLAIN, LOGIN and
   * SCRAM-SHA-256.
   */
  static Authenticator ofPasswords(Map<String, String> passwords) {
    Map<String, ScramCredential> credentials = new HashMap<>();
    passwords.forEach((user, password) -> credentials.put(user, ScramCredential.derive(password)));
    Map<String, ScramCredential> users = Map.copyOf(credentials);
    return new Authenticator() {
      @Override
      public CompletionStage<Optional<ScramCredential>> scramCredential(
          SessionInfo session, String username) {
        return CompletableFuture.completedStage(Optional.ofNullable(users.get(username)));
      }
    };
  }
}
