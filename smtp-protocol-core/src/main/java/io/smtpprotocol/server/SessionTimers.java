package io.smtpprotocol.server;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The clocks of one session, on its event loop: the idle deadline for what the session waits for
 * from the client, the total session time and the greeting delay.
 */
final class SessionTimers {

  private final SmtpSession session;
  private final long idleNanos;
  private final long sessionMillis;
  private final long greetingDelayMillis;
  private final boolean greetingDelayed;
  private @Nullable EventExecutor executor;

  /**
   * When the client must have sent what the session waits for, on the event loop's clock (its
   * {@code ticker()}, the clock its scheduled tasks run by).
   */
  private long inputDeadline;

  private @Nullable ScheduledFuture<?> idleTimer;
  private @Nullable ScheduledFuture<?> sessionTimer;
  private @Nullable ScheduledFuture<?> greetingTimer;

  SessionTimers(SmtpSession session, Limits limits) {
    this.session = session;
    this.idleNanos = limits.idleTimeout().toNanos();
    this.sessionMillis = limits.sessionTimeout().toMillis();
    this.greetingDelayMillis = limits.greetingDelay().toMillis();
    this.greetingDelayed = !limits.greetingDelay().isZero();
  }

  /**
   * Starts the session's clocks.
   *
   * @return whether the greeting is delayed: then {@code onGreetingDelay} runs when it is over
   */
  boolean start(EventExecutor executor, Runnable onSessionTimeout, Runnable onGreetingDelay) {
    this.executor = executor;
    armIdle();
    sessionTimer = executor.schedule(onSessionTimeout, sessionMillis, TimeUnit.MILLISECONDS);
    if (greetingDelayed) {
      greetingTimer =
          executor.schedule(onGreetingDelay, greetingDelayMillis, TimeUnit.MILLISECONDS);
    }
    return greetingDelayed;
  }

  /**
   * Gives the client the idle timeout from now to send what the session waits for. In command mode
   * only a new wait arms it: a command line must be complete within the idle timeout, however
   * slowly its octets trickle in (RFC 5321 4.5.3.2 times each command). Message content extends it
   * as it arrives.
   */
  void armIdle() {
    EventExecutor e = executor;
    if (e == null) {
      return; // start() arms it
    }
    inputDeadline = e.ticker().nanoTime() + idleNanos;
    if (idleTimer == null) {
      idleTimer = e.schedule(this::idleCheck, idleNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void idleCheck() {
    idleTimer = null;
    EventExecutor e = executor;
    if (session.closed() || e == null) {
      return;
    }
    long left = inputDeadline - e.ticker().nanoTime();
    if (left > 0) {
      idleTimer = e.schedule(this::idleCheck, left, TimeUnit.NANOSECONDS);
    } else {
      session.idle();
    }
  }

  void cancelIdle() {
    cancel(idleTimer);
  }

  void cancelAll() {
    cancel(sessionTimer);
    cancel(greetingTimer);
    cancel(idleTimer);
  }

  static void cancel(@Nullable ScheduledFuture<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }
}
