package io.smtpprotocol.server;

import io.smtpprotocol.auth.AuthResult;
import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.auth.ScramCredential;
import io.smtpprotocol.handler.SessionInfo;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** One user, alice, with the password "wonderland" and the XOAUTH2 token "ya29.good". */
class TestAuthenticator implements Authenticator {

  static final String USER = "alice";
  static final String PASSWORD = "wonderland";
  static final String TOKEN = "ya29.good";

  private final ScramCredential credential = ScramCredential.derive(PASSWORD);

  /** The threads the authenticator ran on. */
  final List<String> threads = new CopyOnWriteArrayList<>();

  volatile RuntimeException failure;

  private void called() {
    threads.add(Thread.currentThread().getName());
    RuntimeException f = failure;
    if (f != null) {
      throw f;
    }
  }

  @Override
  public CompletionStage<AuthResult> password(
      SessionInfo session, String username, String password, String authorizationId) {
    called();
    return (username.equals(USER) && password.equals(PASSWORD)
            ? AuthResult.success(USER)
            : AuthResult.failure())
        .asStage();
  }

  @Override
  public CompletionStage<Optional<String>> clearTextPassword(SessionInfo session, String username) {
    called();
    return CompletableFuture.completedStage(
        username.equals(USER) ? Optional.of(PASSWORD) : Optional.empty());
  }

  @Override
  public CompletionStage<AuthResult> token(SessionInfo session, String username, String token) {
    called();
    return (username.equals(USER) && token.equals(TOKEN)
            ? AuthResult.success(USER)
            : AuthResult.failure())
        .asStage();
  }

  @Override
  public CompletionStage<Optional<ScramCredential>> scramCredential(
      SessionInfo session, String username) {
    called();
    return CompletableFuture.completedStage(
        username.equals(USER) ? Optional.of(credential) : Optional.empty());
  }

  static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String unb64(String text) {
    return new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8);
  }

  /** PLAIN's message for alice with this password, in base64. */
  static String plain(String password) {
    return b64("\0" + USER + "\0" + password);
  }
}
