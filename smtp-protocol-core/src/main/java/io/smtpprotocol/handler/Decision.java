package io.smtpprotocol.handler;

import io.smtpprotocol.protocol.EnhancedStatus;
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
  private static final CompletionStage<Decision> ACCEPTED =
      CompletableFuture.completedStage(ACCEPT);

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

  /**
   * Accept with this code and text. A text that starts with an enhanced status ({@code "2.1.0
   * Welcome"}) gives it; otherwise 2xx codes get {@code 2.0.0}.
   *
   * @throws IllegalArgumentException if the text's enhanced status does not fit the code
   */
  public static Decision accept(int code, String text) {
    return new Decision(true, reply(code, text, code < 300 ? "2.0.0" : null));
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

  /**
   * Reject with this code and text. A text that starts with an enhanced status ({@code "5.7.1
   * Sender blocked"}) gives it; otherwise it is {@code 4.0.0} or {@code 5.0.0}.
   *
   * @throws IllegalArgumentException if the text's enhanced status does not fit the code
   */
  public static Decision reject(int code, String text) {
    return new Decision(false, reply(code, text, (code / 100) + ".0.0"));
  }

  /** The reply for a code and a text that may start with its enhanced status. */
  private static Reply reply(int code, String text, @Nullable String defaultStatus) {
    int sp = text.indexOf(' ');
    String first = sp < 0 ? text : text.substring(0, sp);
    if (first.length() >= 5 && Character.isDigit(first.charAt(0)) && first.charAt(1) == '.') {
      EnhancedStatus status;
      try {
        status = EnhancedStatus.parse(first);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "text starts with " + first + ", which is not an enhanced status: " + text, e);
      }
      if (status.statusClass() != code / 100) {
        throw new IllegalArgumentException(
            "enhanced status " + first + " does not fit reply code " + code + ": " + text);
      }
      return Reply.of(code, first, sp < 0 ? "" : text.substring(sp + 1));
    }
    return defaultStatus == null ? Reply.of(code, text) : Reply.of(code, defaultStatus, text);
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
