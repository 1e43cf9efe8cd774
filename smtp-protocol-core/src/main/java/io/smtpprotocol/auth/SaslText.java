package io.smtpprotocol.auth;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/** Text and result conversions shared by the mechanisms. */
final class SaslText {

  private SaslText() {}

  /** Strict UTF-8, or null when the octets are not UTF-8. */
  static @Nullable String utf8(byte[] octets) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(octets))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static CompletionStage<SaslStep> done(SaslStep step) {
    return CompletableFuture.completedStage(step);
  }

  /** The step for an authenticator's result. */
  static SaslStep step(AuthResult result) {
    return result.success() && result.identity() != null
        ? SaslStep.success(result.identity())
        : SaslStep.failure(result.failureReply());
  }
}
