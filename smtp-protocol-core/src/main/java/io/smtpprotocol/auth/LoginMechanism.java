package io.smtpprotocol.auth;

import io.smtpprotocol.handler.SessionInfo;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * LOGIN (draft-murchison-sasl-login): the server asks {@code Username:} then {@code Password:}; an
 * initial response is taken as the user name.
 */
final class LoginMechanism implements SaslMechanism {

  private static final byte[] USERNAME = SaslText.bytes("Username:");
  private static final byte[] PASSWORD = SaslText.bytes("Password:");

  @Override
  public String name() {
    return "LOGIN";
  }

  @Override
  public SaslExchange start(SessionInfo session, Authenticator authenticator, String serverName) {
    return new SaslExchange() {
      private boolean started;
      private @Nullable String user;

      @Override
      public CompletionStage<SaslStep> respond(byte @Nullable [] response) {
        if (!started) {
          started = true;
          if (response == null) {
            return SaslText.done(SaslStep.challenge(USERNAME));
          }
        }
        if (response == null) {
          return SaslText.done(SaslStep.malformed());
        }
        String text = SaslText.utf8(response);
        if (text == null) {
          return SaslText.done(SaslStep.malformed());
        }
        String name = user;
        if (name == null) {
          user = text;
          return SaslText.done(SaslStep.challenge(PASSWORD));
        }
        if (name.isEmpty() || text.isEmpty()) {
          return SaslText.done(SaslStep.failure());
        }
        return authenticator.password(session, name, text, "").thenApply(SaslText::step);
      }
    };
  }
}
