package io.smtpprotocol.demo.smtp;

import io.smtpprotocol.auth.AuthResult;
import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.demo.DemoProperties;
import io.smtpprotocol.handler.SessionInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletionStage;
import org.springframework.stereotype.Component;

/**
 * The users of {@code demo.users.<name>=<password>} for SMTP AUTH. Only {@link #password} is
 * implemented, so the server offers PLAIN and LOGIN.
 */
@Component
class DemoUsers implements Authenticator {

  private final DemoProperties properties;

  DemoUsers(DemoProperties properties) {
    this.properties = properties;
  }

  @Override
  public CompletionStage<AuthResult> password(
      SessionInfo session, String username, String password, String authorizationId) {
    if (!authorizationId.isEmpty() && !authorizationId.equals(username)) {
      return AuthResult.failure().asStage();
    }
    String expected = properties.users().get(username);
    boolean matches =
        expected != null
            && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8),
                password.getBytes(StandardCharsets.UTF_8));
    return (matches ? AuthResult.success(username) : AuthResult.failure()).asStage();
  }
}
