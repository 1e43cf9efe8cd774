package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.testing.RawClient;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class SmokeTests {

  private final RecordingHandler handler = new RecordingHandler();
  @AutoClose private final SmtpServer server = TestServers.start(handler);

  @Test
  void plainTransactionDeliversTheUnstuffedBody() throws Exception {
    try (RawClient c = new RawClient(server.port())) {
      assertThat(c.reply().last()).isEqualTo("mx.test ESMTP ready");
      assertThat(c.command("EHLO client.test").lines())
          .containsExactly(
              "mx.test",
              "PIPELINING",
              "SIZE 10485760",
              "8BITMIME",
              "ENHANCEDSTATUSCODES",
              "SMTPUTF8",
              "CHUNKING",
              "LIMITS RCPTMAX=100");
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("Subject: hi\r\n\r\n..dot\r\nend\r\n.").last())
          .isEqualTo("2.0.0 Ok: message accepted");
      assertThat(c.command("QUIT").code()).isEqualTo(221);
    }
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.text()).isEqualTo("Subject: hi\r\n\r\n.dot\r\nend\r\n");
    assertThat(m.envelope().from().address()).isEqualTo("a@example.com");
    assertThat(m.envelope().mailboxes())
        .extracting(Object::toString)
        .containsExactly("b@example.com");
  }
}
