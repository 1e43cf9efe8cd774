package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandLineDecodingTests {

  private static final int LIMIT = 64;

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static void assertEvents(boolean lenient, String input, String... expected) {
    assertEvents(lenient, ascii(input), expected);
  }

  private static void assertEvents(boolean lenient, byte[] input, String... expected) {
    Splits.forEach(
        () -> DecoderHarness.greeted(LIMIT, lenient),
        input,
        (h, cuts) -> assertThat(h.events()).as(cuts).containsExactly(expected));
  }

  @Test
  void pipelinedLinesComeOutOneByOneWhereverTheInputIsCut() {
    assertEvents(
        false,
        "EHLO client\r\nMAIL FROM:<a@b>\r\nNOOP\r\n",
        "LINE EHLO client",
        "LINE MAIL FROM:<a@b>",
        "LINE NOOP");
  }

  @Test
  void theSessionIsCuedToFlushOnlyWhenPipelinedInputIsUsedUp() {
    try (DecoderHarness h = DecoderHarness.greeted(LIMIT, false)) {
      h.autoRequest = false;
      int before = h.drained; // the first request found nothing buffered
      h.feed("EHLO client\r\nMAIL FROM:<a@b>\r\n");
      assertThat(h.events()).containsExactly("LINE EHLO client");
      h.decoder.request(); // the second line was still buffered: no cue yet
      assertThat(h.drained).isEqualTo(before);
      h.decoder.request(); // nothing left: the replies to both lines go out together
      assertThat(h.events()).containsExactly("LINE EHLO client", "LINE MAIL FROM:<a@b>");
      assertThat(h.drained).isEqualTo(before + 1);
    }
  }

  @Test
  void emptyLineIsALine() {
    assertEvents(false, "\r\nNOOP\r\n", "LINE ", "LINE NOOP");
  }

  @Test
  void lineOfExactlyTheLimitIsAccepted() {
    String line = "NOOP " + "x".repeat(LIMIT - 7); // LIMIT octets with CRLF
    assertThat(line.length() + 2).isEqualTo(LIMIT);
    assertEvents(false, line + "\r\nRSET\r\n", "LINE " + line, "LINE RSET");
  }

  @Test
  void lineOneOctetTooLongIsRefusedAndTheNextLineStillWorks() {
    String line = "NOOP " + "x".repeat(LIMIT - 6); // LIMIT + 1 octets with CRLF
    assertEvents(false, line + "\r\nRSET\r\n", "BAD 500 5.5.6", "LINE RSET");
  }

  @Test
  void veryLongLineIsOneErrorAndTheSessionSurvives() {
    String line = "MAIL FROM:<" + "a".repeat(LIMIT * 5) + "@example.com>";
    assertEvents(false, line + "\r\nNOOP\r\nRSET\r\n", "BAD 500 5.5.6", "LINE NOOP", "LINE RSET");
  }

  @Test
  void longLineIsDroppedAsItArrivesInsteadOfBuffered() {
    try (DecoderHarness h = DecoderHarness.greeted(LIMIT, false)) {
      for (int i = 0; i < 100; i++) {
        h.feed("y".repeat(LIMIT / 2));
        assertThat(h.decoder.bufferedBytes()).isLessThan(LIMIT);
      }
      h.feed("\r\nNOOP\r\n");
      assertThat(h.events()).containsExactly("BAD 500 5.5.6", "LINE NOOP");
    }
  }

  static Stream<Arguments> bareLineEndings() {
    return Stream.of(
        Arguments.of("NOOP\n", "NOOP"),
        Arguments.of("NOOP\rx\r\n", "NOOP\rx"),
        Arguments.of("NOOP\r\r\n", "NOOP\r"),
        Arguments.of("\n", ""),
        Arguments.of("MAIL FROM:<a@b>\rRCPT TO:<c@d>\r\n", "MAIL FROM:<a@b>\rRCPT TO:<c@d>"));
  }

  @ParameterizedTest
  @MethodSource("bareLineEndings")
  void bareCrOrLfInACommandLineIsRefusedWhenStrict(String input, String lenientLine) {
    assertEvents(false, input + "RSET\r\n", "BAD 500 5.5.2", "LINE RSET");
  }

  @ParameterizedTest
  @MethodSource("bareLineEndings")
  void bareLfEndsALineAndBareCrStaysInItWhenLenient(String input, String lenientLine) {
    // a CR left in the line is a control character: the parser refuses it, never a handler
    assertEvents(true, input + "RSET\r\n", "LINE " + lenientLine, "LINE RSET");
  }

  @Test
  void bareCrDoesNotEndALine() {
    assertEvents(false, "NOOP\rRSET\r\nQUIT\r\n", "BAD 500 5.5.2", "LINE QUIT");
  }

  @Test
  void utf8IsDecodedWhereverTheInputIsCut() {
    String line = "RCPT TO:<j\u00f6rg@\u4f8b\u5b50.example> X=\ud83d\udce7";
    byte[] input = (line + "\r\nNOOP\r\n").getBytes(StandardCharsets.UTF_8);
    assertEvents(false, input, "LINE " + line, "LINE NOOP");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ff", // never valid
        "c3", // truncated two-octet sequence
        "c0af", // overlong '/'
        "e08080", // overlong NUL
        "eda080", // UTF-16 surrogate
        "f4908080", // beyond U+10FFFF
        "80" // lone continuation octet
      })
  void invalidUtf8IsRefused(String hex) {
    byte[] bad = java.util.HexFormat.of().parseHex(hex);
    byte[] head = ascii("MAIL FROM:<a");
    byte[] tail = ascii("@b>\r\nNOOP\r\n");
    byte[] input = new byte[head.length + bad.length + tail.length];
    System.arraycopy(head, 0, input, 0, head.length);
    System.arraycopy(bad, 0, input, head.length, bad.length);
    System.arraycopy(tail, 0, input, head.length + bad.length, tail.length);
    assertEvents(false, input, "BAD 500 5.6.7", "LINE NOOP");
  }

  @Test
  void nulIsPassedUpForTheParserToRefuse() {
    assertEvents(false, "NOOP\u0000x\r\n", "LINE NOOP\u0000x");
  }

  // ------------------------------------------------------------ demand

  @Test
  void pipelinedLinesWaitForRequest() {
    try (DecoderHarness h = DecoderHarness.greeted(LIMIT, false)) {
      h.autoRequest = false;
      h.feed("NOOP\r\nRSET\r\nQUIT\r\n");
      assertThat(h.events()).containsExactly("LINE NOOP");
      assertThat(h.decoder.bufferedBytes()).isEqualTo(12);
      assertThat(h.decoder.wantsInput()).isFalse();
      h.decoder.request();
      assertThat(h.events()).containsExactly("LINE NOOP", "LINE RSET");
      h.decoder.request();
      h.decoder.request();
      assertThat(h.events()).containsExactly("LINE NOOP", "LINE RSET", "LINE QUIT");
      assertThat(h.decoder.bufferedBytes()).isZero();
      assertThat(h.decoder.wantsInput()).isTrue();
    }
  }

  @Test
  void repliesAreFlushedOnlyWhenTheBufferedInputIsUsedUp() {
    try (DecoderHarness h = DecoderHarness.greeted(LIMIT, false)) {
      h.autoRequest = false;
      h.feed("NOOP\r\nRSET\r\nQUIT\r\n");
      h.channel.write(h.alloc.copyOf(ascii("250 one\r\n"), 0, 9));
      h.decoder.request();
      h.channel.write(h.alloc.copyOf(ascii("250 two\r\n"), 0, 9));
      h.decoder.request();
      h.channel.write(h.alloc.copyOf(ascii("221 bye\r\n"), 0, 9));
      assertThat(h.channel.outboundMessages()).isEmpty();
      h.decoder.request(); // nothing left: the three replies go out together
      assertThat(h.channel.outboundMessages()).hasSize(3);
    }
  }

  @Test
  void partialLineFlushesPendingReplies() {
    try (DecoderHarness h = DecoderHarness.greeted(LIMIT, false)) {
      h.autoRequest = false;
      h.feed("NOOP\r\nRS");
      h.channel.write(h.alloc.copyOf(ascii("250 ok\r\n"), 0, 8));
      h.decoder.request();
      assertThat(h.channel.outboundMessages()).hasSize(1);
      assertThat(h.events()).containsExactly("LINE NOOP");
    }
  }

  @Test
  void readingPausesWhileTooMuchIsBufferedAndResumesWhenUsedUp() {
    try (DecoderHarness h = new DecoderHarness(LIMIT, false, LIMIT)) {
      h.decoder.greetingSent();
      h.decoder.request();
      h.autoRequest = false;
      h.feed("NOOP\r\n".repeat(20));
      assertThat(h.channel.config().isAutoRead()).isFalse();
      for (int i = 0; i < 19; i++) {
        h.decoder.request();
      }
      assertThat(h.events()).hasSize(20);
      h.decoder.request();
      assertThat(h.channel.config().isAutoRead()).isTrue();
    }
  }

  @Test
  void discardBufferedDropsPipelinedInput() {
    try (DecoderHarness h = DecoderHarness.greeted(LIMIT, false)) {
      h.autoRequest = false;
      h.feed("STARTTLS\r\nMAIL FROM:<evil@x>\r\nRC");
      assertThat(h.events()).containsExactly("LINE STARTTLS");
      h.decoder.discardBuffered();
      assertThat(h.decoder.bufferedBytes()).isZero();
      h.decoder.request();
      h.feed("EHLO again\r\n");
      assertThat(h.events()).containsExactly("LINE STARTTLS", "LINE EHLO again");
    }
  }

  @Test
  void inputBeforeTheGreetingIsReportedOnceAndDropped() {
    try (DecoderHarness h = new DecoderHarness(LIMIT, false, 1024)) {
      h.feed("EHLO early\r\n");
      h.feed("MAIL FROM:<a@b>\r\n");
      assertThat(h.events()).containsExactly("EARLY");
      assertThat(h.decoder.bufferedBytes()).isZero();
      assertThat(h.decoder.mode()).isEqualTo(SmtpServerDecoder.Mode.GREETING);
    }
  }

  @Test
  void stoppedDecoderDropsEverything() {
    try (DecoderHarness h = DecoderHarness.greeted(LIMIT, false)) {
      h.autoRequest = false;
      h.feed("NOOP\r\nRSET\r\n");
      h.decoder.stop();
      h.decoder.request();
      h.feed("QUIT\r\n");
      assertThat(h.events()).containsExactly("LINE NOOP");
      assertThat(h.decoder.bufferedBytes()).isZero();
    }
  }

  @Test
  void closingTheChannelReleasesBufferedInput() {
    DecoderHarness h = DecoderHarness.greeted(LIMIT, false);
    h.autoRequest = false;
    h.feed("NOOP\r\nRSET\r\nQUI");
    assertThat(h.decoder.bufferedBytes()).isPositive();
    h.close(); // asserts that every buffer was released
    assertThat(h.events()).isEqualTo(List.of("LINE NOOP"));
  }
}
