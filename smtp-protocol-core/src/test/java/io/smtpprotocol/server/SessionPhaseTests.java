package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The session's phases, driven through an {@code EmbeddedChannel}: a transcript in, replies out.
 */
class SessionPhaseTests {

  /** Accepts every message at once, without reading it (the engine drains the rest). */
  static final SmtpHandler ACCEPTING =
      new SmtpHandler() {
        @Override
        public CompletionStage<Decision> message(
            SessionInfo session, Envelope envelope, MessageBody body) {
          return Decision.acceptStage();
        }
      };

  static SmtpServerBuilder server() {
    return SmtpServer.builder().domain("mx.test").handler(ACCEPTING);
  }

  @Test
  void newSessionIsGreetedAndReadsCommands() {
    try (SessionHarness s = new SessionHarness(server())) {
      assertThat(s.replies()).containsExactly("220");
      assertThat(s.phase()).isEqualTo(Phase.COMMANDS);
    }
  }

  @Test
  void greetingWaitsForTheDelayAndInputBeforeItIsAnEarlyTalker() {
    Limits limits = Limits.DEFAULTS.withGreetingDelay(Duration.ofSeconds(2));
    try (SessionHarness s = new SessionHarness(server().limits(limits))) {
      assertThat(s.replies()).isEmpty();
      assertThat(s.phase()).isEqualTo(Phase.GREETING);
      assertThat(s.send("EHLO client.test\r\n")).containsExactly("554");
      assertThat(s.phase()).isEqualTo(Phase.CLOSED);
      assertThat(s.channel.isOpen()).isFalse();
    }
  }

  @Test
  void greetingGoesOutWhenTheDelayIsOver() {
    Limits limits = Limits.DEFAULTS.withGreetingDelay(Duration.ofSeconds(2));
    try (SessionHarness s = new SessionHarness(server().limits(limits))) {
      assertThat(s.advance(1_000)).isEmpty();
      assertThat(s.advance(1_000)).containsExactly("220");
      assertThat(s.phase()).isEqualTo(Phase.COMMANDS);
    }
  }

  @Test
  void refusedConnectionIsClosedWithItsReply() {
    SmtpHandler refusing =
        new SmtpHandler() {
          @Override
          public CompletionStage<Decision> connect(SessionInfo session) {
            return Decision.reject(554, "5.7.1", "not here").asStage();
          }
        };
    try (SessionHarness s = new SessionHarness(server().handler(refusing))) {
      assertThat(s.replies()).containsExactly("554");
      assertThat(s.phase()).isEqualTo(Phase.CLOSED);
    }
  }

  @Test
  void quitAnswers221AndCloses() {
    try (SessionHarness s = new SessionHarness(server())) {
      s.replies();
      assertThat(s.send("QUIT\r\n")).containsExactly("221");
      assertThat(s.phase()).isEqualTo(Phase.CLOSED);
      assertThat(s.channel.isOpen()).isFalse();
    }
  }

  @Test
  void wholeTransactionOverPipelinedInputIsAnsweredInOrder() {
    try (SessionHarness s = new SessionHarness(server())) {
      s.replies();
      assertThat(
              s.send(
                  "EHLO client.test\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<b@mx.test>\r\n"
                      + "DATA\r\nSubject: hi\r\n\r\nbody\r\n.\r\nNOOP\r\n"))
          .containsExactly("250", "250", "250", "354", "250", "250");
      assertThat(s.phase()).isEqualTo(Phase.COMMANDS);
    }
  }

  @Test
  void bdatChunksEndWithTheMessageReply() {
    try (SessionHarness s = new SessionHarness(server())) {
      s.replies();
      s.send("EHLO client.test\r\nMAIL FROM:<a@client.test>\r\nRCPT TO:<b@mx.test>\r\n");
      assertThat(s.send("BDAT 5\r\nhelloBDAT 3 LAST\r\nabc")).containsExactly("250", "250");
      assertThat(s.send("DATA\r\n")).containsExactly("503");
    }
  }

  @Test
  void drainingServerClosesAnIdleSessionAt421() {
    try (SessionHarness s = new SessionHarness(server())) {
      s.replies();
      assertThat(s.drain()).containsExactly("421");
      assertThat(s.phase()).isEqualTo(Phase.CLOSED);
    }
  }

  @Test
  void drainingServerLetsTheTransactionFinishFirst() {
    try (SessionHarness s = new SessionHarness(server())) {
      s.replies();
      s.send("EHLO client.test\r\nMAIL FROM:<a@client.test>\r\n");
      assertThat(s.drain()).isEmpty();
      assertThat(s.send("RCPT TO:<b@mx.test>\r\nDATA\r\nbody\r\n.\r\n"))
          .containsExactly("250", "354", "250", "421");
      assertThat(s.phase()).isEqualTo(Phase.CLOSED);
    }
  }

  @Test
  void tooManyBadCommandsClose() {
    Limits limits = Limits.DEFAULTS.withMaxBadCommands(2);
    try (SessionHarness s = new SessionHarness(server().limits(limits))) {
      s.replies();
      assertThat(s.send("XYZZY\r\nXYZZY\r\nNOOP\r\n")).containsExactly("500", "500", "421");
      assertThat(s.phase()).isEqualTo(Phase.CLOSED);
    }
  }

  @Test
  void sessionTimeoutClosesEvenABusyClient() {
    Limits limits =
        Limits.DEFAULTS
            .withSessionTimeout(Duration.ofSeconds(30))
            .withIdleTimeout(Duration.ofSeconds(20));
    try (SessionHarness s = new SessionHarness(server().limits(limits))) {
      s.replies();
      s.advance(15_000);
      s.send("NOOP\r\n");
      assertThat(s.advance(15_000)).containsExactly("421");
      assertThat(s.phase()).isEqualTo(Phase.CLOSED);
    }
  }
}
