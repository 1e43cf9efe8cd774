package io.smtpprotocol.spring.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.smtpprotocol.protocol.Verb;
import io.smtpprotocol.server.SmtpServerObserver;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Micrometer meters for an SMTP server, fed by the server as its {@link SmtpServerObserver}:
 *
 * <ul>
 *   <li>{@code smtp.server.connections.active} (gauge): open sessions;
 *   <li>{@code smtp.server.connections} (counter, tag {@code outcome}: accepted, limited,
 *       rejected);
 *   <li>{@code smtp.server.commands} (counter, tags {@code command}: the verb, {@code status}: 2xx
 *       to 5xx);
 *   <li>{@code smtp.server.messages} (counter, tag {@code outcome}: accepted, rejected, failed);
 *   <li>{@code smtp.server.message.size} (distribution summary in bytes, tag {@code outcome});
 *   <li>{@code smtp.server.transaction.duration} (timer from MAIL FROM to the final reply, tag
 *       {@code outcome});
 *   <li>{@code smtp.server.tls.handshakes} (counter, tag {@code outcome}: success, failure);
 *   <li>{@code smtp.server.auth} (counter, tags {@code mechanism}, {@code outcome}: success,
 *       failure);
 *   <li>{@code smtp.server.auth.throttled} (counter): AUTH commands refused because their client
 *       address used up its failed attempts.
 * </ul>
 *
 * <p>No tag holds an address, host name or user. Meters are made when bound, or on first use for
 * the command and AUTH counters, and kept in arrays, so the observer's methods (called on event
 * loops for every command) neither allocate nor look meters up.
 */
public final class SmtpServerMeterBinder implements MeterBinder, SmtpServerObserver {

  /** The verbs, then {@code OTHER} for a name that is none of them. */
  private static final String[] VERBS = verbs();

  private static final String[] MECHANISMS = {
    "PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "SCRAM-SHA-256", "OTHER"
  };
  private static final String[] STATUS = {"2xx", "3xx", "4xx", "5xx"};

  private final AtomicInteger active = new AtomicInteger();
  private volatile Meters[] meters = new Meters[0];

  @Override
  public void bindTo(MeterRegistry registry) {
    Meters m = new Meters(registry, active);
    synchronized (this) {
      Meters[] old = meters;
      Meters[] grown = new Meters[old.length + 1];
      System.arraycopy(old, 0, grown, 0, old.length);
      grown[old.length] = m;
      meters = grown;
    }
  }

  @Override
  public void connectionOpened(ConnectionOutcome outcome) {
    if (outcome == ConnectionOutcome.ACCEPTED) {
      active.incrementAndGet();
    }
    for (Meters m : meters) {
      m.connections[outcome.ordinal()].increment();
    }
  }

  @Override
  public void connectionClosed() {
    active.decrementAndGet();
  }

  @Override
  public void command(String verb, int replyCode) {
    int v = verbIndex(verb);
    int s = Math.min(3, Math.max(0, replyCode / 100 - 2));
    for (Meters m : meters) {
      m.command(v, s).increment();
    }
  }

  @Override
  public void message(MessageOutcome outcome, long size, Duration transactionDuration) {
    int o = outcome.ordinal();
    for (Meters m : meters) {
      m.messages[o].increment();
      m.sizes[o].record(size);
      m.durations[o].record(transactionDuration);
    }
  }

  @Override
  public void tlsHandshake(boolean success) {
    for (Meters m : meters) {
      m.tls[success ? 0 : 1].increment();
    }
  }

  @Override
  public void auth(String mechanism, boolean success) {
    int i = mechanismIndex(mechanism);
    for (Meters m : meters) {
      m.auth(i, success ? 0 : 1).increment();
    }
  }

  @Override
  public void authThrottled() {
    for (Meters m : meters) {
      m.authThrottled.increment();
    }
  }

  private static String[] verbs() {
    Verb[] verbs = Verb.values();
    String[] names = new String[verbs.length + 1];
    for (Verb v : verbs) {
      names[v.ordinal()] = v.name();
    }
    names[verbs.length] = "OTHER";
    return names;
  }

