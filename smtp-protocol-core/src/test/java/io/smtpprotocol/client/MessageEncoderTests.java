package io.smtpprotocol.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

  /**
   * Encodes {@code in} from a stream that hands out {@code step} octets per read, and from memory
   * in chunks of {@code step} octets (chunks split anywhere), checks that both agree (and with the
   * one-buffer encoding of DATA), and returns what they make.
   */
  private static String encode(String in, boolean stuffing, int step) throws IOException {
    String fromStream = encodeStream(in, stuffing, step);
    byte[] bytes = in.getBytes(StandardCharsets.ISO_8859_1);
    assertThat(read(new MessageEncoder(bytes, stuffing, step)))
        .as("from memory in chunks of %d", step)
        .isEqualTo(fromStream);
    if (stuffing) {
      ByteBuf whole = MessageEncoder.encode(bytes, UnpooledByteBufAllocator.DEFAULT);
      try {
        assertThat(whole.toString(StandardCharsets.ISO_8859_1))
            .as("in one buffer")
            .isEqualTo(fromStream);
      } finally {
        whole.release();
      }
    }
    return fromStream;
  }

  private static String encodeStream(String in, boolean stuffing, int step) throws IOException {
    InputStream source =
        new FilterInputStream(new ByteArrayInputStream(in.getBytes(StandardCharsets.ISO_8859_1))) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, step));
          }
        };
    return read(new MessageEncoder(source, stuffing));
  }

  private static String read(MessageEncoder encoder) throws IOException {
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
        "\\r|\\r\\n.\\r\\n",
        "\\n|\\r\\n.\\r\\n",
        ".\\r\\n|..\\r\\n.\\r\\n",
        "a\\r\\n\\r\\n.b|a\\r\\n\\r\\n..b\\r\\n.\\r\\n",
        "a\\r\\n\\n.b\\r|a\\r\\n\\r\\n..b\\r\\n.\\r\\n",
        "a\tb\\r\\n\u000c.c|a\tb\\r\\n\u000c.c\\r\\n.\\r\\n",
      })
  void dotStuffingAndLineEndingsWhereverChunksSplit(String input, String expected)
      throws IOException {
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
  void chunkingNormalisesLineEndingsWithoutStuffing(String input, String expected)
      throws IOException {
    for (int step = 1; step <= 3; step++) {
      assertThat(encode(unescape(input), false, step)).isEqualTo(unescape(expected));
    }
  }

  /** Edges the encoder meets where one chunk ends and the next begins, with the chunk size. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // a CR ends a chunk, its LF starts the next
        "4|abc\\r\\ndef|abc\\r\\ndef\\r\\n.\\r\\n",
        // a bare CR ends a chunk
        "4|abc\\rdef|abc\\r\\ndef\\r\\n.\\r\\n",
        // a CR ends a chunk and the next starts with a dot after the LF
        "4|abc\\r\\n.de|abc\\r\\n..de\\r\\n.\\r\\n",
        // CRLF ends a chunk, the dot starts the next
        "5|abc\\r\\n.de|abc\\r\\n..de\\r\\n.\\r\\n",
        // every chunk starts with a dot
        "4|.ab\\n.cd\\n.ef\\n|..ab\\r\\n..cd\\r\\n..ef\\r\\n.\\r\\n",
        // a bare LF starts a chunk
        "3|abc\\ndef|abc\\r\\ndef\\r\\n.\\r\\n",
        // the last chunk ends without a line break, or with a bare CR
        "3|abc\\r\\nde|abc\\r\\nde\\r\\n.\\r\\n",
        "3|abc\\r\\nde\\r|abc\\r\\nde\\r\\n.\\r\\n",
      })
  void edgesAtChunkBoundaries(int chunk, String input, String expected) throws IOException {
    assertThat(encode(unescape(input), true, chunk)).isEqualTo(unescape(expected));
  }

  @org.junit.jupiter.api.Test
  void lineBreaksAndDotsAtEveryOffsetOfTheBlocksSearchedAtOnce() throws IOException {
    // the search looks at 32 octets, then 8, then one at a time: a break at each offset of each
    for (int k = 0; k <= 80; k++) {
      String x = "x".repeat(k);
      String tail = "y".repeat(40);
      for (int chunk : new int[] {7, 32, 33, MessageEncoder.CHUNK}) {
        assertThat(encode(x + "\r\n." + tail, true, chunk))
            .isEqualTo(x + "\r\n.." + tail + "\r\n.\r\n");
        assertThat(encode(x + "\n" + tail + "\r", true, chunk))
            .isEqualTo(x + "\r\n" + tail + "\r\n.\r\n");
        assertThat(encode(x + "\t\r\n" + tail, false, chunk))
            .isEqualTo(x + "\t\r\n" + tail + "\r\n");
      }
    }
  }

  @org.junit.jupiter.api.Test
  void linesLongerThan998OctetsPassUnchanged() throws IOException {
    // RFC 5321 4.5.3.1.6 limits lines to 998 octets; the encoder neither folds nor refuses longer
    // ones
    String line = "z".repeat(5_000);
    assertThat(encode(line + "\r\n." + line, true, 4096))
        .isEqualTo(line + "\r\n.." + line + "\r\n.\r\n");
  }

  @org.junit.jupiter.api.Test
  void aMessageInMemoryEndsInItsLastChunkAndAStreamInAChunkOfItsOwn() throws IOException {
    byte[] bytes = "ab\r\ncd".getBytes(StandardCharsets.US_ASCII);
    MessageEncoder fromMemory = new MessageEncoder(bytes, true, 4);
    assertThat(chunk(fromMemory)).isEqualTo("ab\r\n");
    assertThat(fromMemory.isEndOfInput()).isFalse();
    assertThat(chunk(fromMemory)).isEqualTo("cd\r\n.\r\n");
    assertThat(fromMemory.isEndOfInput()).isTrue();
    assertThat(fromMemory.progress()).isEqualTo(bytes.length);
    assertThatThrownBy(() -> fromMemory.readChunk(UnpooledByteBufAllocator.DEFAULT))
        .isInstanceOf(IllegalStateException.class);

    MessageEncoder fromStream = new MessageEncoder(new ByteArrayInputStream(bytes), true);
    assertThat(chunk(fromStream)).isEqualTo("ab\r\ncd");
    assertThat(fromStream.isEndOfInput()).isFalse();
    assertThat(chunk(fromStream)).isEqualTo("\r\n.\r\n");
    assertThat(fromStream.isEndOfInput()).isTrue();

    MessageEncoder empty = new MessageEncoder(new byte[0], true);
    assertThat(chunk(empty)).isEqualTo(".\r\n");
    assertThat(empty.isEndOfInput()).isTrue();
  }

  private static String chunk(MessageEncoder encoder) throws IOException {
    ByteBuf chunk = encoder.readChunk(UnpooledByteBufAllocator.DEFAULT);
    try {
      return chunk.toString(StandardCharsets.ISO_8859_1);
    } finally {
      chunk.release();
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
    char[] alphabet = {
      'a', 'b', '.', '\r', '\n', '\u008d', '\u008a', '\u000c', '\u000e', '\u00ff', ' '
    };
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
      assertThat(encode(in, stuffing, step))
          .as("round %d, chunks of %d", round, step)
          .isEqualTo(reference(in, stuffing));
    }
  }

  private static String unescape(String s) {
    return s.equals("''") ? "" : s.replace("\\r", "\r").replace("\\n", "\n");
  }
}
