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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class PipeliningTests {

  private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
  private SmtpServer server;

  @AfterEach
  void stop() {
    server.close();
    later.shutdownNow();
  }

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
  void errorsInsideAPipelineAreAnsweredInPlace() throws Exception {
    RecordingHandler handler = new RecordingHandler();
    handler.recipientFilter = m -> !m.localPart().equals("nobody");
    server = TestServers.start(handler);
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      c.send(
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

  /** Answers MAIL and RCPT later from another thread, after a random delay; rejects "no-*". */
  private final class SlowHandler extends RecordingHandler {
    private CompletionStage<Decision> later(boolean accept) {
      CompletableFuture<Decision> f = new CompletableFuture<>();
      PipeliningTests.this.later.schedule(
          () -> f.complete(accept ? Decision.accept() : Decision.reject()),
          ThreadLocalRandom.current().nextInt(1, 15),
          TimeUnit.MILLISECONDS);
      return f;
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
    server = TestServers.start(handler);
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      for (int round = 0; round < 5; round++) {
        c.send(
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
  void ehloAdvertisesPipeliningUnlessTurnedOff() throws Exception {
    server = TestServers.builder(new RecordingHandler()).pipelining(false).build().start();
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.ehlo().lines()).doesNotContain("PIPELINING");
    }
  }
}
