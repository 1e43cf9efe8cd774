package io.smtpprotocol.handler;

import io.smtpprotocol.protocol.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * A handler's answer to one event: accept or reject, with an optional reply. Without a reply the
 * engine sends the default reply of the event (for example {@code 250 2.1.5} for an accepted
 * recipient, {@code 550 5.1.1} for a rejected one).
 *
 * @param accepted whether the event is accepted (staged state is then applied)
 * @param reply the reply to send, or {@code null} for the event's default
 */
public record Decision(boolean accepted, @Nullable Reply reply) {

  private static final Decision ACCEPT = new Decision(true, null);
  private static final Decision REJECT = new Decision(false, null);
  private static final CompletionStage<Decision> ACCEPTED = CompletableFuture.completedStage(ACCEPT);

  public Decision {
    if (reply != null) {
      if (accepted && !reply.isPositive()) {
        throw new IllegalArgumentException("an accept needs a 2xx or 3xx reply: " + reply);
      }
      if (!accepted && reply.isPositive()) {
        throw new IllegalArgumentException("a reject needs a 4xx or 5xx reply: " + reply);
      }
    }
  }

  /** Accept with the event's default reply. */
  public static Decision accept() {
    return ACCEPT;
  }

  /** Accept with this reply. */
  public static Decision accept(Reply reply) {
    return new Decision(true, reply);
  }

  /** Accept with this code and text; 2xx codes get the enhanced status {@code 2.0.0}. */
  public static Decision accept(int code, String text) {
    return new Decision(true, code < 300 ? Reply.of(code, "2.0.0", text) : Reply.of(code, text));
  }

  /** Reject with the event's default reply. */
  public static Decision reject() {
    return REJECT;
  }

  /** Reject with this reply. */
  public static Decision reject(Reply reply) {
    return new Decision(false, reply);
  }

  /** Reject with this code, enhanced status (for example {@code "5.1.1"}) and text. */
  public static Decision reject(int code, String enhancedStatus, String text) {
    return new Decision(false, Reply.of(code, enhancedStatus, text));
  }

  /** Reject with this code and text; the enhanced status is {@code 4.0.0} or {@code 5.0.0}. */
  public static Decision reject(int code, String text) {
    return new Decision(false, Reply.of(code, (code / 100) + ".0.0", text));
  }

  /** An already completed accept, for handler methods that answer at once. */
  public static CompletionStage<Decision> acceptStage() {
    return ACCEPTED;
  }

  /** The decision as an already completed stage. */
  public CompletionStage<Decision> asStage() {
    return this == ACCEPT ? ACCEPTED : CompletableFuture.completedStage(this);
  }

  /** The reply to send: this decision's own, or the given default for accept or reject. */
  public Reply replyOr(Reply defaultAccept, Reply defaultReject) {
    if (reply != null) {
      return reply;
    }
    return accepted ? defaultAccept : defaultReject;
  }
}
