package io.smtpprotocol.spring.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.smtpprotocol.client.ReplyObserver;
import io.smtpprotocol.client.SmtpClientPool;
import io.smtpprotocol.client.SmtpReplyException;
import io.smtpprotocol.protocol.Reply;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters for the SMTP client's pool, fed by the pool as its {@link
 * SmtpClientPool.Observer}:
 *
 * <ul>
 *   <li>{@code smtp.client.replies} (counter, tags {@code command}: the verb, greeting or message,
 *       {@code status}: 2xx to 5xx), from every connection of the client;
 *   <li>{@code smtp.client.messages} (counter, tag {@code outcome}: sent, refused (a 4xx/5xx
 *       reply), failed (the connection));
 *   <li>{@code smtp.client.send.duration} (timer, tag {@code outcome});
 *   <li>{@code smtp.client.connections} (counter, tag {@code event}: opened, closed);
 *   <li>{@code smtp.client.pool.acquire.timeouts} (counter): sends that found no free connection in
 *       time;
 *   <li>{@code smtp.client.pool.connections} (gauge, tag {@code state}: busy, idle) and {@code
 *       smtp.client.pool.waiting} (gauge): the pool's usage, when there is a pool.
 * </ul>
 *
 * <p>No tag holds an address, host name or user.
 */
public final class SmtpClientMeterBinder
    implements MeterBinder, SmtpClientPool.Observer, ReplyObserver {

  private static final String[] OUTCOMES = {"sent", "refused", "failed"};
  private static final List<String> COMMANDS =
      List.of(
          "greeting",
          "HELO",
          "EHLO",
          "LHLO",
          "MAIL",
          "RCPT",
          "DATA",
          "BDAT",
          "message",
          "RSET",
          "NOOP",
          "VRFY",
          "QUIT",
          "STARTTLS",
          "AUTH",
          "OTHER");
  private static final String[] STATUS = {"2xx", "3xx", "4xx", "5xx"};

  private final Supplier<@Nullable SmtpClientPool> pool;
  private final List<Meters> meters = new CopyOnWriteArrayList<>();

  /**
   * @param pool the pool whose usage the gauges show, or null when there is none (yet)
   */
  public SmtpClientMeterBinder(Supplier<@Nullable SmtpClientPool> pool) {
    this.pool = pool;
  }

  private static final class Meters {
    final Counter[] messages = new Counter[3];
    final Timer[] durations = new Timer[3];
    final Counter opened;
    final Counter closed;
    final Counter timeouts;
    final MeterRegistry registry;
    final Counter[][] replies = new Counter[COMMANDS.size()][STATUS.length];

    Meters(MeterRegistry registry) {
      this.registry = registry;
      for (int i = 0; i < 3; i++) {
        messages[i] =
            Counter.builder("smtp.client.messages")
                .description("Messages the SMTP client sent or failed to send")
                .tag("outcome", OUTCOMES[i])
                .register(registry);
        durations[i] =
            Timer.builder("smtp.client.send.duration")
                .description(
                    "Time to send one message, from taking a connection to the final reply")
                .tag("outcome", OUTCOMES[i])
                .register(registry);
      }
      opened = connections(registry, "opened");
      closed = connections(registry, "closed");
      timeouts =
          Counter.builder("smtp.client.pool.acquire.timeouts")
              .description("Sends that found no free pooled connection in time")
              .register(registry);
    }

    private static Counter connections(MeterRegistry registry, String event) {
      return Counter.builder("smtp.client.connections")
          .description("Connections the SMTP client pool opened and closed")
          .tag("event", event)
          .register(registry);
    }
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    meters.add(new Meters(registry));
    SmtpClientPool p = pool.get();
    if (p != null) {
      Gauge.builder("smtp.client.pool.connections", p, SmtpClientPool::busyConnections)
          .description("Pooled connections sending now or waiting for a message")
          .tag("state", "busy")
          .register(registry);
      Gauge.builder("smtp.client.pool.connections", p, SmtpClientPool::idleConnections)
          .description("Pooled connections sending now or waiting for a message")
          .tag("state", "idle")
          .register(registry);
      Gauge.builder("smtp.client.pool.waiting", p, SmtpClientPool::waitingSends)
          .description("Sends waiting for a pooled connection")
          .register(registry);
    }
  }

  @Override
  public void reply(String command, Reply reply) {
    int c = COMMANDS.indexOf(command);
    if (c < 0) {
      c = COMMANDS.size() - 1;
    }
    int status = reply.code() / 100 - 2;
    for (Meters m : meters) {
      Counter counter = m.replies[c][status];
      if (counter == null) {
        counter =
            Counter.builder("smtp.client.replies")
                .description("Replies the SMTP client received")
                .tags("command", COMMANDS.get(c), "status", STATUS[status])
                .register(m.registry);
        m.replies[c][status] = counter;
      }
      counter.increment();
    }
  }

  @Override
  public void connectionOpened() {
    meters.forEach(m -> m.opened.increment());
  }

  @Override
  public void connectionClosed() {
    meters.forEach(m -> m.closed.increment());
  }

  @Override
  public void acquireTimedOut() {
    meters.forEach(m -> m.timeouts.increment());
  }

  @Override
  public void message(@Nullable Throwable failure, Duration duration) {
    int outcome = failure == null ? 0 : failure instanceof SmtpReplyException ? 1 : 2;
    for (Meters m : meters) {
      m.messages[outcome].increment();
      m.durations[outcome].record(duration);
    }
  }
}
