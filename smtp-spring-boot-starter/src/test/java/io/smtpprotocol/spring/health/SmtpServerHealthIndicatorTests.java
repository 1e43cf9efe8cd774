package io.smtpprotocol.spring.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.ssl.SslContext;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.testing.RawClient;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.SslContexts;
import io.smtpprotocol.tls.TlsMode;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** {@link SmtpServerHealthIndicator}: UP while serving, DOWN otherwise. */
class SmtpServerHealthIndicatorTests {

  private final CompletableFuture<Decision> release = new CompletableFuture<>();

  private final SmtpServer server =
      SmtpServer.builder()
          .domain("mx.test")
          .address(InetAddress.getLoopbackAddress())
          .port(0)
          .handler(
              new SmtpHandler() {
                @Override
                public CompletionStage<Decision> message(
                    SessionInfo session, Envelope envelope, MessageBody body) {
                  return release;
                }
              })
          .build();

  private final SmtpServerHealthIndicator indicator = new SmtpServerHealthIndicator(() -> server);

  @AfterEach
  void close() {
    release.complete(Decision.accept());
    server.close();
  }

  @Test
  void runningServerIsUpWithPortTlsModeAndActiveSessions() throws Exception {
    server.start();
    try (RawClient c = RawClient.afterEhlo(server.port())) {
      Health health = indicator.health(true);
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails())
          .containsEntry("state", "running")
          .containsEntry("port", server.port())
          .containsEntry("tls", "none")
          .containsEntry("activeSessions", 1);
    }
  }

  @Test
  void tlsModeIsReported() throws Exception {
    TestPki pki = TestPki.fresh();
    SslContext context = SslContexts.forServer(pki.server.toKeyManagerFactory());
    try (SmtpServer secure =
        SmtpServer.builder()
            .address(InetAddress.getLoopbackAddress())
            .port(0)
            .tls(TlsMode.IMPLICIT, () -> context)
            .build()
            .start()) {
      Health health = new SmtpServerHealthIndicator(() -> secure).health(true);
      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("tls", "implicit");
    }
  }

  @Test
  void serverNotYetStartedIsDown() {
    Health health = indicator.health(true);
    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails()).containsEntry("state", "not started").doesNotContainKey("port");
  }

  @Test
  void drainingServerIsDown() throws Exception {
    server.start();
    try (RawClient c = RawClient.afterEhlo(server.port())) {
      c.command("MAIL FROM:<a@example.com>");
      c.command("RCPT TO:<b@example.com>");
      c.command("DATA");
      c.send("slow message\r\n.\r\n");
      CompletableFuture<Void> stopped = server.shutdownGracefully(Duration.ofSeconds(10));
      await().until(server::isDraining);
      Health health = indicator.health(true);
      assertThat(health.getStatus()).isEqualTo(Status.DOWN);
      assertThat(health.getDetails())
          .containsEntry("state", "draining")
          .containsEntry("activeSessions", 1);
      release.complete(Decision.accept());
      assertThat(c.reply().code()).isEqualTo(250);
      stopped.get();
    }
  }

  @Test
  void stoppedServerIsDown() {
    server.start();
    server.close();
    Health health = indicator.health(true);
    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails())
        .containsEntry("state", "stopped")
        .containsEntry("activeSessions", 0);
  }

  @Test
  void missingServerIsDown() {
    Health health = new SmtpServerHealthIndicator(() -> null).health(true);
    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat(health.getDetails()).containsEntry("state", "absent");
  }
}
