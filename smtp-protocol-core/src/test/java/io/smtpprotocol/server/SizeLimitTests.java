package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.smtpprotocol.testing.RawClient;
import java.io.IOException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIZE (RFC 1870). What the session decides from the declared size goes through the session
 * harness; bodies larger than the body buffer through a started server, since the handler reads
 * them on a thread of its own while the rest arrives.
 */
@Timeout(20)
class SizeLimitTests {

  private static final int MAX = 100_000;

  private final RecordingHandler handler = new RecordingHandler();
  private @Nullable SmtpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private SmtpServerBuilder harnessed() {
    return TestServers.builder(handler).limits(Limits.DEFAULTS.withMaxMessageSize(MAX));
  }

  /** Lines of text, exactly {@code octets} long (at least 2), ending with CRLF. */
  private static String body(int octets) {
    StringBuilder sb = new StringBuilder(octets);
    while (sb.length() < octets) {
      int remaining = octets - sb.length();
      int n = Math.min(78, remaining - 2);
      if (remaining - (n + 2) == 1) {
        n--; // never leave a single octet for the last line
      }
      sb.append("x".repeat(n)).append("\r\n");
    }
    return sb.toString();
  }

  /** On a started server: for bodies larger than the body buffer. */
  private RawClient transaction(String mailParameters) throws IOException {
    SmtpServer started = TestServers.start(handler, Limits.DEFAULTS.withMaxMessageSize(MAX));
    server = started;
    RawClient c = RawClient.greeted(started.port());
    c.ehlo();
    assertThat(c.command("MAIL FROM:<a@example.com>" + mailParameters).code()).isEqualTo(250);
    assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
    return c;
  }

  @Test
  void ehloAdvertisesTheLimit() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(harnessed())) {
      assertThat(c.ehlo().lines()).contains("SIZE " + MAX);
    }
  }

  @Test
  void declaredSizeOverTheLimitIsRefusedAtMail() throws Exception {
    try (SessionHarness c = SessionHarness.greeted(harnessed())) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com> SIZE=" + (MAX + 1)).line())
          .isEqualTo("552 5.3.4 Message size exceeds fixed maximum message size");
      assertThat(c.command("MAIL FROM:<a@example.com> SIZE=99999999999999999").code())
          .isEqualTo(552);
      // RFC 1870: size-value is 1*20DIGIT, so 19 and 20 digits are valid, huge sizes
      assertThat(c.command("MAIL FROM:<a@example.com> SIZE=9999999999999999999").code())
          .isEqualTo(552);
      assertThat(c.command("MAIL FROM:<a@example.com> SIZE=99999999999999999999").code())
          .isEqualTo(552);
      assertThat(c.command("MAIL FROM:<a@example.com> SIZE=999999999999999999999").line())
          .startsWith("501 5.5.4");
      assertThat(c.command("MAIL FROM:<a@example.com> SIZE=big").line()).startsWith("501 ");
      assertThat(c.command("MAIL FROM:<a@example.com> SIZE=" + MAX).code()).isEqualTo(250);
    }
  }

  @Test
  void messageOfExactlyTheLimitIsDelivered() throws Exception {
    String body = body(MAX);
    try (RawClient c = transaction(" SIZE=" + MAX)) {
      c.command("DATA");
      c.send(body);
      assertThat(c.command(".").code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().body()).hasSize(MAX);
  }

  @Test
  void dataOverTheLimitIs552AndNothingIsDelivered() throws Exception {
    try (RawClient c = transaction("")) {
      c.command("DATA");
      c.send(body(MAX + 2));
      assertThat(c.command(".").line()).startsWith("552 5.3.4 ");
      // the session goes on
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(503);
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    }
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void dataOverTheLimitWithAFalseSizeDeclarationIsStillCaught() throws Exception {
    try (RawClient c = transaction(" SIZE=10")) {
      c.command("DATA");
      c.send(body(3 * MAX));
      assertThat(c.command(".").code()).isEqualTo(552);
    }
    assertThat(handler.messages).isEmpty();
    // the handler had started reading (the body exceeds the buffer) and saw the failure
    await().atMost(Duration.ofSeconds(5)).until(() -> !handler.bodyFailures.isEmpty());
  }

  @Test
  void bdatOverTheLimitIs552AndItsChunkIsSkipped() throws Exception {
    try (RawClient c = transaction("")) {
      String first = body(MAX - 10);
      c.send("BDAT " + first.length() + "\r\n" + first);
      assertThat(c.reply().code()).isEqualTo(250);
      c.send("BDAT 20\r\nRSET\r\nRSET\r\nRSET\r\nXX");
      assertThat(c.reply().line()).startsWith("552 5.3.4 ");
      c.send("BDAT 3 LAST\r\nQUI");
      assertThat(c.reply().line()).startsWith("552 5.3.4 ");
      // the transaction is over and the input is in step
      assertThat(c.command("NOOP").line()).isEqualTo("250 2.0.0 Ok");
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(503);
    }
    assertThat(handler.messages).isEmpty();
  }
}
