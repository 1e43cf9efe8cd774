package io.smtpprotocol.auth;

import io.smtpprotocol.handler.SessionInfo;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/** PLAIN (RFC 4616): {@code [authzid] NUL authcid NUL passwd} in one client message. */
final class PlainMechanism implements SaslMechanism {

  @Override
  public String name() {
    return "PLAIN";
  }

  @Override
  public SaslExchange start(SessionInfo session, Authenticator authenticator, String serverName) {
    return new SaslExchange() {
      private boolean challenged;

      @Override
      public CompletionStage<SaslStep> respond(byte @Nullable [] response) {
        if (response == null) {
          if (challenged) {
            return SaslText.done(SaslStep.malformed());
          }
          challenged = true;
          return SaslText.done(SaslStep.challenge(new byte[0]));
        }
        String message = SaslText.utf8(response);
        if (message == null) {
          return SaslText.done(SaslStep.malformed());
        }
        int first = message.indexOf('\0');
        int second = first < 0 ? -1 : message.indexOf('\0', first + 1);
        if (first < 0 || second < 0 || message.indexOf('\0', second + 1) >= 0) {
          return SaslText.done(SaslStep.malformed());
        }
        String authzid = message.substring(0, first);
        String user = message.substring(first + 1, second);
        String password = message.substring(second + 1);
        if (user.isEmpty() || password.isEmpty()) {
          return SaslText.done(SaslStep.failure());
        }
        return authenticator.password(session, user, password, authzid).thenApply(SaslText::step);
      }
    };
  }
}
