package io.smtpprotocol.spring.listener;

import io.smtpprotocol.handler.Decision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The listeners of one event, in order. The first reject is the answer; when all accept, the first
 * explicit reply wins.
 */
final class ListenerChain {

  private final ListenerMethod[] listeners;

  ListenerChain(List<ListenerMethod> listeners) {
    if (listeners.isEmpty()) {
      throw new IllegalArgumentException("listeners must not be empty");
    }
    this.listeners = listeners.toArray(new ListenerMethod[0]);
  }

  /** Whether a listener wants the whole body read first. */
  boolean buffersBody() {
    for (ListenerMethod l : listeners) {
      if (l.bodyUse() == ListenerMethod.BodyUse.BUFFERED) {
        return true;
      }
    }
    return false;
  }

  CompletionStage<Decision> decide(ListenerArguments arguments) {
    return decideFrom(0, null, arguments);
  }

  private CompletionStage<Decision> decideFrom(
      int from, @Nullable Decision soFar, ListenerArguments arguments) {
    Decision accepted = soFar;
    for (int i = from; i < listeners.length; i++) {
      CompletionStage<Decision> stage = listeners[i].decide(arguments);
      CompletableFuture<Decision> future = stage.toCompletableFuture();
      if (!future.isDone()) {
        int next = i + 1;
        Decision before = accepted;
        return stage.thenCompose(
            d ->
                d.accepted()
                    ? decideFrom(next, combine(before, d), arguments)
                    : CompletableFuture.completedStage(d));
      }
      Decision d = future.join(); // never exceptional: ListenerMethod maps failures to decisions
      if (!d.accepted()) {
        return d.asStage();
      }
      accepted = combine(accepted, d);
    }
    return accepted == null ? Decision.acceptStage() : accepted.asStage();
  }

  /**
   * A decision per recipient (LMTP), recipient by recipient as {@link #decide}: the first reject is
   * that recipient's answer; listeners run in order while some recipient is still accepted.
   */
  CompletionStage<List<Decision>> decideEach(ListenerArguments arguments, int recipients) {
    return decideEachFrom(0, null, arguments, recipients);
  }

  private CompletionStage<List<Decision>> decideEachFrom(
      int from, @Nullable List<Decision> soFar, ListenerArguments arguments, int recipients) {
    if (from == listeners.length || soFar != null && soFar.stream().noneMatch(Decision::accepted)) {
      return CompletableFuture.completedStage(
          soFar == null ? Collections.nCopies(recipients, Decision.accept()) : soFar);
    }
    return listeners[from]
        .decideEach(arguments, recipients)
        .thenCompose(
            next -> {
              List<Decision> merged = new ArrayList<>(recipients);
              for (int i = 0; i < recipients; i++) {
                Decision before = soFar == null ? null : soFar.get(i);
                merged.add(
                    before != null && !before.accepted()
                        ? before
                        : next.get(i).accepted() ? combine(before, next.get(i)) : next.get(i));
              }
              return decideEachFrom(from + 1, merged, arguments, recipients);
            });
  }

  private static Decision combine(@Nullable Decision soFar, Decision next) {
    return soFar != null && soFar.reply() != null ? soFar : next;
  }

  void notify(ListenerArguments arguments) {
    for (ListenerMethod l : listeners) {
      l.notify(arguments);
    }
  }
}
