package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class SmtpUtf8Tests {

  private final RecordingHandler handler = new RecordingHandler();

  @Test
  void utf8AddressesNeedSmtpUtf8() throws Exception {
    SmtpServerBuilder server = TestServers.builder(handler);
    try (SessionHarness c = SessionHarness.greeted(server)) {
      assertThat(c.ehlo().lines()).contains("SMTPUTF8", "8BITMIME");
      assertThat(c.command("MAIL FROM:<j\u00f6rg@example.com>").line())
          .isEqualTo("553 5.6.7 Non-ASCII address requires SMTPUTF8");
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a>").line())
          .startsWith("553 5.6.7 ");
    }
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void utf8EnvelopeAndBodyArriveIntact() throws Exception {
    SmtpServerBuilder server = TestServers.builder(handler);
    String body = "Subject: gr\u00fc\u00dfe \ud83d\udce7\r\n\r\n\u4f60\u597d\r\n";
    try (SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      assertThat(
              c.command("MAIL FROM:<j\u00f6rg@b\u00fccher.example> SMTPUTF8 BODY=8BITMIME").code())
          .isEqualTo(250);
      assertThat(c.command("RCPT TO:<\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a>").code())
          .isEqualTo(250);
      c.command("DATA");
      assertThat(c.command(body + ".").code()).isEqualTo(250);
    }
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.envelope().smtpUtf8()).isTrue();
    assertThat(m.envelope().from().address()).isEqualTo("j\u00f6rg@b\u00fccher.example");
    assertThat(m.envelope().mailboxes().get(0).address())
        .isEqualTo("\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a");
    assertThat(m.body()).isEqualTo(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void serverWithoutSmtpUtf8RefusesTheParameter() throws Exception {
    SmtpServerBuilder server = TestServers.builder(handler).smtpUtf8(false);
    try (SessionHarness c = SessionHarness.greeted(server)) {
      assertThat(c.ehlo().lines()).doesNotContain("SMTPUTF8");
      assertThat(c.command("MAIL FROM:<a@example.com> SMTPUTF8").line()).startsWith("555 5.5.4 ");
      assertThat(c.command("MAIL FROM:<j\u00f6rg@example.com> SMTPUTF8").code()).isEqualTo(555);
      assertThat(c.command("MAIL FROM:<j\u00f6rg@example.com>").code()).isEqualTo(553);
    }
  }

  @Test
  void smtpUtf8TakesNoValueAndBodyOnlyKnownTypes() throws Exception {
    SmtpServerBuilder server = TestServers.builder(handler);
    try (SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com> SMTPUTF8=yes").code()).isEqualTo(555);
      assertThat(c.command("MAIL FROM:<a@example.com> BODY=BINARYMIME").code()).isEqualTo(555);
      assertThat(c.command("MAIL FROM:<a@example.com> BODY=7bit").code()).isEqualTo(250);
    }
  }

  @Test
  void invalidUtf8InACommandIsRefused() throws Exception {
    SmtpServerBuilder server = TestServers.builder(handler);
    try (SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      byte[] line = "MAIL FROM:<?@x>\r\n".getBytes(StandardCharsets.US_ASCII);
      line[11] = (byte) 0xC3; // the first octet of a two-octet sequence, and no second
      c.writeBytes(line);
      assertThat(c.reply().line()).startsWith("500 5.6.7 ");
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
  }
}
