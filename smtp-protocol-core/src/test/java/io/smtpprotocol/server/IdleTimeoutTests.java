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

  // The session time limit on the session's own clock, frozen: no sockets, no waiting.

  private static final Limits SHORT_SESSION =
      Limits.DEFAULTS.withSessionTimeout(Duration.ofMillis(300));

  @Test
  void sessionTimeLimitEndsEvenABusySession() {
    try (SessionHarness c =
        SessionHarness.greeted(TestServers.builder(new RecordingHandler()).limits(SHORT_SESSION))) {
      // a NOOP every 10 ms keeps the session busy until the server ends it
      RawClient.WireReply last = c.command("NOOP");
      for (int ms = 0; last.code() == 250 && ms < 1000; ms += 10) {
        c.elapse(10);
        last = c.channel.isOpen() ? c.command("NOOP") : c.reply(); // the 421 came with the time
      }
      assertThat(last.line())
          .isEqualTo("421 4.4.2 Session time limit exceeded, closing transmission channel");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void sessionTimeLimitCountsFromTheConnectionAndComesExactlyAtIt() {
    try (SessionHarness c =
        SessionHarness.greeted(TestServers.builder(new RecordingHandler()).limits(SHORT_SESSION))) {
      c.elapse(100).ehlo();
      assertThat(c.elapse(100).command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.elapse(99).silent()).as("nothing before the limit").isTrue();
      assertThat(c.channel.isOpen()).isTrue();
      assertThat(c.elapse(1).reply().line())
          .isEqualTo("421 4.4.2 Session time limit exceeded, closing transmission channel");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void sessionTimeLimitEndsAMessageInTheMiddleAndDeliversNothing() {
    RecordingHandler handler = new RecordingHandler();
    try (SessionHarness c =
        SessionHarness.greeted(TestServers.builder(handler).limits(SHORT_SESSION))) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      c.command("RCPT TO:<b@example.com>");
      assertThat(c.command("DATA").code()).isEqualTo(354);
      c.write("Subject: half a message\r\n");
      assertThat(c.elapse(300).reply().line()).startsWith("421 4.4.2 ");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void sessionTimeLimitDoesNotWaitForAHandlerStillDeciding() {
    CompletableFuture<Decision> never = new CompletableFuture<>();
    RecordingHandler handler =
        new RecordingHandler() {
          @Override
          public CompletionStage<Decision> mailFrom(
              SessionInfo session, ReversePath from, MailParameters parameters) {
            return never;
          }
        };
    try (SessionHarness c =
        SessionHarness.greeted(
            TestServers.builder(handler)
                .limits(SHORT_SESSION.withHandlerTimeout(Duration.ofSeconds(60))))) {
      c.ehlo();
      c.write("MAIL FROM:<a@example.com>\r\n");
      assertThat(c.silent()).as("the handler has not answered").isTrue();
      assertThat(c.elapse(300).reply().line())
          .isEqualTo("421 4.4.2 Session time limit exceeded, closing transmission channel");
      assertThat(c.closedByServer()).isTrue();
    }
  }
}
