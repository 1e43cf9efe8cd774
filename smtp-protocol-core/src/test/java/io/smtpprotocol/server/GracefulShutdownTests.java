package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.testing.RawClient;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class GracefulShutdownTests {

  private final RecordingHandler handler = new RecordingHandler();
  @AutoClose private SmtpServer running; // only the socket tests start a server

  private SmtpServer start() {
    running = TestServers.start(handler);
    return running;
  }

  @Test
  void idleSessionGets421AtOnce() throws Exception {
    SmtpServer server = start();
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
    SmtpServer server = start();
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
    SmtpServer server = start();
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
    SmtpServer server = start();
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
    SmtpServer server = start();
    CompletableFuture<Void> first = server.shutdownGracefully(Duration.ofSeconds(1));
    first.get(5, TimeUnit.SECONDS);
    assertThat(server.shutdownGracefully(Duration.ofSeconds(1))).isCompleted();
    assertThat(server.terminationFuture()).isCompleted();
  }

  // The session's side of a graceful shutdown, through the session harness: no sockets, no server.

  private static final String SHUTTING_DOWN =
      "421 4.3.2 Service shutting down, closing transmission channel";

  @Test
  void drainingClosesAnIdleSessionWith421AtOnce() {
    try (SessionHarness c = SessionHarness.afterEhlo(TestServers.builder(new RecordingHandler()))) {
      assertThat(c.draining().reply().line()).isEqualTo(SHUTTING_DOWN);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void drainingLetsTheTransactionFinishThenCloses() throws Exception {
    RecordingHandler recorder = new RecordingHandler();
    try (SessionHarness c = SessionHarness.afterEhlo(TestServers.builder(recorder))) {
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.draining().silent()).as("nothing while the transaction goes on").isTrue();
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("NOOP").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("last words\r\n.").line()).isEqualTo("250 2.0.0 Ok: message accepted");
      assertThat(c.reply().line()).isEqualTo(SHUTTING_DOWN);
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(recorder.takeMessage().text()).isEqualTo("last words\r\n");
  }

  @Test
  void rsetWhileDrainingEndsTheTransactionAndTheSession() {
    RecordingHandler recorder = new RecordingHandler();
    try (SessionHarness c = SessionHarness.afterEhlo(TestServers.builder(recorder))) {
      c.command("MAIL FROM:<a@example.com>");
      c.draining();
      assertThat(c.command("RSET").code()).isEqualTo(250);
      assertThat(c.reply().line()).isEqualTo(SHUTTING_DOWN);
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(recorder.messages).isEmpty();
  }

  @Test
  void drainingWaitsForAHandlerStillDecidingOnMail() {
    CompletableFuture<Decision> decision = new CompletableFuture<>();
    RecordingHandler slow =
        new RecordingHandler() {
          @Override
          public CompletionStage<Decision> mailFrom(
              SessionInfo session, ReversePath from, MailParameters parameters) {
            return decision;
          }
        };
    try (SessionHarness c = SessionHarness.afterEhlo(TestServers.builder(slow))) {
      c.write("MAIL FROM:<a@example.com>\r\n");
      assertThat(c.draining().silent()).as("the handler has not answered").isTrue();
      assertThat(c.channel.isOpen()).isTrue();
      decision.complete(Decision.accept());
      // the accepted MAIL began a transaction, which may now finish
      assertThat(c.reply().code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("x\r\n.").code()).isEqualTo(250);
      assertThat(c.reply().line()).isEqualTo(SHUTTING_DOWN);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void drainTimeOverClosesABusySessionWith421AndDeliversNothing() {
    RecordingHandler recorder = new RecordingHandler();
    try (SessionHarness c = SessionHarness.afterEhlo(TestServers.builder(recorder))) {
      c.command("MAIL FROM:<a@example.com>");
      c.command("RCPT TO:<b@example.com>");
      c.command("DATA");
      c.write("a message that never ends\r\n");
      assertThat(c.draining().silent()).isTrue();
      assertThat(c.drainTimeOver().reply().line()).isEqualTo(SHUTTING_DOWN);
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(recorder.messages).isEmpty();
  }
}
