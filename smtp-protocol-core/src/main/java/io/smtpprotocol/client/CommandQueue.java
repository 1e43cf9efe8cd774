package io.smtpprotocol.client;

import static io.smtpprotocol.client.Stages.complete;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.util.concurrent.ScheduledFuture;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReplyParser;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commands of one connection in the order they were written, each waiting for its reply: a FIFO
 * matches replies to commands, so commands pipeline naturally. One timer watches the reply deadline
 * of the oldest command. A barrier holds later commands back while the server expects something
 * other than a command (the message after DATA, an AUTH exchange, the TLS handshake). A failure
 * fails every waiting command and closes the channel.
 *
 * <p>Everything but {@link #onLoop} and {@link #issue} runs on the channel's event loop.
 */
final class CommandQueue {

  private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);

  private final Channel channel;
  private final ClientConfig config;
  private final ArrayDeque<PendingReply> pending = new ArrayDeque<>();
  private final ArrayDeque<Runnable> deferred = new ArrayDeque<>();
  private final ReplyParser parser;
  private boolean barrier;
  private @Nullable ScheduledFuture<?> timer;
  private long timerAt;
  private @Nullable Throwable failure;
  private @Nullable PendingReply parked;
  private @Nullable Runnable onFailure;

  CommandQueue(Channel channel, ClientConfig config) {
    this.channel = channel;
    this.config = config;
    this.parser = new ReplyParser(config.maxReplyLines());
  }

  /** Waits for the greeting, as if it were the reply to a command. */
  CompletableFuture<Reply> greeting() {
    PendingReply first = new PendingReply("greeting", config.greetingTimeout());
    pending.add(first);
    return first.future;
  }

  void onLoop(Runnable task) {
    if (channel.eventLoop().inEventLoop()) {
      task.run();
    } else {
      channel.eventLoop().execute(task);
    }
  }

  // ---------------------------------------------------------------- writing commands

  /** Writes the command when nothing holds the session (deferred otherwise). */
  CompletableFuture<Reply> issue(String verb, String line, Duration timeout, boolean flush) {
    CompletableFuture<Reply> f = new CompletableFuture<>();
    onLoop(
        () -> {
          if (barrier && deferred.size() >= config.maxPendingCommands()) {
            f.completeExceptionally(
                new IllegalStateException(
                    "more than " + config.maxPendingCommands() + " commands wait to be written"));
            return;
          }
          whenFree(() -> enqueueNow(verb, line, timeout, flush, false).whenComplete(complete(f)));
        });
    return f;
  }

  /** On the loop: runs the action now, or once the barrier is lowered. */
  void whenFree(Runnable action) {
    if (barrier) {
      deferred.add(action);
    } else {
      action.run();
    }
  }

  /** On the loop: holds later commands back until {@link #lowerBarrier}. */
  void raiseBarrier() {
    barrier = true;
  }

  /**
   * On the loop: once nothing holds the session, raises the barrier and starts an exchange that
   * lowers it when done; fails {@code f} instead when the connection has failed by then.
   */
  void whenFreeHold(CompletableFuture<?> f, Runnable exchange) {
    whenFree(
        () -> {
          if (failure != null) {
            f.completeExceptionally(failure());
            return;
          }
          barrier = true;
          exchange.run();
        });
  }

  /** On the loop: writes the commands held back, until one of them raises the barrier again. */
  void lowerBarrier() {
    barrier = false;
    if (deferred.isEmpty()) {
      return;
    }
    while (!barrier && !deferred.isEmpty()) {
      deferred.poll().run();
    }
    channel.flush();
  }

  /** On the loop: writes the line whatever the barrier says, and waits for its reply. */
  CompletableFuture<Reply> enqueueNow(
      String verb, String line, Duration timeout, boolean flush, boolean sensitive) {
    PendingReply p = new PendingReply(verb, timeout);
    if (failure != null) {
      p.future.completeExceptionally(failure());
      return p.future;
    }
    if (pending.size() >= config.maxPendingCommands()) {
      p.future.completeExceptionally(
          new IllegalStateException(
              "more than " + config.maxPendingCommands() + " commands wait for replies"));
      return p.future;
    }
    if (log.isDebugEnabled()) {
      log.debug("C: {}", sensitive ? verb + " ****" : line);
    }
    push(p, line, flush);
    return p.future;
  }

  /** On the loop: writes the line and adds its command to the FIFO. */
  void push(PendingReply p, String line, boolean flush) {
    pending.add(p);
    ByteBuf buf = channel.alloc().buffer(line.length() + 2);
    ByteBufUtil.writeUtf8(buf, line);
    buf.writeByte('\r').writeByte('\n');
    // a failed write reaches exceptionCaught, which fails the connection
    if (flush) {
      channel.writeAndFlush(buf, channel.voidPromise());
    } else {
      channel.write(buf, channel.voidPromise());
    }
    if (pending.size() == 1) {
      arm();
    }
  }

  /**
   * On the loop: {@code count} replies expected after content that is still being written; their
   * deadlines start with {@link #written}.
   */
  List<PendingReply> expect(String what, Duration timeout, int count) {
    List<PendingReply> waiting = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      PendingReply p = new PendingReply(what, timeout);
      p.sent = false;
      waiting.add(p);
      pending.add(p);
    }
    return waiting;
  }

  /** On the loop: the content these replies answer is written. */
  void written(List<PendingReply> waiting) {
    for (PendingReply p : waiting) {
      p.sent = true;
    }
    arm();
  }

  // ---------------------------------------------------------------- replies

  /** On the loop: one line of a reply. */
  void onLine(String line) {
    ReplyParser.Step step = parser.line(line);
    if (step instanceof ReplyParser.Step.Done done) {
      onReply(done.reply());
    } else if (step instanceof ReplyParser.Step.Malformed bad) {
      fail(new SmtpConnectionException("malformed reply: " + bad.reason()));
    }
  }

  /** On the loop: forgets a reply begun before the stream changed under it (STARTTLS). */
  void resetParser() {
    parser.reset();
  }

  private void onReply(Reply reply) {
    PendingReply p = pending.poll();
    if (p == null) {
      fail(new SmtpConnectionException("reply without a command: " + reply));
      return;
    }
    ReplyObserver observer = config.replyObserver();
    if (observer != null) {
      observer.reply(p.verb, reply);
    }
    p.onReply(reply);
    if (p.verb.equals("QUIT") || reply.code() == 421) {
      // the server closes: do not wait for more
      if (reply.code() == 421) {
        fail(new SmtpReplyException(p.verb, reply));
      }
      return;
    }
    if (p != parked) {
      arm();
    }
  }

  /**
   * On the loop: a command whose reply came but which completes later (STARTTLS, after the
   * handshake); a failure until then fails it too.
   */
  void park(PendingReply p) {
    parked = p;
  }

  /** On the loop: the parked command, no longer parked, or null. */
  @Nullable PendingReply unpark() {
    PendingReply p = parked;
    parked = null;
    return p;
  }

  /** The command waiting longest for its reply. */
  @Nullable PendingReply oldest() {
    return pending.peek();
  }

  // ---------------------------------------------------------------- deadlines

  /**
   * Starts the reply deadline of the oldest command once it is fully written. One timer serves all
   * commands: it stays scheduled while replies come, and when it fires it checks the deadline of
   * whatever is oldest then (and sleeps again until that one).
   */
  void arm() {
    PendingReply head = pending.peek();
    if (head == null || !head.sent || failure != null || head.deadline != 0) {
      return;
    }
    head.deadline = System.nanoTime() + head.timeout.toNanos();
    if (timer == null || timerAt - head.deadline > 0) {
      schedule(head.deadline);
    }
  }

  private void schedule(long at) {
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
    }
    timerAt = at;
    timer =
        channel
            .eventLoop()
            .schedule(this::checkDeadline, at - System.nanoTime(), TimeUnit.NANOSECONDS);
  }

  private void checkDeadline() {
    timer = null;
    PendingReply head = pending.peek();
    if (head == null || head.deadline == 0 || failure != null) {
      return;
    }
    if (System.nanoTime() - head.deadline >= 0) {
      fail(new SmtpConnectionException("no reply to " + head.verb + " within " + head.timeout));
    } else {
      schedule(head.deadline);
    }
  }

  // ---------------------------------------------------------------- failure

  /** Fails every waiting command with this cause and closes the connection. */
  void fail(Throwable cause) {
    if (!channel.eventLoop().inEventLoop()) {
      channel.eventLoop().execute(() -> fail(cause));
      return;
    }
    if (failure == null) {
      failure = cause;
      if (log.isDebugEnabled()) {
        log.debug("connection to {} failed: {}", channel.remoteAddress(), cause.toString());
      }
    }
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
      timer = null;
    }
    PendingReply p = unpark();
    if (p != null) {
      p.future.completeExceptionally(failure());
    }
    while ((p = pending.poll()) != null) {
      p.future.completeExceptionally(failure());
    }
    Runnable hook = onFailure;
    if (hook != null) {
      hook.run();
    }
    barrier = false;
    Runnable r;
    while ((r = deferred.poll()) != null) {
      r.run();
    }
    channel.close();
  }

  /** On failure, after the waiting commands are failed, also runs this (once per failure call). */
  void whenFailed(Runnable action) {
    onFailure = action;
  }

  boolean hasFailed() {
    return failure != null;
  }

  /** Why the connection failed, or that it is closed. */
  Throwable failure() {
    Throwable f = failure;
    return f == null ? new SmtpConnectionException("connection closed") : f;
  }
}