  private static int verbIndex(String verb) {
    Verb v = Verb.of(verb);
    return v == null ? VERBS.length - 1 : v.ordinal();
  }

  private static int mechanismIndex(String mechanism) {
    return switch (mechanism.toUpperCase(Locale.ROOT)) {
      case "PLAIN" -> 0;
      case "LOGIN" -> 1;
      case "CRAM-MD5" -> 2;
      case "XOAUTH2" -> 3;
      case "SCRAM-SHA-256" -> 4;
      default -> 5;
    };
  }

  /** The meters of one registry. */
  private static final class Meters {
    private final MeterRegistry registry;
    final Counter[] connections;
    final Counter[] messages;
    final DistributionSummary[] sizes;
    final Timer[] durations;
    final Counter[] tls;
    final Counter authThrottled;
    private final @Nullable Counter[][] commands = new Counter[VERBS.length][STATUS.length];
    private final @Nullable Counter[][] auth = new Counter[MECHANISMS.length][2];

    Meters(MeterRegistry registry, AtomicInteger active) {
      this.registry = registry;
      Gauge.builder("smtp.server.connections.active", active, AtomicInteger::get)
          .description("Open SMTP sessions")
          .strongReference(true)
          .register(registry);
      ConnectionOutcome[] c = ConnectionOutcome.values();
      connections = new Counter[c.length];
      for (int i = 0; i < c.length; i++) {
        connections[i] =
            Counter.builder("smtp.server.connections")
                .description("SMTP connections by outcome")
                .tag("outcome", lower(c[i]))
                .register(registry);
      }
      MessageOutcome[] m = MessageOutcome.values();
      messages = new Counter[m.length];
      sizes = new DistributionSummary[m.length];
      durations = new Timer[m.length];
      for (int i = 0; i < m.length; i++) {
        String outcome = lower(m[i]);
        messages[i] =
            Counter.builder("smtp.server.messages")
                .description("SMTP messages by outcome")
                .tag("outcome", outcome)
                .register(registry);
        sizes[i] =
            DistributionSummary.builder("smtp.server.message.size")
                .description("Size of SMTP message bodies")
                .baseUnit("bytes")
                .tag("outcome", outcome)
                .register(registry);
        durations[i] =
            Timer.builder("smtp.server.transaction.duration")
                .description("Time from MAIL FROM to the final reply to the message")
                .tag("outcome", outcome)
                .register(registry);
      }
      tls = new Counter[2];
      for (int i = 0; i < 2; i++) {
        tls[i] =
            Counter.builder("smtp.server.tls.handshakes")
                .description("TLS handshakes by outcome")
                .tag("outcome", i == 0 ? "success" : "failure")
                .register(registry);
      }
      authThrottled =
          Counter.builder("smtp.server.auth.throttled")
              .description("AUTH commands refused because their client address failed too often")
              .register(registry);
    }

    /** The counter of a verb and status class, registered on first use. */
    Counter command(int verb, int status) {
      Counter c = commands[verb][status];
      if (c == null) {
        // A race registers the same counter twice; the registry returns the same one.
        c =
            Counter.builder("smtp.server.commands")
                .description("SMTP commands by verb and reply status class")
                .tag("command", VERBS[verb])
                .tag("status", STATUS[status])
                .register(registry);
        commands[verb][status] = c;
      }
      return c;
    }

    /** The counter of a mechanism and outcome, registered on first use. */
    Counter auth(int mechanism, int outcome) {
      Counter c = auth[mechanism][outcome];
      if (c == null) {
        c =
            Counter.builder("smtp.server.auth")
                .description("SMTP AUTH exchanges by mechanism and outcome")
                .tag("mechanism", MECHANISMS[mechanism])
                .tag("outcome", outcome == 0 ? "success" : "failure")
                .register(registry);
        auth[mechanism][outcome] = c;
      }
      return c;
    }

    private static String lower(Enum<?> e) {
      return e.name().toLowerCase(Locale.ROOT);
    }
  }
}
