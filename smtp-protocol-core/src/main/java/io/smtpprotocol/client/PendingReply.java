package io.smtpprotocol.client;

import io.smtpprotocol.protocol.Reply;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** A command waiting for its reply. */
class PendingReply {
  final String verb;
  final Duration timeout;
  final CompletableFuture<Reply> future = new CompletableFuture<>();

  /** Whether the command is fully written, so that its reply deadline may start. */
  boolean sent = true;

  long deadline;

  /** The reply, while the command waits for something else before it completes (STARTTLS). */
  @Nullable Reply reply;

  PendingReply(String verb, Duration timeout) {
    this.verb = verb;
    this.timeout = timeout;
  }

  /** Completes with a positive reply; a 4xx or 5xx one is a {@link SmtpReplyException}. */
  void onReply(Reply reply) {
    if (reply.isPositive()) {
      future.complete(reply);
    } else {
      future.completeExceptionally(new SmtpReplyException(verb, reply));
    }
  }
}
