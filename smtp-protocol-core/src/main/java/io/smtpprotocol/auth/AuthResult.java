package io.smtpprotocol.auth;

import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * An {@link Authenticator}'s verdict on credentials.
 *
 * @param success whether the credentials are good
 * @param identity the authenticated identity on success (usually the user name), else {@code null}
 * @param reply the reply for a failure, or {@code null} for {@code 535 5.7.8}; a {@code 454 4.7.0}
 *     says the check could not be made now
 */
public record AuthResult(boolean success, @Nullable String identity, @Nullable Reply reply) {

  private static final AuthResult FAILURE = new AuthResult(false, null, null);

  public AuthResult {
    if (success && (identity == null || identity.isEmpty())) {
      throw new IllegalArgumentException("a success needs a non-empty identity");
    }
    if (success && reply != null) {
      throw new IllegalArgumentException("a success takes no reply");
    }
    if (reply != null && reply.isPositive()) {
      throw new IllegalArgumentException("a failure needs a 4xx or 5xx reply: " + reply);
    }
  }

  /** The credentials are good; the session is authenticated as {@code identity}. */
  public static AuthResult success(String identity) {
    return new AuthResult(true, identity, null);
  }

  /** The credentials are wrong: {@code 535 5.7.8}. */
  public static AuthResult failure() {
    return FAILURE;
  }

  /** The credentials were not accepted, with this reply (for example {@code 454 4.7.0}). */
  public static AuthResult failure(Reply reply) {
    return new AuthResult(false, null, reply);
  }

  /** This result as an already completed stage. */
  public CompletionStage<AuthResult> asStage() {
    return CompletableFuture.completedStage(this);
  }

  /** The reply to send for this failure. */
  Reply failureReply() {
    return reply != null ? reply : Replies.AUTH_FAILED;
  }
}
