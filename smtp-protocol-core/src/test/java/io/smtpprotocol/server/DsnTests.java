package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.protocol.DsnNotify;
import io.smtpprotocol.protocol.DsnReturn;
import io.smtpprotocol.protocol.MailParameters;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** DSN (RFC 3461): its parameters on the wire, validated, and typed for the handler. */
class DsnTests {

  private final RecordingHandler handler = new RecordingHandler();

  private SessionHarness dsnSession() {
    SessionHarness c = SessionHarness.greeted(TestServers.builder(handler).dsn(true));
    assertThat(c.ehlo().lines()).contains("DSN");
    return c;
  }

  @Test
  void parametersReachTheHandlerDecoded() throws Exception {
    try (SessionHarness c = dsnSession()) {
      assertThat(c.command("MAIL FROM:<a@example.org> RET=HDRS ENVID=QQ+2B314159").code())
          .isEqualTo(250);
      assertThat(
              c.command(
                      "RCPT TO:<b@example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Bx@example.com")
                  .code())
          .isEqualTo(250);
      assertThat(c.command("RCPT TO:<c@example.com> NOTIFY=NEVER").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("Subject: hi\r\n\r\nbody\r\n.").code()).isEqualTo(250);
    }
    Envelope envelope = handler.messages.poll().envelope();
    assertThat(envelope.parameters().dsnReturn()).contains(DsnReturn.HDRS);
    assertThat(envelope.parameters().envelopeId()).contains("QQ+314159");
    MailParameters first = envelope.recipients().get(0).parameters();
    assertThat(first.dsnNotify()).contains(Set.of(DsnNotify.SUCCESS, DsnNotify.FAILURE));
    assertThat(first.originalRecipient())
        .contains(new MailParameters.OriginalRecipient("rfc822", "b+x@example.com"));
    assertThat(envelope.recipients().get(1).parameters().dsnNotify())
        .contains(Set.of(DsnNotify.NEVER));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "MAIL FROM:<a@example.org> RET=BODY",
        "MAIL FROM:<a@example.org> ENVID=a+zz",
        "RCPT TO:<b@example.com> NOTIFY=NEVER,SUCCESS",
        "RCPT TO:<b@example.com> NOTIFY=SOMETIMES",
        "RCPT TO:<b@example.com> NOTIFY=DELAY,DELAY",
        "RCPT TO:<b@example.com> ORCPT=b@example.com",
        "RCPT TO:<b@example.com> ORCPT=rfc822;"
      })
  void malformedValuesGet501(String command) throws Exception {
    try (SessionHarness c = dsnSession()) {
      if (command.startsWith("RCPT")) {
        assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
      }
      assertThat(c.command(command).line()).startsWith("501 5.5.4");
    }
  }

  @Test
  void withoutDsnItsParametersAreUnknown() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(TestServers.builder(handler))) {
      assertThat(c.ehlo().lines()).doesNotContain("DSN");
      assertThat(c.command("MAIL FROM:<a@example.org> RET=FULL").code()).isEqualTo(555);
      assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com> NOTIFY=NEVER").code()).isEqualTo(555);
    }
  }
}
