package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.testing.RawClient;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The command hook, through the session harness. */
@Timeout(20)
class CommandEventTests {

  /** Answers XPING itself (later, after it returned), takes over VRFY, fails on XFAIL. */
  private static final class CommandHandler extends RecordingHandler {
    final List<String> seen = new CopyOnWriteArrayList<>();
    final Later later = new Later();

    @Override
    public CompletionStage<Optional<Reply>> command(
        SessionInfo session, String verb, String argument) {
      seen.add(verb + "|" + argument);
      switch (verb) {
        case "XPING":
          return later.supply(() -> Optional.of(Reply.of(250, "2.0.0", "pong " + argument)));
        case "VRFY":
          return CompletableFuture.completedStage(
              Optional.of(Reply.of(250, "2.1.5", "<" + argument + "@mx.test>")));
        case "XFAIL":
          throw new IllegalStateException("custom verb failed");
        default:
          return CompletableFuture.completedStage(Optional.empty());
      }
    }
  }

  private final CommandHandler handler = new CommandHandler();

  private SessionHarness greeted() {
    SessionHarness c = new SessionHarness(TestServers.builder(handler), handler.later);
    assertThat(c.reply().code()).isEqualTo(220);
    return c;
  }

  @Test
  void applicationAnswersItsOwnVerb() throws Exception {
    try (SessionHarness c = greeted()) {
      assertThat(c.command("XPING hello there").line()).isEqualTo("250 2.0.0 pong hello there");
      assertThat(c.command("xping again").line()).isEqualTo("250 2.0.0 pong again");
      assertThat(c.command("XUNKNOWN").line()).startsWith("500 5.5.1 ");
    }
    assertThat(handler.seen).contains("XPING|hello there", "XPING|again", "XUNKNOWN|");
  }

  @Test
  void applicationTakesOverAnExistingVerb() throws Exception {
    try (SessionHarness c = greeted()) {
      assertThat(c.command("VRFY alice").line()).isEqualTo("250 2.1.5 <alice@mx.test>");
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    }
  }

  @Test
  void otherCommandsGoOnAsUsual() throws Exception {
    try (SessionHarness c = greeted()) {
      c.ehlo();
      c.write(
          "MAIL FROM:<a@example.com>\r\nXPING 1\r\nRCPT TO:<b@example.com>\r\nXPING 2\r\nDATA\r\n");
      assertThat(c.replies(5))
          .extracting(RawClient.WireReply::line)
          .containsExactly(
              "250 2.1.0 Sender ok",
              "250 2.0.0 pong 1",
              "250 2.1.5 Recipient ok",
              "250 2.0.0 pong 2",
              "354 End data with <CR><LF>.<CR><LF>");
      assertThat(c.command("XPING body\r\n.").code()).isEqualTo(250);
    }
    // the body is content, not commands
    assertThat(handler.takeMessage().text()).isEqualTo("XPING body\r\n");
    assertThat(handler.seen).doesNotContain("XPING|body");
  }

  @Test
  void failingCommandHandlerGives451() throws Exception {
    try (LogCapture log = new LogCapture(SmtpSession.class);
        SessionHarness c = greeted()) {
      assertThat(c.command("XFAIL now").line()).startsWith("451 4.3.0 ");
      assertThat(c.command("NOOP").code()).isEqualTo(250);
      assertThat(log.warnings()).hasSize(1);
    }
  }

  @Test
  void controlCharactersNeverReachTheApplication() throws Exception {
    try (SessionHarness c = greeted()) {
      assertThat(c.command("XPING \u0000\u001b[2J").line()).startsWith("500 5.5.2 ");
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
    assertThat(handler.seen).noneMatch(s -> s.startsWith("XPING"));
  }
}
