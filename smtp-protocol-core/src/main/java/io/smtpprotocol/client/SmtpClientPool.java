package io.smtpprotocol.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * Connections to one destination, kept for reuse: at most {@code maxConnections} at once, each used
 * for at most {@code maxMessagesPerConnection} messages, closed after {@code idleTimeout} unused. A
 * reused connection is reset with RSET first; one found broken is replaced. When every connection
 * is busy a send waits up to {@code acquireTimeout} (with at most {@code maxWaiting} sends
 * waiting), then fails with {@link SmtpConnectionException}.
 *
 * <pre>{@code
 * SmtpClientPool pool = SmtpClientPool.builder(client, "smtp.example.com", 587).maxConnections(4).build();
 * pool.send(envelope, content).toCompletableFuture().join();
 * }</pre>
 */
public final class SmtpClientPool implements AutoCloseable {

  /** Hooks for metrics; called on event-loop threads, so they must be quick. */
  public interface Observer {
    /** A connection was opened and prepared (EHLO, STARTTLS, AUTH). */
    default void connectionOpened() {}

    /** A connection was closed (used up, idle, broken, or the pool closed). */
    default void connectionClosed() {}

    /** A send waited for a connection and none came in time. */
    default void acquireTimedOut() {}

    /** A message was sent, or failed; {@code failure} is null on success. */
    default void message(@Nullable Throwable failure, Duration duration) {}
  }

  private final SmtpClient client;
  private final String host;
  private final int port;
  private final int maxConnections;
  private final int maxMessages;
  private final int maxWaiting;
  private final Duration idleTimeout;
  private final Duration acquireTimeout;
  private final Observer observer;
  private final ScheduledFuture<?> sweeper;

  // guarded by this
  private final ArrayDeque<Idle> idle = new ArrayDeque<>();
  private final ArrayDeque<CompletableFuture<Lease>> waiting = new ArrayDeque<>();
  private int open;
  private int busy;
  private boolean closed;

  private record Idle(SmtpConnection connection, long since) {}

  /** A connection lent to one send; {@code reused} when it served an earlier message. */
  private record Lease(SmtpConnection connection, boolean reused) {}

  private SmtpClientPool(Builder b) {
    this.client = b.client;
    this.host = b.host;
    this.port = b.port;
    this.maxConnections = b.maxConnections;
    this.maxMessages = b.maxMessagesPerConnection;
    this.maxWaiting = b.maxWaiting;
    this.idleTimeout = b.idleTimeout;
    this.acquireTimeout = b.acquireTimeout;
    this.observer = b.observer;
    long period = Math.max(100, idleTimeout.toMillis() / 2);
    this.sweeper =
        client
            .group()
            .next()
            .scheduleAtFixedRate(this::evictIdle, period, period, TimeUnit.MILLISECONDS);
  }

  /** A builder for a pool to {@code host:port} that opens connections with {@code client}. */
  public static Builder builder(SmtpClient client, String host, int port) {
    return new Builder(client, host, port);
  }

  /** Sends one message over a pooled connection. */
  public CompletionStage<SendResult> send(MailEnvelope envelope, MessageContent content) {
    Objects.requireNonNull(envelope, "envelope");
    Objects.requireNonNull(content, "content");
    long start = System.nanoTime();
    return acquire()
        .thenCompose(lease -> sendOn(lease, envelope, content, true))
        .whenComplete(
            (r, e) ->
                observer.message(
                    e == null ? null : Stages.unwrap(e),
                    Duration.ofNanos(System.nanoTime() - start)));
  }

