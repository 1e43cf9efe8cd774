package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.protocol.Mailbox;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class RecipientLimitTests {

  private final RecordingHandler handler = new RecordingHandler();
  private SmtpServerBuilder server;

  @BeforeEach
  void start() {
    handler.recipientFilter = m -> !m.localPart().startsWith("unknown");
    server = TestServers.builder(handler).limits(Limits.DEFAULTS.withMaxRecipients(3));
  }

  @Test
  void recipientBeyondTheLimitIsRefusedWith452AndTheOthersGetTheMessage() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      for (int i = 1; i <= 3; i++) {
        assertThat(c.command("RCPT TO:<r" + i + "@example.com>").code()).isEqualTo(250);
      }
      assertThat(c.command("RCPT TO:<r4@example.com>").line())
          .isEqualTo("452 4.5.3 Too many recipients");
      assertThat(c.command("RCPT TO:<r5@example.com>").code()).isEqualTo(452);
      c.command("DATA");
      assertThat(c.command("hi\r\n.").code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("r1@example.com", "r2@example.com", "r3@example.com");
  }

  @Test
  void refusedRecipientsDoNotCount() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      assertThat(c.command("RCPT TO:<unknown1@example.com>").code()).isEqualTo(550);
      assertThat(c.command("RCPT TO:<unknown2@example.com>").code()).isEqualTo(550);
      for (int i = 1; i <= 3; i++) {
        assertThat(c.command("RCPT TO:<r" + i + "@example.com>").code()).isEqualTo(250);
      }
      assertThat(c.command("RCPT TO:<r4@example.com>").code()).isEqualTo(452);
    }
  }

  @Test
  void theLimitIsPerTransaction() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      for (int i = 1; i <= 3; i++) {
        c.command("RCPT TO:<r" + i + "@example.com>");
      }
      c.command("RSET");
      c.command("MAIL FROM:<a@example.com>");
      for (int i = 1; i <= 3; i++) {
        assertThat(c.command("RCPT TO:<s" + i + "@example.com>").code()).isEqualTo(250);
      }
    }
  }
}
