package io.smtpprotocol.auth;

import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Replies;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CompletionStage;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * CRAM-MD5 (RFC 2195): the server sends {@code <random.time@domain>}, the client answers {@code
 * user hex(HMAC-MD5(password, challenge))}. It needs the password in clear text on the server.
 */
final class CramMd5Mechanism implements SaslMechanism {

  private final SecureRandom random = new SecureRandom();

  @Override
  public String name() {
    return "CRAM-MD5";
  }

  @Override
  public SaslExchange start(SessionInfo session, Authenticator authenticator, String serverName) {
    return new SaslExchange() {
      private byte @Nullable [] challenge;

      @Override
      public CompletionStage<SaslStep> respond(byte @Nullable [] response) {
        byte[] sent = challenge;
        if (sent == null) {
          if (response != null) {
            return SaslText.done(SaslStep.failure(Replies.AUTH_INITIAL_RESPONSE_NOT_ALLOWED));
          }
          String text =
              "<"
                  + Long.toUnsignedString(random.nextLong())
                  + "."
                  + System.currentTimeMillis()
                  + "@"
                  + serverName
                  + ">";
          challenge = text.getBytes(StandardCharsets.US_ASCII);
          return SaslText.done(SaslStep.challenge(challenge));
        }
        String text = response == null ? null : SaslText.utf8(response);
        int sp = text == null ? -1 : text.lastIndexOf(' ');
        if (text == null || sp <= 0 || text.length() - sp - 1 != 32) {
          return SaslText.done(SaslStep.malformed());
        }
        String user = text.substring(0, sp);
        byte[] digest;
        try {
          digest = HexFormat.of().parseHex(text.substring(sp + 1));
        } catch (IllegalArgumentException e) {
          return SaslText.done(SaslStep.malformed());
        }
        return authenticator
            .clearTextPassword(session, user)
            .thenApply(
                password ->
                    password.isPresent()
                            && MessageDigest.isEqual(hmacMd5(password.get(), sent), digest)
                        ? SaslStep.success(user)
                        : SaslStep.failure());
      }
    };
  }

  static byte[] hmacMd5(String password, byte[] challenge) {
    try {
      Mac mac = Mac.getInstance("HmacMD5");
      mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
      return mac.doFinal(challenge);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // an empty password cannot be a key: it never matches
      return new byte[0];
    }
  }
}
