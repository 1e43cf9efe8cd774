package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.testing.RawClient;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The order of commands in a session, through the session harness: no socket is needed. */
@Timeout(20)
class SequencingTests {

  private final RecordingHandler handler = new RecordingHandler();

  private SmtpServerBuilder server() {
    return TestServers.builder(handler);
  }

  @Test
  void greetingNamesTheDomainAndEsmtp() throws Exception {
    try (SessionHarness c = new SessionHarness(server())) {
      assertThat(c.reply().line()).isEqualTo("220 mx.test ESMTP ready");
    }
  }

  @Test
  void transactionCommandsBeforeTheGreetingAreRefused() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server())) {
      assertThat(c.command("MAIL FROM:<a@example.com>").line()).startsWith("503 5.5.1 ");
      assertThat(c.command("RCPT TO:<b@example.com>").line()).startsWith("503 5.5.1 ");
      assertThat(c.command("DATA").line()).startsWith("503 5.5.1 ");
      assertThat(c.command("NOOP").line()).isEqualTo("250 2.0.0 Ok");
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    }
  }

  @Test
  void rcptBeforeMailIsRefused() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server())) {
      c.ehlo();
      assertThat(c.command("RCPT TO:<b@example.com>").line())
          .isEqualTo("503 5.5.1 Need MAIL command");
    }
  }

  @Test
  void dataBeforeRcptIsRefused() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server())) {
      c.ehlo();
      assertThat(c.command("DATA").line()).startsWith("503 5.5.1 ");
      c.command("MAIL FROM:<a@example.com>");
      assertThat(c.command("DATA").line()).isEqualTo("503 5.5.1 Need RCPT command");
    }
  }

  @Test
  void nestedMailIsRefused() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server())) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      assertThat(c.command("MAIL FROM:<b@example.com>").line())
          .isEqualTo("503 5.5.1 Nested MAIL command");
    }
  }

  @Test
  void rsetResetsTheTransaction() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server())) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      c.command("RCPT TO:<b@example.com>");
      assertThat(c.command("RSET").line()).isEqualTo("250 2.0.0 Ok");
      assertThat(c.command("DATA").line()).isEqualTo("503 5.5.1 Need MAIL command");
      assertThat(c.command("MAIL FROM:<c@example.com>").code()).isEqualTo(250);
    }
  }

  @Test
  void newEhloResetsTheTransaction() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server())) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      c.command("RCPT TO:<b@example.com>");
      c.ehlo();
      assertThat(c.command("RCPT TO:<b@example.com>").line())
          .isEqualTo("503 5.5.1 Need MAIL command");
      assertThat(c.command("MAIL FROM:<c@example.com>").code()).isEqualTo(250);
    }
  }

  @Test
  void transactionAfterResetDeliversOnlyTheNewEnvelope() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server())) {
      c.ehlo();
      c.command("MAIL FROM:<old@example.com>");
      c.command("RCPT TO:<old@example.com>");
      c.command("RSET");
      c.command("MAIL FROM:<new@example.com>");
      c.command("RCPT TO:<new@example.com>");
      c.command("DATA");
      assertThat(c.command("hi\r\n.").code()).isEqualTo(250);
    }
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.envelope().from().address()).isEqualTo("new@example.com");
    assertThat(m.envelope().mailboxes())
        .extracting(Object::toString)
        .containsExactly("new@example.com");
  }

  @Test
  void heloGreetsWithoutExtensions() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server())) {
      assertThat(c.command("HELO client.test").lines()).containsExactly("mx.test");
      assertThat(c.command("MAIL FROM:<a@example.com> BODY=8BITMIME").line()).startsWith("555 ");
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    }
  }

  @Test
  void lmtpGreetingIsNotUnderstood() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server())) {
      assertThat(c.command("LHLO client.test").line()).startsWith("500 5.5.1 ");
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(503);
    }
  }

  @Test
  void informationalCommandsWorkInAnyState() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server())) {
      assertThat(c.command("NOOP").line()).isEqualTo("250 2.0.0 Ok");
      assertThat(c.command("HELP").code()).isEqualTo(214);
      assertThat(c.command("VRFY someone").line()).startsWith("252 2.5.0 ");
      assertThat(c.command("EXPN list").line()).startsWith("502 5.5.1 ");
      assertThat(c.command("RSET").line()).isEqualTo("250 2.0.0 Ok");
      assertThat(c.command("XYZZY").line()).isEqualTo("500 5.5.1 Command unrecognized");
      assertThat(c.command("QUIT").line()).isEqualTo("221 2.0.0 Bye");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void syntaxErrorsGet501AndTheSessionGoesOn() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server())) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:a@example.com").line()).startsWith("501 5.5.4 ");
      assertThat(c.command("MAIL FROM:<a b@example.com>").line()).startsWith("501 5.1.7 ");
      assertThat(c.command("MAIL FROM:<a@example.com> SIZE=1 SIZE=2").line()).startsWith("501 ");
      assertThat(c.command("MAIL FROM:<a@example.com> FOO=BAR").line()).startsWith("555 5.5.4 ");
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com> NOTIFY=NEVER").line()).startsWith("555 ");
      assertThat(c.command("RCPT TO:<>").line()).startsWith("501 5.1.3 ");
      assertThat(c.command("RCPT TO:<Postmaster>").code()).isEqualTo(250);
      c.command("DATA");
      assertThat(c.command("x\r\n.").code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().envelope().mailboxes())
        .extracting(Object::toString)
        .containsExactly("Postmaster");
  }

  @Test
  void everyReplyAfterTheGreetingCarriesAnEnhancedStatus() throws Exception {
    List<String> script =
        List.of(
            "NOOP",
            "MAIL FROM:<a@example.com>",
            "HELP",
            "VRFY x",
            "EXPN x",
            "XYZZY",
            "DATA",
            "EHLO",
            "RCPT TO:<b@example.com>",
            "MAIL FROM:<a@example.com> X=1",
            "BDAT x",
            "MAIL FROM:<a@example.com>",
            "MAIL FROM:<a@example.com>",
            "RCPT TO:<b@example.com>",
            "RSET",
            "QUIT");
    try (SessionHarness c = SessionHarness.greeted(server())) {
      c.ehlo();
      for (String command : script) {
        RawClient.WireReply r = c.command(command);
        for (String line : r.lines()) {
          assertThat(line).as(command + " -> " + r).matches("[245]\\.[0-9]{1,3}\\.[0-9]{1,3} .*");
        }
      }
    }
  }
}
