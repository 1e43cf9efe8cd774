package io.smtpprotocol.demo.maildir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LineEndingTests {

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] restore(byte[] stored) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = LfToCrlf.transfer(new ByteArrayInputStream(stored), out);
    assertThat(n).isEqualTo(out.size());
    return out.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Subject: a\r\n\r\nbody\r\n",
        "line\r\n.dot\r\n\r\n\r\n",
        "bare\rcr\r\r\nmore\r",
        "\r\r\r\n\r",
        "no final line break",
        "\u00e9t\u00e9 8-bit \u00ff\u0080\r\n",
        ""
      })
  void crlfMessagesRoundTripAtEverySplit(String message) throws IOException {
    byte[] input = bytes(message);
    for (int split = 0; split <= input.length; split++) {
      byte[] stored = convertInTwo(input, split);
      int crlfs = message.split("\r\n", -1).length - 1;
      assertThat(stored).hasSize(input.length - crlfs);
      assertThat(restore(stored)).as("split at %d", split).isEqualTo(input);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\nb", "\n", "a\r\nb\nc", "\r\n\n", "\r\r\n\n"})
  void bareLfIsDetectedAtEverySplit(String message) {
    byte[] input = bytes(message);
    for (int split = 0; split <= input.length; split++) {
      assertThat(sawBareLf(input, split)).as("split at %d", split).isTrue();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\r\nb", "\r\n", "x\r", "\r\r\n", "no line break"})
  void crBeforeLfInTheNextChunkIsNotBare(String message) {
    byte[] input = bytes(message);
    for (int split = 0; split <= input.length; split++) {
      assertThat(sawBareLf(input, split)).as("split at %d", split).isFalse();
    }
  }

  private static boolean sawBareLf(byte[] input, int split) {
    CrlfToLf converter = new CrlfToLf();
    byte[] out = new byte[input.length + 2];
    int n = converter.convert(input, 0, split, out, 0);
    converter.convert(input, split, input.length - split, out, n);
    return converter.sawBareLf();
  }

  private static byte[] convertInTwo(byte[] input, int split) {
    CrlfToLf converter = new CrlfToLf();
    ByteArrayOutputStream result = new ByteArrayOutputStream();
    byte[] out = new byte[input.length + 1];
    int n = converter.convert(input, 0, split, out, 0);
    result.write(out, 0, n);
    n = converter.convert(input, split, input.length - split, out, 0);
    result.write(out, 0, n);
    n = converter.finish(out, 0);
    result.write(out, 0, n);
    assertThat(converter.pendingCr()).isFalse();
    assertThat(converter.sawBareLf()).isFalse();
    return result.toByteArray();
  }
}
