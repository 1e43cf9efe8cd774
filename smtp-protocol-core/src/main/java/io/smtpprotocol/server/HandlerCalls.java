package io.smtpprotocol.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.MessageAbortedException;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.handler.SmtpHandler.Event;
import io.smtpprotocol.handler.SmtpRejectException;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.Verb;
import java.io.IOException;
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
  private final HandlerOverrides overrides;
  private final boolean authEnabled;
  private final ReplyWriter out;
  private final long timeoutMillis;

  /** Calls whose answer the session waits for before it reads on. */
  private int pending;

  HandlerCalls(SmtpSession session, SessionHost host, ReplyWriter out) {
    this.session = session;
    this.host = host;
    this.handler = host.handler();
    this.overrides = host.overrides();
    this.authEnabled = host.authEnabled();
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
      Event event,
      Function<SmtpHandler, CompletionStage<Decision>> invocation,
      Consumer<Decision> then) {
    if (!overrides.handles(event)) {
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
      Event event,
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
   * Whether a command line goes to the handler's command event first: when the handler has one,
   * except AUTH lines, which carry credentials, and lines with control characters.
   */
  boolean hooks(String line, Command command) {
    return overrides.handles(Event.COMMAND)
        && !(authEnabled && command.kind() == Verb.AUTH && isAuthLine(line))
        && !(command instanceof Command.Invalid i && i.reply() == Replies.CONTROL_CHARACTER);
  }

  private static boolean isAuthLine(String line) {
    int n = Verb.AUTH.name().length();
    return line.regionMatches(true, 0, Verb.AUTH.name(), 0, n)
        && (line.length() == n || line.charAt(n) == ' ');
  }

  /**
   * Offers a command line to the handler's command event: the reply the handler gave (a failure's
   * reply too) answers the command, and without one {@code dispatch} goes on with it.
   */
  void command(SessionInfo info, String line, Command command, Consumer<Command> dispatch) {
    int sp = line.indexOf(' ');
    String verb = (sp < 0 ? line : line.substring(0, sp)).toUpperCase(Locale.ROOT);
    String argument = sp < 0 ? "" : line.substring(sp + 1);
    ask(
        Event.COMMAND,
        () -> handler.command(info, verb, argument),
        (Optional<Reply> result, @Nullable Throwable error) -> {
          if (error != null) {
            out.write(failureReply(Event.COMMAND, error), command.kind());
            session.next();
          } else if (result != null && result.isPresent()) {
            out.write(result.get(), command.kind());
            session.next();
          } else {
            dispatch.accept(command);
          }
        });
  }

  /** The decision of a stage that is already complete (a handler's default method). */
  Decision decisionOf(CompletionStage<Decision> stage, Event event) {
    try {
      Decision d = stage.toCompletableFuture().getNow(null);
      return d == null ? failureDecision(event, null) : d;
    } catch (RuntimeException e) {
      return failureDecision(event, e.getCause() != null ? e.getCause() : e);
    }
  }

  /**
   * Runs {@code invocation} on the handler executor; {@code then} runs on the event loop exactly
   * once with the result or the error (a timeout after {@link Limits#handlerTimeout()}), unless the
   * connection closed first. The replies written so far go out before the call.
   */
  <T> void call(
      Event event,
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
          SessionTimers.cancel(timer[0]);
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
                          () ->
                              once.accept(
                                  null,
                                  new NullPointerException(method(event) + " returned null")));
                  return;
                }
                stage.whenComplete((r, e) -> c.executor().execute(() -> once.accept(r, e)));
              });
    } catch (RejectedExecutionException e) {
      once.accept(null, e);
    }
  }

  /**
   * Runs {@code task} on the event loop after {@code delayMillis}, unless the session closed first;
   * the session waits for it like for an answer.
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

  /** Tells the handler of RSET, if it handles that event. */
  void notifyReset(SessionInfo info) {
    if (overrides.handles(Event.RESET)) {
      notifyHandler(Event.RESET, () -> handler.reset(info));
    }
  }

  /** Tells the handler of QUIT, if it handles that event. */
  void notifyQuit(SessionInfo info) {
    if (overrides.handles(Event.QUIT)) {
      notifyHandler(Event.QUIT, () -> handler.quit(info));
    }
  }

  /** Tells the handler that the connection is gone, if it handles that event. */
  void notifyDisconnect(SessionInfo info) {
    if (overrides.handles(Event.DISCONNECT)) {
      notifyHandler(Event.DISCONNECT, () -> handler.disconnect(info));
    }
  }

  /** Tells the handler of an event that needs no answer. */
  private void notifyHandler(Event event, Runnable notification) {
    try {
      host.executor()
          .execute(
              () -> {
                try {
                  notification.run();
                } catch (RuntimeException e) {
                  warn("SMTP handler {} failed in session {}", method(event), id(), e);
                }
              });
    } catch (RejectedExecutionException e) {
      log.debug("SMTP handler {} not notified in session {}: executor busy", method(event), id());
    }
  }

  Decision failureDecision(Event event, @Nullable Throwable error) {
    return Decision.reject(failureReply(event, error));
  }

  /** The reply for a handler method that failed, {@link Replies#HANDLER_FAILURE} by default. */
  Reply failureReply(Event event, @Nullable Throwable error) {
    return failureReply(event, error, Replies.HANDLER_FAILURE);
  }

  /** The reply for an authenticator that failed, by the same mapping as a handler's failure. */
  Reply authenticatorFailureReply(@Nullable Throwable error) {
    return failureReply(null, error, Replies.AUTH_TEMPORARY_FAILURE);
  }

  /**
   * The reply for a handler or authenticator that failed, {@code fallback} unless it said why. What
   * is the server's problem is logged as a warning; a handler that stopped because the client
   * spoiled its message (too large, a bare line ending, gone) is the client's fault, worth one
   * DEBUG line without a stack trace.
   */
  private Reply failureReply(@Nullable Event event, @Nullable Throwable error, Reply fallback) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof SmtpRejectException reject) {
      return reject.reply();
    }
    String who = event == null ? "SMTP authenticator" : "SMTP handler " + method(event);
    if (cause instanceof RejectedExecutionException) {
      warn("{} not run in session {}: handler executor saturated", who, id());
      return Replies.SERVER_BUSY;
    }
    if (cause != null && MessageAbortedException.isCause(cause)) {
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

  /**
   * Logs what made the session fail: a lost connection or a broken handshake is the client's
   * business (DEBUG), anything else a warning.
   */
  void sessionFailed(Throwable cause, boolean handshaking) {
    Throwable problem =
        cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
    if (problem instanceof IOException || cause instanceof DecoderException && handshaking) {
      log.debug("session {}: {}", id(), cause.toString());
    } else {
      warn("session {} failed", id(), cause);
    }
  }

  /** A warning, unless too many came in a short while (they are counted, then reported). */
  private void warn(String format, Object... arguments) {
    long suppressed = host.warnings().acquire();
    if (suppressed >= 0) {
      log.warn(format + WarningLimiter.suppressedNote(suppressed), arguments);
    }
  }

  private String id() {
    return session.info().id();
  }

  /** The handler method an event calls, as logs name it: {@code MAIL_FROM} is {@code mailFrom}. */
  static String method(Event event) {
    StringBuilder name = new StringBuilder();
    for (String word : event.name().toLowerCase(Locale.ROOT).split("_")) {
      name.append(
          name.length() == 0 ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
    }
    return name.toString();
  }
}
