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

  // The idle timeout on the session's own clock, frozen: no sockets, no waiting.

  /** A handler whose MAIL decision is the test's to give. */
  private static RecordingHandler deciding(CompletableFuture<Decision> decision) {
    return new RecordingHandler() {
      @Override
      public CompletionStage<Decision> mailFrom(
          SessionInfo session, ReversePath from, MailParameters parameters) {
        return decision;
      }
    };
  }

  @Test
  void idleTimeCountsFromTheReplyNotFromBeforeASlowHandler() {
    CompletableFuture<Decision> decision = new CompletableFuture<>();
    try (SessionHarness c =
        SessionHarness.greeted(
            TestServers.builder(deciding(decision))
                .limits(Limits.DEFAULTS.withIdleTimeout(Duration.ofMillis(2000))))) {
      c.ehlo();
      c.write("MAIL FROM:<a@example.com>\r\n");
      // the handler takes half as long again as the idle timeout
      assertThat(c.elapse(3000).silent()).as("a deciding handler is no idle client").isTrue();
      decision.complete(Decision.accept());
      assertThat(c.reply().code()).isEqualTo(250);
      // the client now has a full period, of which it uses a quarter (a timer counting from
      // before the handler would have fired)
      assertThat(c.elapse(500).silent()).isTrue();
      assertThat(c.command("NOOP").code()).isEqualTo(250);
      // and the next period counts from that reply, to the millisecond
      assertThat(c.elapse(1999).silent()).isTrue();
      assertThat(c.elapse(1).reply().line())
          .isEqualTo("421 4.4.2 Idle timeout, closing transmission channel");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void clientStallingInsideDataIsClosedToo() {
    RecordingHandler handler = new RecordingHandler();
    try (SessionHarness c = SessionHarness.greeted(TestServers.builder(handler).limits(FAST))) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      c.command("RCPT TO:<b@example.com>");
      c.command("DATA");
      c.write("Subject: half a message\r\n");
      assertThat(c.elapse(299).silent()).as("content extends the deadline").isTrue();
      assertThat(c.elapse(1).reply().line()).startsWith("421 4.4.2 ");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void slowHandlerDoesNotCountAsAnIdleClient() {
    CompletableFuture<Decision> decision = new CompletableFuture<>();
    try (SessionHarness c =
        SessionHarness.greeted(TestServers.builder(deciding(decision)).limits(FAST))) {
      c.ehlo();
      c.write("MAIL FROM:<a@example.com>\r\n");
      assertThat(c.elapse(700).silent()).isTrue();
      decision.complete(Decision.accept());
      assertThat(c.reply().line()).isEqualTo("250 2.1.0 Sender ok");
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
