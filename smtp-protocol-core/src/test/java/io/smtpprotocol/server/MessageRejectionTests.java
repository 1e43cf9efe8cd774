package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** What the client hears when the message handler refuses a message. */
class MessageRejectionTests {

  private String send(Decision decision) throws Exception {
    SmtpServerBuilder server =
        TestServers.builder(
            new RecordingHandler() {
              @Override
              public CompletionStage<Decision> message(
                  SessionInfo session, Envelope envelope, MessageBody body) {
                return decision.asStage();
              }
            });
    try (SessionHarness c = SessionHarness.greeted(server)) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      return c.command("Subject: hi\r\n\r\nbody\r\n.").line();
    }
  }

  @Test
  void plainRejectIsAPolicyRefusal() throws Exception {
    // RFC 3463 5.7.1: delivery not authorized, message refused (not a media error, 5.6.x)
    assertThat(send(Decision.reject())).isEqualTo("554 5.7.1 Message rejected");
  }

  @Test
  void rejectTextWithItsOwnEnhancedStatusKeepsIt() throws Exception {
    assertThat(send(Decision.reject(550, "5.7.1 Spam detected")))
        .isEqualTo("550 5.7.1 Spam detected");
  }
}
