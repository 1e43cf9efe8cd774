package io.smtpprotocol.auth;

import io.smtpprotocol.handler.SessionInfo;
import java.util.concurrent.CompletionStage;

/** PLAIN (RFC 4616): {@code [authzid] NUL authcid NUL passwd} in one client message. */
final class PlainMechanism implements SaslMechanism {

  @Override
  public String name() {
    return "PLAIN";
  }

  @Override
  public SaslExchange start(SessionInfo session, Authenticator authenticator, String serverName) {
    return new OneMessageExchange() {
      @Override
      CompletionStage<SaslStep> message(String message) {
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
