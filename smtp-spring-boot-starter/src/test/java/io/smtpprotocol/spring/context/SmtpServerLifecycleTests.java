package io.smtpprotocol.spring.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.smtpprotocol.server.SmtpServer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.context.support.GenericApplicationContext;

/** {@link SmtpServerLifecycle} starts, publishes the port, drains and refuses a restart. */
class SmtpServerLifecycleTests {

  private final SmtpServer server =
      SmtpServer.builder()
          .domain("mx.test")
          .address(InetAddress.getLoopbackAddress())
          .port(0)
          .build();

  @AfterEach
  void close() {
    server.close();
  }

  @Test
  void startPublishesThePortInTheContextAndItsParents() {
    try (GenericApplicationContext parent = new GenericApplicationContext();
        GenericApplicationContext child = new GenericApplicationContext()) {
      child.setParent(parent);
      SmtpServerLifecycle lifecycle = new SmtpServerLifecycle(() -> server, Duration.ofSeconds(5));
      lifecycle.setApplicationContext(child);
      lifecycle.start();
      assertThat(lifecycle.isRunning()).isTrue();
      assertThat(lifecycle.server()).isSameAs(server);
      assertThat(
              child.getEnvironment().getProperty(SmtpServerLifecycle.PORT_PROPERTY, Integer.class))
          .isEqualTo(server.port());
      assertThat(
              parent.getEnvironment().getProperty(SmtpServerLifecycle.PORT_PROPERTY, Integer.class))
          .isEqualTo(server.port());
    }
  }

  @Test
  void startIsLoggedWithAddressTlsModeAndExtensions() {
    // The lifecycle's own logger, not the console: a Spring application closed by an earlier test
    // class may have reset the console's logging configuration.
    Logger logger = (Logger) LoggerFactory.getLogger(SmtpServerLifecycle.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Level level = logger.getLevel();
    logger.setLevel(Level.INFO);
    logger.addAppender(appender);
    try {
      startAndStopAreLogged(appender);
    } finally {
      logger.detachAppender(appender);
      logger.setLevel(level);
    }
  }

  private void startAndStopAreLogged(ListAppender<ILoggingEvent> appender) {
    SmtpServerLifecycle lifecycle = new SmtpServerLifecycle(() -> server, Duration.ofSeconds(5));
    lifecycle.start();
    String output = messages(appender);
    assertThat(output)
        .contains(
            "SMTP server started on /127.0.0.1:"
                + server.port()
                + " (domain mx.test, TLS none, extensions: PIPELINING, SIZE 10485760, 8BITMIME,"
                + " ENHANCEDSTATUSCODES, SMTPUTF8, CHUNKING, LIMITS RCPTMAX=100)");
    lifecycle.stop();
    assertThat(messages(appender)).contains("SMTP server stopped after");
  }

  @Test
  void aNonDaemonThreadKeepsTheJvmAliveWhileTheServerRuns() throws Exception {
    SmtpServerLifecycle lifecycle = new SmtpServerLifecycle(() -> server, Duration.ofSeconds(5));
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    lifecycle.start();
    Thread await =
        Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals("smtp-server-await") && !before.contains(t))
            .findFirst()
            .orElseThrow();
    assertThat(await.isDaemon()).isFalse();
    lifecycle.stop();
    await.join(5_000);
    assertThat(await.isAlive()).isFalse();
  }

  @Test
  void stopDrainsTheServerThenCallsBack() throws Exception {
    SmtpServerLifecycle lifecycle = new SmtpServerLifecycle(() -> server, Duration.ofSeconds(5));
    lifecycle.start();
    CountDownLatch stopped = new CountDownLatch(1);
    lifecycle.stop(stopped::countDown);
    assertThat(lifecycle.isRunning()).isFalse();
    assertThat(stopped.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(server.terminationFuture()).isDone();
  }

  @Test
  void aStoppedServerCannotBeStartedAgain() {
    SmtpServerLifecycle lifecycle = new SmtpServerLifecycle(() -> server, Duration.ZERO);
    lifecycle.start();
    lifecycle.stop();
    assertThatIllegalStateException()
        .isThrownBy(lifecycle::start)
        .withMessage("the SMTP server cannot be started again once stopped");
  }

  @Test
  void withoutAServerThereIsNothingToStartOrStop() throws Exception {
    SmtpServerLifecycle lifecycle = new SmtpServerLifecycle(() -> null, Duration.ZERO);
    lifecycle.start();
    assertThat(lifecycle.isRunning()).isFalse();
    CountDownLatch stopped = new CountDownLatch(1);
    lifecycle.stop(stopped::countDown);
    assertThat(stopped.getCount()).isZero();
    assertThat(server.isRunning()).isFalse();
  }

  @Test
  void lifecycleRunsInTheWebServersGracefulShutdownPhaseAndIsNotPauseable() {
    SmtpServerLifecycle lifecycle = new SmtpServerLifecycle(() -> server, Duration.ZERO);
    assertThat(lifecycle.getPhase()).isEqualTo(Integer.MAX_VALUE - 1024);
    assertThat(lifecycle.isPauseable()).isFalse();
    assertThat(lifecycle.isAutoStartup()).isTrue();
  }

  @Test
  void failureAnalyzerExplainsATakenPort() {
    SmtpServerPortInUseException failure =
        new SmtpServerPortInUseException(
            2525, new java.net.BindException("Address already in use"));
    FailureAnalysis analysis =
        new SmtpServerPortInUseFailureAnalyzer()
            .analyze(new IllegalStateException("Failed to start bean", failure));
    assertThat(analysis).isNotNull();
    assertThat(analysis.getDescription())
        .isEqualTo("The SMTP server could not start: port 2525 is already in use.");
    assertThat(analysis.getAction()).contains("smtp.server.port").contains("2525");
  }

  private static String messages(ListAppender<ILoggingEvent> appender) {
    return String.join(
        "\n", appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
  }
}
