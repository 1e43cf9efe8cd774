package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LimitsTests {

  @Test
  void defaultsAreTheDocumentedOnes() {
    Limits d = Limits.DEFAULTS;
    assertThat(d.maxLineLength()).isEqualTo(1000);
    assertThat(d.maxMessageSize()).isEqualTo(10L * 1024 * 1024);
    assertThat(d.maxRecipients()).isEqualTo(100);
    assertThat(d.maxConnections()).isEqualTo(1000);
    assertThat(d.maxConnectionsPerIp()).isEqualTo(50);
    assertThat(d.maxBadCommands()).isEqualTo(10);
    assertThat(d.idleTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(d.sessionTimeout()).isEqualTo(Duration.ofMinutes(30));
    assertThat(d.greetingDelay()).isZero();
    assertThat(d.bodyBufferSize()).isLessThanOrEqualTo(64 * 1024);
  }

  private static Arguments wither(String component, UnaryOperator<Limits> with, Object value) {
    return Arguments.of(component, with, value);
  }

  static Stream<Arguments> withersChangeOneComponent() {
    return Stream.of(
        wither("maxLineLength", l -> l.withMaxLineLength(2000), 2000),
        wither("maxMessageSize", l -> l.withMaxMessageSize(5L), 5L),
        wither("maxRecipients", l -> l.withMaxRecipients(3), 3),
        wither("maxConnections", l -> l.withMaxConnections(7), 7),
        wither("maxConnectionsPerIp", l -> l.withMaxConnectionsPerIp(2), 2),
        wither("maxBadCommands", l -> l.withMaxBadCommands(4), 4),
        wither("idleTimeout", l -> l.withIdleTimeout(Duration.ofSeconds(9)), Duration.ofSeconds(9)),
        wither(
            "sessionTimeout",
            l -> l.withSessionTimeout(Duration.ofSeconds(8)),
            Duration.ofSeconds(8)),
        wither(
            "handlerTimeout",
            l -> l.withHandlerTimeout(Duration.ofSeconds(7)),
            Duration.ofSeconds(7)),
        wither(
            "greetingDelay",
            l -> l.withGreetingDelay(Duration.ofSeconds(6)),
            Duration.ofSeconds(6)),
        wither("bodyBufferSize", l -> l.withBodyBufferSize(4096), 4096));
  }

  @ParameterizedTest
  @MethodSource
  void withersChangeOneComponent(String component, UnaryOperator<Limits> with, Object value)
      throws ReflectiveOperationException {
    Limits changed = with.apply(Limits.DEFAULTS);
    for (RecordComponent c : Limits.class.getRecordComponents()) {
      Object now = c.getAccessor().invoke(changed);
      Object before = c.getAccessor().invoke(Limits.DEFAULTS);
      if (c.getName().equals(component)) {
        assertThat(now).isEqualTo(value).isNotEqualTo(before);
      } else {
        assertThat(now).as(c.getName()).isEqualTo(before);
      }
    }
  }

  static Stream<Arguments> invalidValues() {
    Duration zero = Duration.ZERO;
    Duration negative = Duration.ofMillis(-1);
    return Stream.of(
        Arguments.of("maxLineLength", (Runnable) () -> Limits.DEFAULTS.withMaxLineLength(511)),
        Arguments.of("maxLineLength", (Runnable) () -> Limits.DEFAULTS.withMaxLineLength(0)),
        Arguments.of("maxMessageSize", (Runnable) () -> Limits.DEFAULTS.withMaxMessageSize(0)),
        Arguments.of("maxMessageSize", (Runnable) () -> Limits.DEFAULTS.withMaxMessageSize(-1)),
        Arguments.of("maxRecipients", (Runnable) () -> Limits.DEFAULTS.withMaxRecipients(0)),
        Arguments.of("maxConnections", (Runnable) () -> Limits.DEFAULTS.withMaxConnections(0)),
        Arguments.of(
            "maxConnectionsPerIp", (Runnable) () -> Limits.DEFAULTS.withMaxConnectionsPerIp(-5)),
        Arguments.of("maxBadCommands", (Runnable) () -> Limits.DEFAULTS.withMaxBadCommands(0)),
        Arguments.of("idleTimeout", (Runnable) () -> Limits.DEFAULTS.withIdleTimeout(zero)),
        Arguments.of("idleTimeout", (Runnable) () -> Limits.DEFAULTS.withIdleTimeout(negative)),
        Arguments.of("sessionTimeout", (Runnable) () -> Limits.DEFAULTS.withSessionTimeout(zero)),
        Arguments.of(
            "handlerTimeout", (Runnable) () -> Limits.DEFAULTS.withHandlerTimeout(negative)),
        Arguments.of("greetingDelay", (Runnable) () -> Limits.DEFAULTS.withGreetingDelay(negative)),
        Arguments.of("bodyBufferSize", (Runnable) () -> Limits.DEFAULTS.withBodyBufferSize(1023)));
  }

  @ParameterizedTest
  @MethodSource
  void invalidValues(String name, Runnable build) {
    assertThatIllegalArgumentException().isThrownBy(build::run).withMessageContaining(name);
  }

  @Test
  void zeroGreetingDelayMeansNoDelay() {
    assertThat(Limits.DEFAULTS.withGreetingDelay(Duration.ZERO).greetingDelay()).isZero();
  }
}
