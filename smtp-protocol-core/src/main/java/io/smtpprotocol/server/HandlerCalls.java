package io.smtpprotocol.server;

import io.netty.channel.ChannelHandlerContext;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.handler.SmtpRejectException;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls into the application for one session: handler methods and the authenticator run on the
 * server's executor, with a timeout, and their answers come back on the event loop exactly once.
 * Failures become replies here, and the warnings they cause are rate-limited.
 */
final class HandlerCalls {

  private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);

  private final SmtpSession session;
  private final SessionHost host;
  private final SmtpHandler handler;
  private final ReplyWriter out;
  private final long timeoutMillis;
  /** Calls whose answer the session waits for before it reads on. */
  private int pending;

  HandlerCalls(SmtpSession session, SessionHost host, ReplyWriter out) {
    this.session = session;
    this.host = host;
    this.handler = host.config().handler();
    this.out = out;
    this.timeoutMillis = host.config().limits().handlerTimeout().toMillis();
  }

  /** Whether the session waits for an answer of the application (or a delayed AUTH reply). */
  boolean pending() {
    return pending > 0;
  }

  /**
   * Asks for a decision. An event the application's handler does not handle is answered at once by
   * the interface's default; otherwise the handler is called on the executor and reading waits for
   * the answer.
   */
  void decide(
      boolean handled,
      String event,
      Function<SmtpHandler, CompletionStage<Decision>> invocation,
      Consumer<Decision> then) {
    if (!handled) {
      then.accept(decisionOf(invocation.apply(HandlerOverrides.DEFAULTS), event));
      return;
    }
    ask(
        event,
        () -> invocation.apply(handler),
        (Decision d, @Nullable Throwable error) ->
            then.accept(error != null || d == null ? failureDecision(event, error) : d));
  }

  /** Like {@link #call}, and the session waits for the answer before it reads on. */
  <T> void ask(
      String event,
      Supplier<CompletionStage<T>> invocation,
      BiConsumer<@Nullable T, @Nullable Throwable> then) {
    pending++;
    call(
        event,
        invocation,
        (r, e) -> {
          pending--;
          then.accept(r, e);
        });
  }

  /**
   * Offers a command line to the handler's command event; {@code then} gets the reply the handler
   * gave (a failure's reply too), or null when the engine goes on with the command.
   */
  void command(SessionInfo info, String line, Consumer<@Nullable Reply> then) {
    int sp = line.indexOf(' ');
    String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
    String argument = sp < 0 ? "" : line.substring(sp + 1);
    ask(
        "command",
        () -> handler.command(info, verb, argument),
        (Optional<Reply> result, @Nullable Throwable error) -> {
          if (error != null) {
            then.accept(failureReply("command", error));
          } else if (result != null && result.isPresent()) {
            then.accept(result.get());
          } else {
            then.accept(null);
          }
        });
  }

  /** The decision of a stage that is already complete (a handler's default method). */
  Decision decisionOf(CompletionStage<Decision> stage, String event) {
    try {
      Decision d = stage.toCompletableFuture().getNow(null);
      return d == null ? failureDecision(event, null) : d;
    } catch (RuntimeException e) {
      return failureDecision(event, e.getCause() != null ? e.getCause() : e);
    }
  }

  /**
   * Runs {@code invocation} on the handler executor; {@code then} runs on the event loop exactly
   * once with the result or the error (a timeout after {@link Limits#handlerTimeout()}), unless
   * the connection closed first. The replies written so far go out before the call.
   */
  <T> void call(
      String event,
      Supplier<CompletionStage<T>> invocation,
      BiConsumer<@Nullable T, @Nullable Throwable> then) {
    ChannelHandlerContext c = session.ctx();
    boolean[] done = new boolean[1];
    ScheduledFuture<?>[] timer = new ScheduledFuture<?>[1];
    BiConsumer<@Nullable T, @Nullable Throwable> once =
        (r, e) -> {
          if (done[0]) {
            return;
          }
          done[0] = true;
          SmtpSession.cancel(timer[0]);
          if (!session.closed()) {
            then.accept(r, e);
          }
        };
    out.flush();
    timer[0] =
        c.executor()
            .schedule(
                () ->
                    once.accept(
                        null, new TimeoutException("no answer within " + timeoutMillis + " ms")),
                timeoutMillis,
                TimeUnit.MILLISECONDS);
    try {
      host.executor()
          .execute(
              () -> {
                CompletionStage<T> stage;
                try {
                  stage = invocation.get();
                } catch (Throwable e) {
                  c.executor().execute(() -> once.accept(null, e));
                  return;
                }
                if (stage == null) {
                  c.executor()
                      .execute(
                          () -> once.accept(null, new NullPointerException(event + " returned null")));
                  return;
                }
                stage.whenComplete((r, e) -> c.executor().execute(() -> once.accept(r, e)));
              });
    } catch (RejectedExecutionException e) {
      once.accept(null, e);
    }
  }

  /**
   * Runs {@code task} on the event loop after {@code delayMillis}, unless the session closed
   * first; the session waits for it like for an answer.
   */
  void later(long delayMillis, Runnable task) {
    pending++;
    session
        .ctx()
        .executor()
        .schedule(
            () -> {
              pending--;
              if (!session.closed()) {
                task.run();
              }
            },
            delayMillis,
            TimeUnit.MILLISECONDS);
  }

  /** Tells the handler of an event that needs no answer. */
  void notifyHandler(String event, Runnable notification) {
    try {
      host.executor()
          .execute(
              () -> {
                try {
                  notification.run();
                } catch (RuntimeException e) {
                  warn("SMTP handler {} failed in session {}", event, id(), e);
                }
              });
    } catch (RejectedExecutionException e) {
      log.debug("SMTP handler {} not notified in session {}: executor busy", event, id());
    }
  }

  Decision failureDecision(String event, @Nullable Throwable error) {
    return Decision.reject(failureReply(event, error));
  }

  /** The reply for a handler method that failed: see {@link #failureReply(String, Throwable, Reply)}. */
  Reply failureReply(String event, @Nullable Throwable error) {
    return failureReply(event, error, Replies.HANDLER_FAILURE);
  }

  /** The reply for an authenticator that failed: see {@link #failureReply(String, Throwable, Reply)}. */
  Reply authenticatorFailureReply(@Nullable Throwable error) {
    return failureReply("authenticator", error, Replies.AUTH_TEMPORARY_FAILURE);
  }

  /**
   * The reply for a handler or authenticator that failed, {@code fallback} unless it said why.
   * What is the server's problem is logged as a warning; a handler that stopped because the client
   * spoiled its message (too large, a bare line ending, gone) is the client's fault, worth one
   * DEBUG line without a stack trace.
   */
  private Reply failureReply(String event, @Nullable Throwable error, Reply fallback) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof SmtpRejectException reject) {
      return reject.reply();
    }
    String who = event.equals("authenticator") ? "SMTP authenticator" : "SMTP handler " + event;
    if (cause instanceof RejectedExecutionException) {
      warn("{} not run in session {}: handler executor saturated", who, id());
      return Replies.SERVER_BUSY;
    }
    if (MessageAbortedException.isCause(cause)) {
      log.debug("{} stopped in session {}: {}", who, id(), String.valueOf(cause.getMessage()));
      return fallback;
    }
    if (cause == null) {
      warn("{} returned no decision in session {}", who, id());
    } else {
      warn("{} failed in session {}", who, id(), cause);
    }
    return fallback;
  }

  /** A warning, unless too many came in a short while (they are counted, then reported). */
  void warn(String format, Object... arguments) {
    long suppressed = host.warnings().acquire();
    if (suppressed >= 0) {
      log.warn(format + WarningLimiter.suppressedNote(suppressed), arguments);
    }
  }

  private String id() {
    return session.info().id();
  }
}
