package io.smtpprotocol.spring.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.spring.listener.SmtpEvent;
import io.smtpprotocol.spring.listener.SmtpListener;
import io.smtpprotocol.testing.RawClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Import;

/**
 * Closing the application drains the server: a message in progress completes and is answered, while
 * new connections are refused or get 421.
 */
class GracefulShutdownTests {

  private static ConfigurableApplicationContext start(String... properties) {
    return new SpringApplicationBuilder(SlowApplication.class)
        .web(WebApplicationType.NONE)
        .properties(
            "smtp.server.port=0",
            "smtp.server.address=127.0.0.1",
            "smtp.server.domain=mx.test",
            "spring.main.banner-mode=off")
        .properties(properties)
        .run();
  }

  @Test
  void closingTheContextLetsAMessageInProgressCompleteAndRefusesNewConnections() throws Exception {
    ConfigurableApplicationContext context =
        start("spring.lifecycle.timeout-per-shutdown-phase=20s");
    SlowMailroom mailroom = context.getBean(SlowMailroom.class);
    SmtpServer server = context.getBean(SmtpServer.class);
    int port = server.port();
    CompletableFuture<Void> closed;
    try (RawClient idle = RawClient.afterEhlo(port);
        RawClient busy = RawClient.afterEhlo(port)) {
      busy.command("MAIL FROM:<a@example.com>");
      busy.command("RCPT TO:<b@example.com>");
      assertThat(busy.command("DATA").code()).isEqualTo(354);
      busy.send("Subject: slow\r\n\r\nstill arriving\r\n.\r\n");
      assertThat(mailroom.started.await(10, TimeUnit.SECONDS)).isTrue();

      closed = CompletableFuture.runAsync(context::close);
      await().atMost(10, TimeUnit.SECONDS).until(server::isDraining);

      assertThat(idle.reply().toString())
          .isEqualTo("421 4.3.2 Service shutting down, closing transmission channel");
      assertThat(newConnectionOutcome(port)).isIn("refused", "421");
      assertThat(closed).isNotDone();

      mailroom.release.countDown();
      assertThat(busy.reply().toString()).isEqualTo("250 2.0.0 Ok: message accepted");
      assertThat(busy.reply().code()).isEqualTo(421);
      assertThat(busy.closedByServer()).isTrue();
    } finally {
      mailroom.release.countDown();
    }
    closed.get(20, TimeUnit.SECONDS);
    assertThat(mailroom.stored).containsExactly("Subject: slow\r\n\r\nstill arriving\r\n");
    assertThat(server.terminationFuture()).isDone();
    assertThat(context.isActive()).isFalse();
  }

  @Test
  void sessionsStillBusyWhenTheShutdownPhaseTimesOutGet421() throws Exception {
    ConfigurableApplicationContext context =
        start("spring.lifecycle.timeout-per-shutdown-phase=300ms");
    SlowMailroom mailroom = context.getBean(SlowMailroom.class);
    SmtpServer server = context.getBean(SmtpServer.class);
    try (RawClient busy = RawClient.afterEhlo(server.port())) {
      busy.command("MAIL FROM:<a@example.com>");
      busy.command("RCPT TO:<b@example.com>");
      assertThat(busy.command("DATA").code()).isEqualTo(354);
      busy.send("never finished\r\n.\r\n");
      assertThat(mailroom.started.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> closed = CompletableFuture.runAsync(context::close);
      assertThat(busy.reply().toString())
          .isEqualTo("421 4.3.2 Service shutting down, closing transmission channel");
      assertThat(busy.closedByServer()).isTrue();
      // the listener blocks for 15 s: closing returns well before, bounded by the timeout
      closed.get(10, TimeUnit.SECONDS);
    } finally {
      mailroom.release.countDown();
    }
    assertThat(server.terminationFuture()).isDone();
  }

  /** "refused" when the connection is refused, else the code of the first reply. */
  private static String newConnectionOutcome(int port) throws IOException {
    try (RawClient c = new RawClient(port)) {
      return String.valueOf(c.reply().code());
    } catch (ConnectException e) {
      return "refused";
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(SlowMailroom.class)
  static class SlowApplication {}

  static class SlowMailroom {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<String> stored = new CopyOnWriteArrayList<>();

    @SmtpListener(SmtpEvent.MESSAGE)
    boolean message(InputStream body) throws Exception {
      started.countDown();
      if (!release.await(15, TimeUnit.SECONDS)) {
        return false;
      }
      stored.add(new String(body.readAllBytes(), StandardCharsets.UTF_8));
      return true;
    }
  }
}
