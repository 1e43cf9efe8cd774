package io.smtpprotocol.server;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Answers a handler gives later, for handlers under {@link SessionHarness}: {@link #supply} returns
 * a future that is not yet complete; the harness completes the oldest one when it waits for a reply
 * and none is there. The answer thus arrives after the handler returned, as from another thread,
 * but on the test thread, where the {@code EmbeddedChannel} may be used.
 */
final class Later {

  private final Queue<Runnable> completions = new ArrayDeque<>();

  /** A future that gets {@code answer}'s value (or its exception) once the harness says so. */
  <T> CompletableFuture<T> supply(Supplier<T> answer) {
    CompletableFuture<T> f = new CompletableFuture<>();
    completions.add(
        () -> {
          try {
            f.complete(answer.get());
          } catch (RuntimeException e) {
            f.completeExceptionally(e);
          }
        });
    return f;
  }

  /** Completes the oldest future still open; false when there is none. */
  boolean completeOne() {
    Runnable next = completions.poll();
    if (next == null) {
      return false;
    }
    next.run();
    return true;
  }
}
