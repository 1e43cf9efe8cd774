package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.client.MailEnvelope;
import io.smtpprotocol.client.MessageContent;
import io.smtpprotocol.client.SendResult;
import io.smtpprotocol.client.SmtpClient;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.testing.RawClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * LMTP (RFC 2033): LHLO instead of HELO/EHLO, and one reply per recipient after the dot. The
 * session's answers go through the session harness; our client's LMTP mode through a socket.
 */
class LmtpTests {

  /** Delivers to known mailboxes, says a full one is busy, and knows no one else. */
  private static final class Mailboxes extends RecordingHandler {
    @Override
    public CompletionStage<List<Decision>> lmtpMessage(
        SessionInfo session, Envelope envelope, MessageBody body) {
      try {
        body.readAllBytes();
      } catch (java.io.IOException e) {
        return CompletableFuture.completedStage(
            List.of(Decision.reject(451, "4.3.0", "body failed")));
      }
      List<Decision> each =
          envelope.mailboxes().stream()
              .map(
                  m ->
                      switch (m.localPart()) {
                        case "full" -> Decision.reject(452, "4.2.2", "Mailbox full");
                        case "nobody" -> Decision.reject(550, "5.1.1", "No such mailbox");
                        default -> Decision.accept(250, "2.1.5 Delivered to " + m.address());
                      })
              .toList();
      return CompletableFuture.completedStage(each);
    }
  }

  private static SessionHarness lhlo(SmtpServerBuilder server) {
    SessionHarness c = SessionHarness.greeted(server);
    assertThat(c.command("LHLO client.test").lines()).contains("PIPELINING", "ENHANCEDSTATUSCODES");
    return c;
  }

  @Test
  void greetingSaysLmtpAndOnlyLhloIsTheHello() throws Exception {
    try (SessionHarness c = new SessionHarness(TestServers.builder(new Mailboxes()).lmtp(true))) {
      assertThat(c.reply().last()).isEqualTo("mx.test LMTP ready");
      assertThat(c.command("HELO client.test").code()).isEqualTo(500);
      assertThat(c.command("EHLO client.test").code()).isEqualTo(500);
      assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(503);
      assertThat(c.command("LHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
    }
  }

  @Test
  void eachRecipientGetsItsOwnReplyInRcptOrder() throws Exception {
    try (SessionHarness c = lhlo(TestServers.builder(new Mailboxes()).lmtp(true))) {
      assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
      for (String to : List.of("ann", "full", "nobody", "bob")) {
        assertThat(c.command("RCPT TO:<" + to + "@example.com>").code()).isEqualTo(250);
      }
      assertThat(c.command("DATA").code()).isEqualTo(354);
      c.write("Subject: hi\r\n\r\nbody\r\n.\r\n");
      assertThat(c.replies(4))
          .extracting(RawClient.WireReply::line)
          .containsExactly(
              "250 2.1.5 Delivered to ann@example.com",
              "452 4.2.2 Mailbox full",
              "550 5.1.1 No such mailbox",
              "250 2.1.5 Delivered to bob@example.com");
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void aHandlerOfMessageAloneAnswersEveryRecipientAlike() throws Exception {
    RecordingHandler handler = new RecordingHandler();
    try (SessionHarness c = lhlo(TestServers.builder(handler).lmtp(true))) {
      assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<ann@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<bob@example.com>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      c.write("Subject: hi\r\n\r\nbody\r\n.\r\n");
      assertThat(c.replies(2)).extracting(RawClient.WireReply::code).containsExactly(250, 250);
    }
    assertThat(handler.messages).hasSize(1);
  }

  @Test
  void anSmtpListenerRefusesLhlo() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(TestServers.builder(new RecordingHandler()))) {
      assertThat(c.command("LHLO client.test").code()).isEqualTo(500);
    }
  }

  @Test
  void ourClientInLmtpModeGetsEachRecipientsReply() throws Exception {
    try (SmtpServer server = TestServers.builder(new Mailboxes()).lmtp(true).build().start();
        SmtpClient client = SmtpClient.builder().lmtp(true).build()) {
      SendResult result =
          client
              .send(
                  "127.0.0.1",
                  server.port(),
                  MailEnvelope.of("a@example.org", "ann@example.com", "full@example.com"),
                  MessageContent.of("Subject: hi\r\n\r\nbody\r\n"))
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      assertThat(result.recipients()).extracting(r -> r.reply().code()).containsExactly(250, 452);
      assertThat(result.refused())
          .singleElement()
          .satisfies(r -> assertThat(r.recipient().address()).isEqualTo("full@example.com"));
    }
  }
}
