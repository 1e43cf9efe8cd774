package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.testing.RawClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class BadCommandLimitTests {

  private SmtpServerBuilder server;

  @BeforeEach
  void start() {
    server =
        TestServers.builder(new RecordingHandler())
            .limits(Limits.DEFAULTS.withMaxBadCommands(3).withMaxLineLength(512));
  }

  @Test
  void tooManyErrorsEndTheSessionWith421() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server)) {
      assertThat(c.command("XYZZY").code()).isEqualTo(500);
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(503);
      assertThat(c.command("NOOP").code()).isEqualTo(250);
      assertThat(c.command("HELO").code()).isEqualTo(501);
      assertThat(c.reply().line())
          .isEqualTo("421 4.7.0 Too many errors, closing transmission channel");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void malformedLinesCountAsErrors() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server)) {
      c.write("x".repeat(600) + "\r\n");
      assertThat(c.reply().line()).startsWith("500 5.5.6 ");
      c.write("NOOP\n");
      assertThat(c.reply().line()).startsWith("500 5.5.2 ");
      c.write("NOOP \u0000\r\n");
      assertThat(c.reply().line()).startsWith("500 5.5.2 ");
      assertThat(c.reply().code()).isEqualTo(421);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void pipelinedErrorsStopAtTheLimit() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(server)) {
      c.write("A\r\nB\r\nC\r\nD\r\nE\r\n");
      assertThat(c.replies(4))
          .extracting(RawClient.WireReply::code)
          .containsExactly(500, 500, 500, 421);
      assertThat(c.closedByServer()).isTrue();
    }
  }
}
