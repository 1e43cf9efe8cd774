package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.testing.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** BDAT (RFC 3030) in the session, through the session harness. */
@Timeout(20)
class ChunkingTests {

  private final RecordingHandler handler = new RecordingHandler();
  private SmtpServerBuilder server = TestServers.builder(handler);

  private SessionHarness transaction() {
    SessionHarness c = SessionHarness.greeted(server);
    assertThat(c.ehlo().lines()).contains("CHUNKING");
    assertThat(c.command("MAIL FROM:<a@example.com> BODY=8BITMIME").code()).isEqualTo(250);
    assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
    return c;
  }

  @Test
  void chunksAreDeliveredConcatenatedAndUntouched() throws Exception {
    try (SessionHarness c = transaction()) {
      c.write("BDAT 10\r\nline one\r\n");
      assertThat(c.reply().line()).isEqualTo("250 2.0.0 10 octets received");
      c.write("BDAT 8\r\n.\r\nbare\n");
      assertThat(c.reply().line()).isEqualTo("250 2.0.0 8 octets received");
      c.write("BDAT 0 LAST\r\n");
      assertThat(c.reply().line()).isEqualTo("250 2.0.0 Ok: message accepted");
    }
    assertThat(handler.takeMessage().text()).isEqualTo("line one\r\n.\r\nbare\n");
  }

  @Test
  void singleLastChunkIsAWholeMessage() throws Exception {
    try (SessionHarness c = transaction()) {
      c.write("BDAT 5 LAST\r\nhello");
      assertThat(c.reply().code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<c@example.com>").code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().text()).isEqualTo("hello");
  }

  @Test
  void emptyLastChunkAloneIsAnEmptyMessage() throws Exception {
    try (SessionHarness c = transaction()) {
      assertThat(c.command("BDAT 0 LAST").code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().body()).isEmpty();
  }

  @Test
  void dataAfterBdatIsRefused() throws Exception {
    try (SessionHarness c = transaction()) {
      c.write("BDAT 3\r\nabc");
      assertThat(c.reply().code()).isEqualTo(250);
      assertThat(c.command("DATA").line())
          .isEqualTo("503 5.5.1 DATA not allowed after BDAT in one transaction");
      c.write("BDAT 3 LAST\r\ndef");
      assertThat(c.reply().code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().text()).isEqualTo("abcdef");
  }

  @Test
  void refusedBdatStillConsumesItsChunk() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      // no transaction: refused, and the 12 octets that look like commands are skipped
      c.write("BDAT 12\r\nRSET\r\nQUIT\r\nNOOP\r\n");
      assertThat(c.reply().line()).isEqualTo("503 5.5.1 Need MAIL command");
      assertThat(c.reply().line()).isEqualTo("250 2.0.0 Ok");
      c.command("MAIL FROM:<a@example.com>");
      c.write("BDAT 6 LAST\r\nQUIT\r\nNOOP\r\n");
      assertThat(c.reply().line()).isEqualTo("503 5.5.1 Need RCPT command");
      assertThat(c.reply().line()).isEqualTo("250 2.0.0 Ok");
    }
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void bdatWithoutChunkingIsNotImplementedButStillConsumed() throws Exception {
    server = TestServers.builder(handler).chunking(false);
    try (SessionHarness c = SessionHarness.greeted(server)) {
      assertThat(c.ehlo().lines()).doesNotContain("CHUNKING");
      c.write("BDAT 6\r\nQUIT\r\nNOOP\r\n");
      assertThat(c.reply().line()).startsWith("502 5.5.1 ");
      assertThat(c.reply().code()).isEqualTo(250);
    }
  }

  @Test
  void bdatSyntaxErrorConsumesNothing() throws Exception {
    try (SessionHarness c = transaction()) {
      c.write("BDAT ten\r\nNOOP\r\n");
      assertThat(c.reply().line()).isEqualTo("501 5.5.4 Syntax: BDAT size [LAST]");
      assertThat(c.reply().code()).isEqualTo(250);
    }
  }

  @Test
  void rejectedDataEventFailsEveryChunkUntilTheLast() throws Exception {
    SmtpHandler refusing =
        new RecordingHandler() {
          @Override
          public java.util.concurrent.CompletionStage<Decision> data(
              SessionInfo session, Envelope envelope) {
            return Decision.reject(554, "5.7.1", "No mail today").asStage();
          }
        };
    server = TestServers.builder(refusing);
    try (SessionHarness c = transaction()) {
      c.write("BDAT 3\r\nabcBDAT 3\r\ndefBDAT 1 LAST\r\ng");
      assertThat(c.replies(3))
          .extracting(RawClient.WireReply::line)
          .containsOnly("554 5.7.1 No mail today");
      // the transaction is over
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(503);
    }
  }

  @Test
  void messageWithoutAMessageHandlerIsRefused() throws Exception {
    server = TestServers.builder(new SmtpHandler() {});
    try (SessionHarness c = transaction()) {
      c.write("BDAT 5 LAST\r\nhello");
      assertThat(c.reply().line()).isEqualTo("554 5.3.2 Message not accepted: no message handler");
    }
  }
}
