package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the decoder does for STARTTLS (discard what is buffered) and AUTH (longer lines). */
class TlsAndAuthFramingTests {

  private static final int LIMIT = 600;
  private static final int AUTH_LIMIT = 12_288;

  @Test
  void discardBufferedDropsPipelinedPlaintextAndResumesPausedReading() {
    try (DecoderHarness h = new DecoderHarness(LIMIT, false, 1024)) {
      h.autoRequest = false;
      h.decoder.greetingSent();
      h.decoder.request();
      h.feed("STARTTLS\r\n" + "RSET\r\n".repeat(400));
      assertThat(h.events()).containsExactly("LINE STARTTLS");
      assertThat(h.decoder.bufferedBytes()).isGreaterThan(1024);
      assertThat(h.channel.config().isAutoRead()).isFalse();

      h.decoder.discardBuffered();

      assertThat(h.decoder.bufferedBytes()).isZero();
      assertThat(h.channel.config().isAutoRead()).isTrue();
      h.feed("EHLO client\r\n");
      h.decoder.request();
      assertThat(h.events()).containsExactly("LINE STARTTLS", "LINE EHLO client");
    }
  }

  @Test
  void authLinesMayBeLongerThanOtherCommandLines() {
    String ir = "A".repeat(8000);
    String input =
        "AUTH XOAUTH2 "
            + ir
            + "\r\n"
            + "auth plain "
            + ir
            + "\r\n"
            + "NOOP "
            + ir
            + "\r\n"
            + "AUTHX "
            + ir
            + "\r\n"
            + "AUTH PLAIN "
            + "A".repeat(AUTH_LIMIT)
            + "\r\n"
            + "NOOP\r\n";
    byte[] bytes = input.getBytes(StandardCharsets.US_ASCII);
    for (int cut : new int[] {1, 3, 5, 6, 4000, 8014, 8015, 8016, 20000, bytes.length - 3}) {
      try (DecoderHarness h = DecoderHarness.greeted(LIMIT, false)) {
        h.decoder.maxAuthLineLength(AUTH_LIMIT);
        h.feedSplit(bytes, cut);
        assertThat(h.events())
            .as("cut at %d", cut)
            .containsExactly(
                "LINE AUTH XOAUTH2 " + ir,
                "LINE auth plain " + ir,
                "BAD 500 5.5.6",
                "BAD 500 5.5.6",
                "BAD 500 5.5.6",
                "LINE NOOP");
      }
    }
  }

  @Test
  void withoutAnAuthLimitAuthLinesKeepTheCommandLimit() {
    try (DecoderHarness h = DecoderHarness.greeted(LIMIT, false)) {
      h.feed("AUTH PLAIN " + "A".repeat(LIMIT) + "\r\nNOOP\r\n");
      assertThat(h.events()).containsExactly("BAD 500 5.5.6", "LINE NOOP");
    }
  }
}
