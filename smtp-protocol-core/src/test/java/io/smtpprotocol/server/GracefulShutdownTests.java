package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.smtpprotocol.testing.RawClient;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class GracefulShutdownTests {

  private final RecordingHandler handler = new RecordingHandler();
  @AutoClose private final SmtpServer server = TestServers.start(handler);

  @Test
  void idleSessionGets421AtOnce() throws Exception {
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      CompletableFuture<Void> done = server.shutdownGracefully(Duration.ofSeconds(10));
      assertThat(c.reply().line())
          .isEqualTo("421 4.3.2 Service shutting down, closing transmission channel");
      assertThat(c.closedByServer()).isTrue();
      done.get(5, TimeUnit.SECONDS);
    }
    assertThat(server.isRunning()).isFalse();
    assertThat(server.isDraining()).isFalse();
  }

  @Test
  void transactionInProgressIsFinishedBeforeThe421() throws Exception {
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      CompletableFuture<Void> done = server.shutdownGracefully(Duration.ofSeconds(10));
      assertThat(server.isDraining()).isTrue();
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("last words\r\n.").line()).isEqualTo("250 2.0.0 Ok: message accepted");
      assertThat(c.reply().line()).startsWith("421 4.3.2 ");
      assertThat(c.closedByServer()).isTrue();
      done.get(5, TimeUnit.SECONDS);
    }
    assertThat(handler.takeMessage().text()).isEqualTo("last words\r\n");
  }

  @Test
  void newConnectionsAreRefusedOnceDraining() throws Exception {
    int port = server.port();
    try (RawClient c = RawClient.greeted(port)) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      server.shutdownGracefully(Duration.ofSeconds(10));
      assertThatExceptionOfType(IOException.class)
          .isThrownBy(() -> new RawClient(port, 2000).close());
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void sessionStillBusyWhenTimeIsUpIsClosedWith421() throws Exception {
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      c.command("RCPT TO:<b@example.com>");
      c.command("DATA");
      c.send("a message that never ends\r\n");
      CompletableFuture<Void> done = server.shutdownGracefully(Duration.ofMillis(300));
      assertThat(c.reply().line()).startsWith("421 4.3.2 ");
      assertThat(c.closedByServer()).isTrue();
      done.get(5, TimeUnit.SECONDS);
    }
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void shutdownWithoutSessionsCompletesAndCanBeRepeated() throws Exception {
    CompletableFuture<Void> first = server.shutdownGracefully(Duration.ofSeconds(1));
    first.get(5, TimeUnit.SECONDS);
    assertThat(server.shutdownGracefully(Duration.ofSeconds(1))).isCompleted();
    assertThat(server.terminationFuture()).isCompleted();
  }
}
