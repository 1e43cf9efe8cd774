package io.smtpprotocol.client;

import io.smtpprotocol.protocol.Reply;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/** Small helpers for the completion stages the client hands out. */
final class Stages {

  private Stages() {}

  /** The failure inside any {@link CompletionException} wrappers. */
  static Throwable unwrap(Throwable e) {
    while (e instanceof CompletionException && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }

  /** Completes {@code f} as the stage it is given to completes, unwrapped. */
  static <T> BiConsumer<T, @Nullable Throwable> complete(CompletableFuture<T> f) {
    return (v, e) -> {
      if (e != null) {
        f.completeExceptionally(unwrap(e));
      } else {
        f.complete(v);
      }
    };
  }

  static <T> CompletableFuture<T> failed(Throwable e) {
    return CompletableFuture.failedFuture(e);
  }

  /** A stage whose 4xx/5xx reply is a value instead of a failure. */
  static CompletionStage<Reply> settle(CompletionStage<Reply> stage) {
    return stage.handle(Stages::replyOf);
  }

  private static Reply replyOf(@Nullable Reply r, @Nullable Throwable e) {
    if (r != null) {
      return r;
    }
    Throwable cause = unwrap(Objects.requireNonNull(e));
    if (cause instanceof SmtpReplyException re) {
      return re.reply();
    }
    throw cause instanceof RuntimeException rt ? rt : new CompletionException(cause);
  }
}