  private CompletionStage<SendResult> sendOn(
      Lease lease, MailEnvelope envelope, MessageContent content, boolean retry) {
    SmtpConnection c = lease.connection();
    CompletionStage<SendResult> sent;
    if (lease.reused()) {
      // RSET between messages; pipelined with the next transaction when the server allows it
      CompletionStage<?> reset = c.rset();
      sent =
          c.extensions().pipelining()
              ? c.send(envelope, content)
              : reset.thenCompose(r -> c.send(envelope, content));
    } else {
      sent = c.send(envelope, content);
    }
    return sent.handle(
            (r, e) -> {
              Throwable cause = e == null ? null : Stages.unwrap(e);
              release(c);
              if (cause instanceof SmtpConnectionException && lease.reused() && retry) {
                // a kept connection the server had closed: once more on another one
                return acquire().thenCompose(l -> sendOn(l, envelope, content, false));
              }
              return cause == null
                  ? CompletableFuture.completedFuture(r)
                  : CompletableFuture.<SendResult>failedFuture(cause);
            })
        .thenCompose(s -> s);
  }

  private CompletionStage<Lease> acquire() {
    CompletableFuture<Lease> waiter;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("the pool is closed"));
      }
      Idle i;
      while ((i = idle.pollLast()) != null) {
        if (i.connection().isOpen()) {
          busy++;
          return CompletableFuture.completedFuture(new Lease(i.connection(), true));
        }
        open--;
        observer.connectionClosed();
      }
      if (open < maxConnections) {
        open++;
        busy++;
        return openConnection();
      }
      if (waiting.size() >= maxWaiting) {
        return CompletableFuture.failedFuture(
            new SmtpConnectionException(
                "all "
                    + maxConnections
                    + " connections to "
                    + host
                    + ":"
                    + port
                    + " are busy and "
                    + maxWaiting
                    + " sends wait already"));
      }
      waiter = new CompletableFuture<>();
      waiting.add(waiter);
    }
    CompletableFuture<Lease> timed = new CompletableFuture<>();
    ScheduledFuture<?> timer =
        client
            .group()
            .next()
            .schedule(
                () -> {
                  boolean removed;
                  synchronized (this) {
                    removed = waiting.remove(waiter);
                  }
                  if (removed) {
                    observer.acquireTimedOut();
                    waiter.completeExceptionally(
                        new SmtpConnectionException(
                            "no connection to "
                                + host
                                + ":"
                                + port
                                + " became free within "
                                + acquireTimeout,
                            new TimeoutException()));
                  }
                },
                acquireTimeout.toNanos(),
                TimeUnit.NANOSECONDS);
    waiter.whenComplete(
        (l, e) -> {
          timer.cancel(false);
          if (e != null) {
            timed.completeExceptionally(Stages.unwrap(e));
          } else {
            timed.complete(l);
          }
        });
    return timed;
  }

  /** Opens and prepares a connection; the slot is already counted. */
  private CompletionStage<Lease> openConnection() {
    return client
        .connect(host, port)
        .thenCompose(
            c ->
                c.prepare()
                    .thenApply(ext -> c)
                    .whenComplete(
                        (x, e) -> {
                          if (e != null) {
                            c.close();
                          }
                        }))
        .handle(
            (c, e) -> {
              if (e != null) {
                slotFreed();
                throw new java.util.concurrent.CompletionException(Stages.unwrap(e));
              }
              observer.connectionOpened();
              return new Lease(c, false);
            });
  }

  /** Gives a connection back: to a waiting send, to the idle list, or closed. */
  private void release(SmtpConnection c) {
    boolean keep = c.isOpen() && c.messagesSent() < maxMessages;
    CompletableFuture<Lease> next = null;
    synchronized (this) {
      busy--;
      if (keep && !closed) {
        next = waiting.poll();
        if (next != null) {
          busy++;
        } else {
          idle.addLast(new Idle(c, System.nanoTime()));
          return;
        }
      }
    }
    if (next != null) {
      next.complete(new Lease(c, true));
      return;
    }
    closeQuietly(c);
    slotFreed();
  }

  /** A connection is gone: its slot goes to a waiting send, if any. */
  private void slotFreed() {
    CompletableFuture<Lease> next;
    synchronized (this) {
      next = closed ? null : waiting.poll();
      if (next == null) {
        open--;
        return;
      }
      busy++;
    }
    CompletableFuture<Lease> waiter = next;
    openConnection()
        .whenComplete(
            (l, e) -> {
              if (e != null) {
                waiter.completeExceptionally(Stages.unwrap(e));
              } else {
                waiter.complete(l);
              }
            });
  }

  private void closeQuietly(SmtpConnection c) {
    if (c.isOpen()) {
      c.quit();
    } else {
      c.close();
    }
    observer.connectionClosed();
  }

  private void evictIdle() {
    long limit = System.nanoTime() - idleTimeout.toNanos();
    List<SmtpConnection> evicted = new ArrayList<>();
    synchronized (this) {
      while (!idle.isEmpty()
          && (idle.peekFirst().since() - limit < 0 || !idle.peekFirst().connection().isOpen())) {
        evicted.add(idle.pollFirst().connection());
        open--;
      }
    }
    evicted.forEach(this::closeQuietly);
  }

  /** Connections open now (busy and idle). */
  public synchronized int openConnections() {
    return open;
  }

  /** Connections sending now. */
  public synchronized int busyConnections() {
    return busy;
  }

  /** Connections waiting for a message. */
  public synchronized int idleConnections() {
    return idle.size();
  }

  /** Sends waiting for a connection. */
  public synchronized int waitingSends() {
    return waiting.size();
  }

  /** The most connections this pool opens at once. */
  public int maxConnections() {
    return maxConnections;
  }

  /** Closes idle connections with QUIT and fails waiting sends; busy ones close when done. */
  @Override
  public void close() {
    List<SmtpConnection> toClose = new ArrayList<>();
    List<CompletableFuture<Lease>> toFail;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      idle.forEach(i -> toClose.add(i.connection()));
      open -= idle.size();
      idle.clear();
      toFail = new ArrayList<>(waiting);
      waiting.clear();
    }
    sweeper.cancel(false);
    toClose.forEach(this::closeQuietly);
    toFail.forEach(f -> f.completeExceptionally(new IllegalStateException("the pool is closed")));
  }

  /** Builds a {@link SmtpClientPool}. */
  public static final class Builder {
    private final SmtpClient client;
    private final String host;
    private final int port;
    private int maxConnections = 8;
    private int maxMessagesPerConnection = 100;
    private int maxWaiting = 1000;
    private Duration idleTimeout = Duration.ofSeconds(30);
    private Duration acquireTimeout = Duration.ofSeconds(30);
    private Observer observer = new Observer() {};

    private Builder(SmtpClient client, String host, int port) {
      this.client = Objects.requireNonNull(client, "client");
      this.host = Values.check("host", host);
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port must be 1..65535: " + port);
      }
      this.port = port;
    }

    /** The most connections open at once (8). */
    public Builder maxConnections(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxConnections must be positive: " + n);
      }
      maxConnections = n;
      return this;
    }

    /** How many messages one connection sends before it is closed (100). */
    public Builder maxMessagesPerConnection(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("maxMessagesPerConnection must be positive: " + n);
      }
      maxMessagesPerConnection = n;
      return this;
    }

    /** How many sends may wait for a busy pool before more fail at once (1000). */
    public Builder maxWaiting(int n) {
      if (n < 0) {
        throw new IllegalArgumentException("maxWaiting must not be negative: " + n);
      }
      maxWaiting = n;
      return this;
    }

    /** How long an unused connection stays open (30 s). */
    public Builder idleTimeout(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("idleTimeout must be positive: " + d);
      }
      idleTimeout = d;
      return this;
    }

    /** How long a send waits for a connection when all are busy (30 s). */
    public Builder acquireTimeout(Duration d) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("acquireTimeout must be positive: " + d);
      }
      acquireTimeout = d;
      return this;
    }

    /** Hooks for metrics. */
    public Builder observer(Observer observer) {
      this.observer = Objects.requireNonNull(observer, "observer");
      return this;
    }

    public SmtpClientPool build() {
      return new SmtpClientPool(this);
    }
  }
}
