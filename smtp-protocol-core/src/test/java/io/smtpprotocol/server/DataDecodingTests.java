package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DataDecodingTests {

  private static final int LIMIT = 64;

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static DecoderHarness harness(boolean lenient, long maxDataSize) {
    DecoderHarness h = DecoderHarness.greeted(LIMIT, lenient);
    h.maxDataSize = maxDataSize;
    return h;
  }

  private static List<String> withoutContent(List<String> events) {
    return events.stream().filter(e -> !e.startsWith("CONTENT ")).toList();
  }

  // ------------------------------------------------------------ dot-unstuffing

  static Stream<Arguments> unstuffing() {
    return Stream.of(
        Arguments.of("", ""),
        Arguments.of("a\r\n", "a\r\n"),
        Arguments.of("..\r\n", ".\r\n"),
        Arguments.of("...\r\n", "..\r\n"),
        Arguments.of("..a\r\n", ".a\r\n"),
        Arguments.of(".a\r\n", "a\r\n"),
        Arguments.of("a\r\n..\r\nb\r\n", "a\r\n.\r\nb\r\n"),
        Arguments.of("a.\r\n", "a.\r\n"),
        Arguments.of("a\r\n .\r\n", "a\r\n .\r\n"),
        Arguments.of("Subject: hi\r\n\r\n..dot\r\nend\r\n", "Subject: hi\r\n\r\n.dot\r\nend\r\n"),
        Arguments.of("\r\n\r\n", "\r\n\r\n"),
        Arguments.of("x\r\n.\r\r\n", null), // strict: bare CR after a dot
        Arguments.of("8bit \u00e9\u00ff\u0000\r\n", "8bit \u00e9\u00ff\u0000\r\n"));
  }

  @ParameterizedTest
  @MethodSource
  void unstuffing(String wire, String content) {
    byte[] input = ascii("DATA\r\n" + wire + ".\r\nNOOP\r\n");
    Splits.forEach(
        () -> harness(false, Long.MAX_VALUE),
        input,
        (h, cuts) -> {
          if (content == null) {
            assertThat(withoutContent(h.events()))
                .as(cuts)
                .containsExactly(
                    "LINE DATA", "PROBLEM BARE_LINE_ENDING", "END BARE_LINE_ENDING", "LINE NOOP");
          } else if (content.isEmpty()) {
            assertThat(h.events())
                .as(cuts)
                .containsExactly("LINE DATA", "END COMPLETE 0", "LINE NOOP");
          } else {
            assertThat(h.events())
                .as(cuts)
                .containsExactly(
                    "LINE DATA",
                    "CONTENT " + content,
                    "END COMPLETE " + content.length(),
                    "LINE NOOP");
          }
        });
  }

  @Test
  void onlyTheExactTerminatorEndsTheData() {
    String body = "a\r\n.x\r\n. \r\n..\r\n.\rz\r\n";
    String content = "a\r\nx\r\n \r\n.\r\n\rz\r\n";
    byte[] input = ascii("DATA\r\n" + body + ".\r\nNOOP\r\n");
    Splits.forEach(
        () -> harness(true, Long.MAX_VALUE),
        input,
        (h, cuts) ->
            assertThat(h.events())
                .as(cuts)
                .containsExactly(
                    "LINE DATA",
                    "CONTENT " + content,
                    "END COMPLETE " + content.length(),
                    "LINE NOOP"));
  }

  // ------------------------------------------------------------ smuggling

  private static final String HEAD = "Subject: x\r\n\r\nbody";
  private static final String INJECTED =
      "MAIL FROM:<evil@x>\r\nRCPT TO:<victim@y>\r\nDATA\r\nevil\r\n";

  /** Each smuggling variant, and what lenient mode passes through in its place. */
  static Stream<Arguments> smuggling() {
    return Stream.of(
        Arguments.of("\\n.\\n", "\n.\n", "\n.\n"),
        Arguments.of("\\n.\\r\\n", "\n.\r\n", "\n.\r\n"),
        Arguments.of("\\r.\\r\\n", "\r.\r\n", "\r.\r\n"),
        Arguments.of("\\r\\n.\\r", "\r\n.\r", "\r\n\r"),
        Arguments.of("\\r\\n.\\n", "\r\n.\n", "\r\n\n"),
        Arguments.of("\\r", "\r", "\r"),
        Arguments.of("\\n", "\n", "\n"));
  }

  private static byte[] smuggled(String variant) {
    return ascii("DATA\r\n" + HEAD + variant + INJECTED + ".\r\nNOOP\r\n");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("smuggling")
  void smugglingVariantMakesTheContentBadWhenStrict(String name, String variant, String passed) {
    Splits.forEach(
        () -> harness(false, Long.MAX_VALUE),
        smuggled(variant),
        (h, cuts) -> {
          assertThat(withoutContent(h.events()))
              .as(cuts)
              .containsExactly(
                  "LINE DATA", "PROBLEM BARE_LINE_ENDING", "END BARE_LINE_ENDING", "LINE NOOP");
          // what came through before the problem showed stops at the smuggled line ending
          String got = new String(h.contentBytes(), StandardCharsets.ISO_8859_1);
          assertThat(HEAD + passed).as(cuts).startsWith(got);
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("smuggling")
  void smugglingVariantIsJustDataWhenLenient(String name, String variant, String passed) {
    String content = HEAD + passed + INJECTED;
    Splits.forEach(
        () -> harness(true, Long.MAX_VALUE),
        smuggled(variant),
        (h, cuts) ->
            assertThat(h.events())
                .as(cuts)
                .containsExactly(
                    "LINE DATA",
                    "CONTENT " + content,
                    "END COMPLETE " + content.length(),
                    "LINE NOOP"));
  }

  @Test
  void dataWithoutTheExactTerminatorNeverEnds() {
    byte[] input = ascii("DATA\r\nx\n.\nMAIL FROM:<a@b>\r\n\r.\r\n\n.\r\nQUIT\r\n");
    for (boolean lenient : new boolean[] {false, true}) {
      Splits.forEach(
          () -> harness(lenient, Long.MAX_VALUE),
          input,
          (h, cuts) -> {
            assertThat(h.events())
                .as(cuts)
                .noneMatch(
                    e -> e.startsWith("END") || e.startsWith("LINE ") && !e.equals("LINE DATA"));
            assertThat(h.decoder.mode()).isEqualTo(SmtpServerDecoder.Mode.DATA);
          });
    }
  }

  // ------------------------------------------------------------ size

  @Test
  void contentOfExactlyTheLimitIsComplete() {
    byte[] input = ascii("DATA\r\n0123456\r\n..\r\n.\r\nNOOP\r\n"); // 9 + 3 octets after unstuffing
    Splits.forEach(
        () -> harness(false, 12),
        input,
        (h, cuts) ->
            assertThat(h.events())
                .as(cuts)
                .containsExactly(
                    "LINE DATA", "CONTENT 0123456\r\n.\r\n", "END COMPLETE 12", "LINE NOOP"));
  }

  @Test
  void contentBeyondTheLimitIsCutOffButStillReadToTheTerminator() {
    byte[] input = ascii("DATA\r\n0123456\r\n..x\r\n.\r\nNOOP\r\n"); // 13 octets after unstuffing
    Splits.forEach(
        () -> harness(false, 12),
        input,
        (h, cuts) -> {
          assertThat(withoutContent(h.events()))
              .as(cuts)
              .containsExactly("LINE DATA", "PROBLEM TOO_LARGE", "END TOO_LARGE", "LINE NOOP");
          assertThat(h.contentBytes().length).as(cuts).isLessThanOrEqualTo(12);
        });
  }

  private static List<String> feedInSevens(byte[] wire, long limit, StringBuilder content) {
    try (DecoderHarness h = harness(false, limit)) {
      for (int i = 0; i < wire.length; i += 7) {
        h.feed(wire, i, Math.min(wire.length, i + 7));
      }
      content.append(new String(h.contentBytes(), StandardCharsets.ISO_8859_1));
      return withoutContent(h.events());
    }
  }

  @Test
  void sizeIsCountedAcrossManySmallReads() {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      body.append("line ").append(i).append("\r\n");
    }
    byte[] wire = ascii("DATA\r\n" + body + ".\r\nNOOP\r\n");
    StringBuilder content = new StringBuilder();
    assertThat(feedInSevens(wire, body.length(), content))
        .containsExactly("LINE DATA", "END COMPLETE " + body.length(), "LINE NOOP");
    assertThat(content.toString()).isEqualTo(body.toString());
    content.setLength(0);
    assertThat(feedInSevens(wire, body.length() - 1, content))
        .containsExactly("LINE DATA", "PROBLEM TOO_LARGE", "END TOO_LARGE", "LINE NOOP");
    assertThat(content.length()).isLessThan(body.length());
  }

  // ------------------------------------------------------------ demand and buffering

  @Test
  void pipelinedCommandsAfterTheDataStayBufferedUntilRequested() {
    try (DecoderHarness h = harness(false, Long.MAX_VALUE)) {
      h.autoRequest = false;
      h.feed("DATA\r\nhello\r\n.\r\nRSET\r\nQUIT\r\n");
      assertThat(h.events()).containsExactly("LINE DATA");
      h.decoder.request(); // the session sent 354
      assertThat(h.events()).containsExactly("LINE DATA", "CONTENT hello\r\n", "END COMPLETE 7");
      assertThat(h.decoder.mode()).isEqualTo(SmtpServerDecoder.Mode.COMMAND);
      assertThat(h.decoder.bufferedBytes()).isEqualTo("RSET\r\nQUIT\r\n".length());
      h.decoder.request(); // the final reply was sent
      assertThat(h.events()).endsWith("LINE RSET");
    }
  }

  @Test
  void suspendedContentWaitsAndArrivesIntact() {
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      body.append(i % 10 == 0 ? ".." : "").append("line ").append(i).append("\r\n");
    }
    byte[] wire = ascii("DATA\r\n" + body + ".\r\nNOOP\r\n");
    try (DecoderHarness h = new DecoderHarness(LIMIT, false, 1024)) {
      h.decoder.greetingSent();
      h.decoder.request();
      h.suspendOnContent = true;
      int requests = 0;
      for (int i = 0; i < wire.length; i += 300) {
        h.feed(wire, i, Math.min(wire.length, i + 300));
        while (h.decoder.bufferedBytes() > 1024 && requests < 10_000) {
          assertThat(h.channel.config().isAutoRead()).isFalse();
          h.decoder.request();
          requests++;
        }
      }
      while (h.decoder.mode() == SmtpServerDecoder.Mode.DATA && requests < 10_000) {
        h.decoder.request();
        requests++;
      }
      String expected = body.toString().replace("\r\n..", "\r\n.");
      expected = expected.startsWith("..") ? expected.substring(1) : expected;
      assertThat(new String(h.contentBytes(), StandardCharsets.ISO_8859_1)).isEqualTo(expected);
      assertThat(h.events()).contains("END COMPLETE " + expected.length(), "LINE NOOP");
      assertThat(h.channel.config().isAutoRead()).isTrue();
    }
  }

  @Test
  void contentIsPassedOnWithoutCopying() {
    try (DecoderHarness h = harness(false, Long.MAX_VALUE)) {
      h.feed("DATA\r\n");
      int before = h.alloc.allocations();
      h.feed("x".repeat(4000) + "\r\n");
      h.feed("y".repeat(4000) + "\r\n.\r\n");
      // only the two input buffers: content slices share them
      assertThat(h.alloc.allocations() - before).isEqualTo(2);
      assertThat(h.largestSlice).isGreaterThanOrEqualTo(4000);
    }
  }
}
