package io.smtpprotocol.auth;

import io.smtpprotocol.handler.SessionInfo;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * XOAUTH2 (Google's and Microsoft's SASL profile of OAuth 2.0 bearer tokens): {@code
 * user=<user>^Aauth=Bearer <token>^A^A}. A refused token gets a {@code 334} with a JSON error, and
 * the client's (empty) answer to it then gets the failure reply, as those providers do.
 */
final class XOAuth2Mechanism implements SaslMechanism {

  private static final byte[] ERROR = SaslText.bytes("{\"status\":\"401\",\"schemes\":\"bearer\"}");

  @Override
  public String name() {
    return "XOAUTH2";
  }

  @Override
  public SaslExchange start(SessionInfo session, Authenticator authenticator, String serverName) {
    return new OneMessageExchange() {
      private @Nullable SaslStep pendingFailure;

      @Override
      public CompletionStage<SaslStep> respond(byte @Nullable [] response) {
        // after the error challenge, whatever the client answers ends the exchange
        SaslStep failure = pendingFailure;
        return failure != null ? SaslText.done(failure) : super.respond(response);
      }

      @Override
      CompletionStage<SaslStep> message(String message) {
        String user = null;
        String token = null;
        for (String field : message.split("\u0001", -1)) {
          if (field.startsWith("user=")) {
            user = field.substring(5);
          } else if (field.regionMatches(true, 0, "auth=Bearer ", 0, 12)) {
            token = field.substring(12).strip();
          }
        }
        if (user == null || token == null || user.isEmpty() || token.isEmpty()) {
          return SaslText.done(SaslStep.malformed());
        }
        return authenticator
            .token(session, user, token)
            .thenApply(
                result -> {
                  SaslStep step = SaslText.step(result);
                  if (step instanceof SaslStep.Failure f && f.reply().isPermanent()) {
                    pendingFailure = step;
                    return SaslStep.challenge(ERROR);
                  }
                  return step;
                });
      }
    };
  }
}
