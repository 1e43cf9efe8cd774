package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.testing.RawClient;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class PipeliningTests {

  @AutoClose private SmtpServer server; // only the socket tests start a server

  @Test
  void envelopeSentInOneWriteIsAnsweredInOrder() throws Exception {
    RecordingHandler handler = new RecordingHandler();
    server = TestServers.start(handler);
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.ehlo().lines()).contains("PIPELINING");
      c.send(
          "MAIL FROM:<a@example.com>\r\n"
              + "RCPT TO:<b@example.com>\r\n"
              + "RCPT TO:<c@example.com>\r\n"
              + "DATA\r\n");
      assertThat(c.replies(4))
          .extracting(RawClient.WireReply::line)
          .containsExactly(
              "250 2.1.0 Sender ok",
              "250 2.1.5 Recipient ok",
              "250 2.1.5 Recipient ok",
              "354 End data with <CR><LF>.<CR><LF>");
      assertThat(c.command("hello\r\n.").code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().envelope().mailboxes()).hasSize(2);
  }

  @Test
  void wholeSessionInOneWriteIsAnsweredInOrder() throws Exception {
    RecordingHandler handler = new RecordingHandler();
    server = TestServers.start(handler);
    try (RawClient c = new RawClient(server.port())) {
      c.reply();
      c.send(
          "EHLO client.test\r\n"
              + "MAIL FROM:<a@example.com>\r\n"
              + "RCPT TO:<b@example.com>\r\n"
              + "BDAT 5 LAST\r\n"
              + "hello"
              + "MAIL FROM:<d@example.com>\r\n"
              + "RCPT TO:<e@example.com>\r\n"
              + "BDAT 3\r\n"
              + "abcBDAT 0 LAST\r\n"
              + "QUIT\r\n");
      assertThat(c.replies(9))
          .extracting(RawClient.WireReply::code)
          .containsExactly(250, 250, 250, 250, 250, 250, 250, 250, 221);
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(handler.takeMessage().text()).isEqualTo("hello");
    assertThat(handler.takeMessage().text()).isEqualTo("abc");
  }

  // What the session answers to a pipeline, through the session harness: no sockets, no waiting.

  @Test
  void errorsInsideAPipelineAreAnsweredInPlace() throws Exception {
    RecordingHandler handler = new RecordingHandler();
    handler.recipientFilter = m -> !m.localPart().equals("nobody");
    try (SessionHarness c = SessionHarness.greeted(TestServers.builder(handler))) {
      c.ehlo();
      c.write(
          "MAIL FROM:<a@example.com>\r\n"
              + "RCPT TO:b@example.com\r\n"
              + "RCPT TO:<nobody@example.com>\r\n"
              + "XYZZY\r\n"
              + "RCPT TO:<c@example.com>\r\n"
              + "NOOP\r\n"
              + "DATA\r\n");
      assertThat(c.replies(7))
          .extracting(RawClient.WireReply::code)
          .containsExactly(250, 501, 550, 500, 250, 250, 354);
      assertThat(c.command("x\r\n.").code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("c@example.com");
  }

  /** Answers MAIL and RCPT later, after the method returned (see {@link Later}); rejects "no-*". */
  private static final class SlowHandler extends RecordingHandler {
    final Later later = new Later();

    private CompletionStage<Decision> later(boolean accept) {
      return later.supply(() -> accept ? Decision.accept() : Decision.reject());
    }

    @Override
    public CompletionStage<Decision> mailFrom(
        SessionInfo session, ReversePath from, MailParameters parameters) {
      return later(!from.address().startsWith("no-"));
    }

    @Override
    public CompletionStage<Decision> rcptTo(
        SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
      return later(!to.localPart().startsWith("no-"));
    }
  }

  @Test
  void asynchronousDecisionsStillAnswerInOrder() throws Exception {
    SlowHandler handler = new SlowHandler();
    try (SessionHarness c = new SessionHarness(TestServers.builder(handler), handler.later)) {
      assertThat(c.reply().code()).isEqualTo(220);
      c.ehlo();
      for (int round = 0; round < 5; round++) {
        c.write(
            "MAIL FROM:<no-"
                + round
                + "@example.com>\r\n"
                + "MAIL FROM:<a"
                + round
                + "@example.com>\r\n"
                + "RCPT TO:<no-1@example.com>\r\n"
                + "RCPT TO:<b@example.com>\r\n"
                + "RCPT TO:<no-2@example.com>\r\n"
                + "RCPT TO:<c@example.com>\r\n"
                + "DATA\r\n");
        assertThat(c.silent()).as("no decision has come yet").isTrue();
        List<RawClient.WireReply> replies = c.replies(7);
        assertThat(replies)
            .extracting(RawClient.WireReply::code)
            .containsExactly(550, 250, 550, 250, 550, 250, 354);
        assertThat(c.command("round " + round + "\r\n.").code()).isEqualTo(250);
        RecordingHandler.Received m = handler.takeMessage();
        assertThat(m.envelope().from().address()).isEqualTo("a" + round + "@example.com");
        assertThat(m.envelope().mailboxes())
            .extracting(Mailbox::address)
            .containsExactly("b@example.com", "c@example.com");
      }
    }
  }

  @Test
  void ehloAdvertisesPipeliningUnlessTurnedOff() {
    try (SessionHarness c =
        SessionHarness.greeted(TestServers.builder(new RecordingHandler()).pipelining(false))) {
      assertThat(c.ehlo().lines()).doesNotContain("PIPELINING");
    }
  }
}
