package io.smtpprotocol.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MessageEncoderTests {

  /** Encodes with a stream that hands out {@code step} octets per read: chunks split anywhere. */
  private static String encode(String in, boolean stuffing, int step) throws IOException {
    InputStream source =
        new FilterInputStream(new ByteArrayInputStream(in.getBytes(StandardCharsets.ISO_8859_1))) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, step));
          }
        };
    MessageEncoder encoder = new MessageEncoder(source, stuffing);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (!encoder.isEndOfInput()) {
      ByteBuf chunk = encoder.readChunk(UnpooledByteBufAllocator.DEFAULT);
      try {
        chunk.readBytes(out, chunk.readableBytes());
      } finally {
        chunk.release();
      }
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "a\\r\\nb\\r\\n|a\\r\\nb\\r\\n.\\r\\n",
        "a\\nb|a\\r\\nb\\r\\n.\\r\\n",
        "a\\rb\\r|a\\r\\nb\\r\\n.\\r\\n",
        "a\\r\\r\\nb|a\\r\\n\\r\\nb\\r\\n.\\r\\n",
        ".a\\r\\n..b\\r\\n.|..a\\r\\n...b\\r\\n..\\r\\n.\\r\\n",
        "x\\r\\n.\\r\\ny|x\\r\\n..\\r\\ny\\r\\n.\\r\\n",
        "x\\n.\\ny|x\\r\\n..\\r\\ny\\r\\n.\\r\\n",
        "a.b\\r\\n|a.b\\r\\n.\\r\\n",
        "'' |.\\r\\n",
      })
  void dotStuffingAndLineEndingsWhereverChunksSplit(String input, String expected) throws IOException {
    String in = unescape(input.strip());
    String want = unescape(expected);
    for (int step = 1; step <= 4; step++) {
      assertThat(encode(in, true, step)).as("chunks of %d", step).isEqualTo(want);
    }
    assertThat(encode(in, true, 1 << 16)).isEqualTo(want);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {"a\\nb|a\\r\\nb\\r\\n", ".a\\n|.a\\r\\n", "x\\r\\n|x\\r\\n"})
  void chunkingNormalisesLineEndingsWithoutStuffing(String input, String expected) throws IOException {
    for (int step = 1; step <= 3; step++) {
      assertThat(encode(unescape(input), false, step)).isEqualTo(unescape(expected));
    }
  }

  /** The rules written the plain way, byte by byte, to check the encoder against. */
  private static String reference(String in, boolean stuffing) {
    StringBuilder out = new StringBuilder();
    boolean lineStart = true;
    for (int i = 0; i < in.length(); i++) {
      char c = in.charAt(i);
      if (c == '\r' || c == '\n') {
        out.append("\r\n");
        lineStart = true;
        if (c == '\r' && i + 1 < in.length() && in.charAt(i + 1) == '\n') {
          i++;
        }
        continue;
      }
      if (lineStart && c == '.' && stuffing) {
        out.append('.');
      }
      out.append(c);
      lineStart = false;
    }
    if (!lineStart) {
      out.append("\r\n");
    }
    return stuffing ? out.append(".\r\n").toString() : out.toString();
  }

  @org.junit.jupiter.api.Test
  void randomMessagesMatchTheByteByByteRulesWhereverWordsAndChunksSplit() throws IOException {
    // line breaks at every offset inside 8-octet words, octets that differ from CR and LF in one
    // bit, and 8-bit octets, which a word-at-a-time search must not take for line breaks
    char[] alphabet = {'a', 'b', '.', '\r', '\n', '\u008d', '\u008a', '\u000c', '\u000e', '\u00ff', ' '};
    java.util.Random random = new java.util.Random(20261206L);
    for (int round = 0; round < 2_000; round++) {
      int length = random.nextInt(300);
      StringBuilder sb = new StringBuilder(length);
      for (int i = 0; i < length; i++) {
        // long runs without breaks now and then, so that whole words are skipped
        sb.append(random.nextInt(4) == 0 ? alphabet[random.nextInt(alphabet.length)] : 'x');
      }
      String in = sb.toString();
      boolean stuffing = random.nextBoolean();
      int step = 1 + random.nextInt(40);
      assertThat(encode(in, stuffing, step)).as("round %d, chunks of %d", round, step).isEqualTo(reference(in, stuffing));
    }
  }

  private static String unescape(String s) {
    return s.equals("''") ? "" : s.replace("\\r", "\r").replace("\\n", "\n");
  }
}
