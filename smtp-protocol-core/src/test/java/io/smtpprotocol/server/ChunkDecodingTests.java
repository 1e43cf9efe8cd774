package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChunkDecodingTests {

  private static final int LIMIT = 64;

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void chunkOctetsArePassedOnExactlyAsSent() {
    // no dot-unstuffing, no line-ending rules, no terminator: just 14 octets
    String chunk = "a\r\n.\r\n\n\r..x\r\nQ";
    byte[] input = ascii("BDAT 14\r\n" + chunk + "BDAT 0 LAST\r\nNOOP\r\n");
    Splits.forEach(
        () -> DecoderHarness.greeted(LIMIT, false),
        input,
        (h, cuts) ->
            assertThat(h.events())
                .as(cuts)
                .containsExactly(
                    "LINE BDAT 14",
                    "CONTENT " + chunk,
                    "CHUNK 14",
                    "LINE BDAT 0 LAST",
                    "CHUNK 0",
                    "LINE NOOP"));
  }

  @Test
  void commandTextInsideAChunkIsContent() {
    byte[] input = ascii("BDAT 6\r\nQUIT\r\nBDAT 5 LAST\r\nRSET\r\nNOOP\r\n");
    Splits.forEach(
        () -> DecoderHarness.greeted(LIMIT, false),
        input,
        (h, cuts) ->
            assertThat(h.events())
                .as(cuts)
                .containsExactly(
                    "LINE BDAT 6",
                    "CONTENT QUIT\r\n",
                    "CHUNK 6",
                    "LINE BDAT 5 LAST",
                    "CONTENT RSET\r",
                    "CHUNK 5",
                    "BAD 500 5.5.2",
                    "LINE NOOP"));
  }

  @Test
  void discardedChunkIsReadAndDroppedSoTheInputStaysInStep() {
    byte[] input = ascii("BDAT 12\r\nMAIL FROM:<>BDAT 0\r\nNOOP\r\n");
    Splits.forEach(
        () -> {
          DecoderHarness h = DecoderHarness.greeted(LIMIT, false);
          h.discardChunks = true;
          return h;
        },
        input,
        (h, cuts) ->
            assertThat(h.events())
                .as(cuts)
                .containsExactly(
                    "LINE BDAT 12", "CHUNK 12", "LINE BDAT 0", "CHUNK 0", "LINE NOOP"));
  }

  @Test
  void chunkLargerThanTheBufferArrivesWhole() {
    byte[] body = new byte[200_000];
    for (int i = 0; i < body.length; i++) {
      body[i] = (byte) i;
    }
    try (DecoderHarness h = new DecoderHarness(LIMIT, false, 4096)) {
      h.decoder.greetingSent();
      h.decoder.request();
      h.suspendOnContent = true;
      h.feed("BDAT " + body.length + " LAST\r\n");
      int requests = 0;
      for (int i = 0; i < body.length; i += 3000) {
        h.feed(body, i, Math.min(body.length, i + 3000));
        assertThat(h.decoder.bufferedBytes()).isLessThanOrEqualTo(4096 + 3000);
        if (h.decoder.bufferedBytes() > 4096) {
          assertThat(h.channel.config().isAutoRead()).isFalse();
        }
        h.decoder.request();
        requests++;
      }
      h.feed("NOOP\r\n");
      while (h.decoder.mode() == SmtpServerDecoder.Mode.CHUNK && requests < 1000) {
        h.decoder.request();
        requests++;
      }
      assertThat(h.contentBytes()).isEqualTo(body);
      assertThat(h.events()).endsWith("CHUNK " + body.length, "LINE NOOP");
    }
  }

  @Test
  void chunkEndWaitsForDemand() {
    try (DecoderHarness h = DecoderHarness.greeted(LIMIT, false)) {
      h.autoRequest = false;
      h.feed("BDAT 3 LAST\r\nabcNOOP\r\n");
      assertThat(h.events()).containsExactly("LINE BDAT 3 LAST");
      h.decoder.request();
      assertThat(h.events()).containsExactly("LINE BDAT 3 LAST", "CONTENT abc", "CHUNK 3");
      assertThat(h.decoder.bufferedBytes()).isEqualTo(6);
      h.decoder.request();
      assertThat(h.events()).endsWith("LINE NOOP");
    }
  }
}
