package io.smtpprotocol.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smtpprotocol.server.SmtpServerObserver.ConnectionOutcome;
import io.smtpprotocol.server.SmtpServerObserver.MessageOutcome;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The meters {@link SmtpServerMeterBinder} keeps for what the server reports. */
class SmtpServerMeterBinderTests {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final SmtpServerMeterBinder binder = new SmtpServerMeterBinder();

  @Test
  void connectionsAreCountedByOutcomeAndActiveOnesGauged() {
    binder.bindTo(registry);
    binder.connectionOpened(ConnectionOutcome.ACCEPTED);
    binder.connectionOpened(ConnectionOutcome.ACCEPTED);
    binder.connectionOpened(ConnectionOutcome.LIMITED);
    binder.connectionOpened(ConnectionOutcome.REJECTED);
    binder.connectionClosed();
    assertThat(registry.get("smtp.server.connections.active").gauge().value()).isEqualTo(1);
    assertThat(count("smtp.server.connections", "outcome", "accepted")).isEqualTo(2);
    assertThat(count("smtp.server.connections", "outcome", "limited")).isEqualTo(1);
    assertThat(count("smtp.server.connections", "outcome", "rejected")).isEqualTo(1);
  }

  @Test
  void commandsAreCountedByVerbAndStatusClass() {
    binder.bindTo(registry);
    binder.command("EHLO", 250);
    binder.command("MAIL", 250);
    binder.command("RCPT", 250);
    binder.command("RCPT", 550);
    binder.command("RCPT", 452);
    binder.command("DATA", 354);
    binder.command("X-SECRET-VERB", 500);
    assertThat(
            registry
                .get("smtp.server.commands")
                .tags("command", "RCPT", "status", "2xx")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("smtp.server.commands")
                .tags("command", "RCPT", "status", "5xx")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("smtp.server.commands")
                .tags("command", "RCPT", "status", "4xx")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("smtp.server.commands")
                .tags("command", "DATA", "status", "3xx")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("smtp.server.commands")
                .tags("command", "OTHER", "status", "5xx")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(registry.find("smtp.server.commands").tag("command", "X-SECRET-VERB").counter())
        .isNull();
  }

  @Test
  void messagesAreCountedSizedAndTimedByOutcome() {
    binder.bindTo(registry);
    binder.message(MessageOutcome.ACCEPTED, 1000, Duration.ofMillis(20));
    binder.message(MessageOutcome.ACCEPTED, 3000, Duration.ofMillis(40));
    binder.message(MessageOutcome.FAILED, 7, Duration.ofMillis(1));
    assertThat(count("smtp.server.messages", "outcome", "accepted")).isEqualTo(2);
    assertThat(count("smtp.server.messages", "outcome", "rejected")).isZero();
    assertThat(count("smtp.server.messages", "outcome", "failed")).isEqualTo(1);
    var size = registry.get("smtp.server.message.size").tag("outcome", "accepted").summary();
    assertThat(size.count()).isEqualTo(2);
    assertThat(size.totalAmount()).isEqualTo(4000);
    assertThat(size.getId().getBaseUnit()).isEqualTo("bytes");
    var duration =
        registry.get("smtp.server.transaction.duration").tag("outcome", "accepted").timer();
    assertThat(duration.count()).isEqualTo(2);
    assertThat(duration.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(60);
  }

  @Test
  void tlsHandshakesAndAuthAreCountedByOutcome() {
    binder.bindTo(registry);
    binder.tlsHandshake(true);
    binder.tlsHandshake(false);
    binder.tlsHandshake(true);
    binder.auth("PLAIN", true);
    binder.auth("login", false);
    binder.auth("SOMETHING-ELSE", false);
    assertThat(count("smtp.server.tls.handshakes", "outcome", "success")).isEqualTo(2);
    assertThat(count("smtp.server.tls.handshakes", "outcome", "failure")).isEqualTo(1);
    assertThat(
            registry
                .get("smtp.server.auth")
                .tags("mechanism", "PLAIN", "outcome", "success")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("smtp.server.auth")
                .tags("mechanism", "LOGIN", "outcome", "failure")
                .counter()
                .count())
        .isEqualTo(1);
    assertThat(
            registry
                .get("smtp.server.auth")
                .tags("mechanism", "OTHER", "outcome", "failure")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void throttledAuthIsCounted() {
    binder.bindTo(registry);
    binder.authThrottled();
    binder.authThrottled();
    assertThat(registry.get("smtp.server.auth.throttled").counter().count()).isEqualTo(2);
  }

  @Test
  void noTagHoldsAnythingButLowCardinalityValues() {
    binder.bindTo(registry);
    binder.command("EHLO", 250);
    binder.auth("PLAIN", true);
    for (Meter meter : registry.getMeters()) {
      assertThat(meter.getId().getName()).startsWith("smtp.server.");
      for (Tag tag : meter.getId().getTags()) {
        assertThat(tag.getKey()).isIn("outcome", "command", "status", "mechanism");
      }
    }
  }

  @Test
  void everyBoundRegistryGetsTheEventsAndNoneBeforeBinding() {
    binder.connectionOpened(ConnectionOutcome.ACCEPTED);
    binder.bindTo(registry);
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    binder.bindTo(second);
    binder.message(MessageOutcome.REJECTED, 10, Duration.ofMillis(1));
    assertThat(count("smtp.server.messages", "outcome", "rejected")).isEqualTo(1);
    assertThat(second.get("smtp.server.messages").tag("outcome", "rejected").counter().count())
        .isEqualTo(1);
    assertThat(count("smtp.server.connections", "outcome", "accepted")).isZero();
    assertThat(second.get("smtp.server.connections.active").gauge().value()).isEqualTo(1);
  }

  private double count(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
  }
}
