package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.testing.RawClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class IdleTimeoutTests {

  private static final Limits FAST = Limits.DEFAULTS.withIdleTimeout(Duration.ofMillis(300));

  @AutoClose private SmtpServer server;

  @Test
  void silentClientGets421AndIsClosed() throws Exception {
    server = TestServers.start(new RecordingHandler(), FAST);
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      assertThat(c.reply().line())
          .isEqualTo("421 4.4.2 Idle timeout, closing transmission channel");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void idleTimeCountsFromTheReplyNotFromBeforeASlowHandler() throws Exception {
    RecordingHandler handler =
        new RecordingHandler() {
          @Override
          public CompletionStage<Decision> mailFrom(
              SessionInfo session, ReversePath from, MailParameters parameters) {
            return CompletableFuture.supplyAsync(
                Decision::accept, CompletableFuture.delayedExecutor(3000, TimeUnit.MILLISECONDS));
          }
        };
    server = TestServers.start(handler, Limits.DEFAULTS.withIdleTimeout(Duration.ofMillis(2000)));
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      // The handler took half as long again as the idle timeout; the client now has a full
      // period, of which it uses a quarter (a timer counting from before the handler has fired).
      assertThat(c.silentFor(500)).isTrue();
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void clientStallingInsideDataIsClosedToo() throws Exception {
    RecordingHandler handler = new RecordingHandler();
    server = TestServers.start(handler, FAST);
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      c.command("RCPT TO:<b@example.com>");
      c.command("DATA");
      c.send("Subject: half a message\r\n");
      assertThat(c.reply().line()).startsWith("421 4.4.2 ");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void sessionTimeLimitEndsEvenABusySession() throws Exception {
    server =
        TestServers.start(
            new RecordingHandler(), Limits.DEFAULTS.withSessionTimeout(Duration.ofMillis(300)));
    try (RawClient c = RawClient.greeted(server.port())) {
      // keep the session busy until the server ends it, however fast or slow the round trips
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      RawClient.WireReply last = c.command("NOOP");
      while (last.code() == 250 && System.nanoTime() < deadline) {
        last = c.command("NOOP");
      }
      assertThat(last.line())
          .isEqualTo("421 4.4.2 Session time limit exceeded, closing transmission channel");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void slowHandlerDoesNotCountAsAnIdleClient() throws Exception {
    RecordingHandler handler =
        new RecordingHandler() {
          @Override
          public CompletionStage<Decision> mailFrom(
              SessionInfo session, ReversePath from, MailParameters parameters) {
            return CompletableFuture.supplyAsync(
                Decision::accept, CompletableFuture.delayedExecutor(700, TimeUnit.MILLISECONDS));
          }
        };
    server = TestServers.start(handler, FAST);
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").line()).isEqualTo("250 2.1.0 Sender ok");
    }
  }
}
