package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.testing.RawClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class EarlyTalkerTests {

  /** On the wire: a real client that talks early is refused and really disconnected. */
  @Test
  void clientTalkingBeforeTheGreetingIsRefusedWith554AndClosed() throws Exception {
    // a delay far longer than the client takes to write, on any machine; the 554 comes at once
    try (SmtpServer server =
            TestServers.start(
                new RecordingHandler(), Limits.DEFAULTS.withGreetingDelay(Duration.ofSeconds(60)));
        RawClient c = new RawClient(server.port())) {
      c.send("EHLO spammer.test\r\nMAIL FROM:<a@example.com>\r\n");
      assertThat(c.reply().line()).isEqualTo("554 5.5.0 Protocol error: input before the greeting");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  // The session's side, without sockets and with the clock frozen: the greeting delay is a timer.

  private static SmtpServerBuilder delayed(Duration delay) {
    return TestServers.builder(new RecordingHandler())
        .limits(Limits.DEFAULTS.withGreetingDelay(delay));
  }

  @Test
  void patientClientIsGreetedAfterTheDelay() {
    try (SessionHarness c = new SessionHarness(delayed(Duration.ofMillis(300)))) {
      assertThat(c.elapse(299).silent()).as("no greeting before the delay is over").isTrue();
      assertThat(c.elapse(1).reply().line()).isEqualTo("220 mx.test ESMTP ready");
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    }
  }

  @Test
  void inputOneMillisecondBeforeTheGreetingIsRefusedWith554AndClosed() {
    try (SessionHarness c = new SessionHarness(delayed(Duration.ofMillis(300)))) {
      c.elapse(299).write("EHLO spammer.test\r\n");
      assertThat(c.reply().line()).isEqualTo("554 5.5.0 Protocol error: input before the greeting");
      assertThat(c.closedByServer()).isTrue();
      assertThat(c.elapse(1).silent()).as("no greeting after the refusal").isTrue();
    }
  }

  @Test
  void aSingleOctetBeforeTheGreetingIsEnough() {
    try (SessionHarness c = new SessionHarness(delayed(Duration.ofSeconds(60)))) {
      c.write("E");
      assertThat(c.reply().line()).isEqualTo("554 5.5.0 Protocol error: input before the greeting");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void withoutADelayTheGreetingComesAtOnce() {
    try (SessionHarness c = new SessionHarness(TestServers.builder(new RecordingHandler()))) {
      assertThat(c.replies()).containsExactly("220");
    }
  }

  @Test
  void clientTalkingWhileTheConnectHandlerDecidesIsAnEarlyTalker() {
    SmtpHandler handler =
        new SmtpHandler() {
          @Override
          public CompletionStage<Decision> connect(SessionInfo session) {
            return new CompletableFuture<>(); // still thinking
          }
        };
    try (SessionHarness c = new SessionHarness(TestServers.builder(handler))) {
      assertThat(c.silent()).as("no greeting while the handler decides").isTrue();
      c.write("EHLO eager.test\r\n");
      assertThat(c.reply().code()).isEqualTo(554);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void greetingWaitsForBothTheDelayAndTheConnectHandler() {
    CompletableFuture<Decision> decision = new CompletableFuture<>();
    SmtpHandler handler =
        new SmtpHandler() {
          @Override
          public CompletionStage<Decision> connect(SessionInfo session) {
            return decision;
          }
        };
    try (SessionHarness c =
        new SessionHarness(
            TestServers.builder(handler)
                .limits(Limits.DEFAULTS.withGreetingDelay(Duration.ofMillis(300))))) {
      assertThat(c.elapse(300).silent())
          .as("the delay is over, the handler still decides")
          .isTrue();
      decision.complete(Decision.accept());
      assertThat(c.reply().line()).isEqualTo("220 mx.test ESMTP ready");
    }
  }
}
