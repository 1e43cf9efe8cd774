package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Fuzz targets for {@link SmtpServerDecoder}. The normal build replays the seeds in {@code
 * ServerDecoderFuzzTestsInputs}; {@code JAZZER_FUZZ=1 mvn test -Dtest=ServerDecoderFuzzTests#...}
 * fuzzes one target.
 *
 * <p>Each input is three control octets and a payload. The payload follows a DATA (or BDAT) line
 * and is fed in pieces of random size; the decoder must not throw, must release every buffer, and
 * must frame the payload as {@link ReferenceUnstuffing} does. What follows the end of the content
 * must give the same events as when fed alone in one piece.
 */
class ServerDecoderFuzzTests {

  private static final int LINE_LIMIT = 64;

  /** The control octets of an input. */
  private record Setup(boolean lenient, boolean suspend, int pieces, long maxDataSize) {
    static Setup of(byte[] input) {
      int flags = at(input, 0);
      int size = at(input, 2);
      return new Setup(
          (flags & 1) != 0, (flags & 2) != 0, at(input, 1), size == 0 ? Long.MAX_VALUE : size * 8L);
    }

    DecoderHarness harness() {
      DecoderHarness h = DecoderHarness.greeted(LINE_LIMIT, lenient);
      h.maxDataSize = maxDataSize;
      h.suspendOnContent = suspend;
      return h;
    }
  }

  private static int at(byte[] input, int i) {
    return i < input.length ? input[i] & 0xff : 0;
  }

  private static byte[] payload(byte[] input) {
    return input.length <= 3 ? new byte[0] : Arrays.copyOfRange(input, 3, input.length);
  }

  private static byte[] concat(String head, byte[] tail) {
    byte[] h = head.getBytes(StandardCharsets.ISO_8859_1);
    byte[] all = Arrays.copyOf(h, h.length + tail.length);
    System.arraycopy(tail, 0, all, h.length, tail.length);
    return all;
  }

  /** Feeds the input in pieces chosen by {@code seed} (0: in one piece), pumping after each. */
  private static List<String> run(Setup setup, byte[] wire, int seed) {
    try (DecoderHarness h = setup.harness()) {
      SplittableRandom random = new SplittableRandom(seed);
      int max = 1 + (seed & 63);
      int from = 0;
      while (from < wire.length) {
        int to = seed == 0 ? wire.length : Math.min(wire.length, from + 1 + random.nextInt(max));
        h.feed(wire, from, to);
        h.pump();
        from = to;
      }
      return h.events();
    }
  }

  /**
   * Leaves out what depends on where the input was cut once the content of a message turned bad:
   * how much content came through before, and which problem showed first when there are two.
   */
  private static List<String> normalized(List<String> events) {
    List<String> out = new ArrayList<>();
    for (String e : events) {
      if (e.startsWith("PROBLEM ")) {
        while (!out.isEmpty() && out.get(out.size() - 1).startsWith("CONTENT ")) {
          out.remove(out.size() - 1);
        }
        e = "PROBLEM";
      } else if (e.equals("END TOO_LARGE") || e.equals("END BARE_LINE_ENDING")) {
        e = "END BAD";
      }
      out.add(e);
    }
    return out;
  }

  private static String content(List<String> events) {
    StringBuilder sb = new StringBuilder();
    for (String e : events) {
      if (e.startsWith("CONTENT ")) {
        sb.append(e, 8, e.length());
      }
    }
    return sb.toString();
  }

  private static String latin1(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  @FuzzTest(maxDuration = "10m")
  void dataFraming(byte[] input) {
    Setup setup = Setup.of(input);
    byte[] payload = payload(input);
    List<String> events = run(setup, concat("DATA\r\n", payload), at(input, 1));
    assertThat(events).first().isEqualTo("LINE DATA");

    int end = -1;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).startsWith("END ")) {
        end = i;
        break;
      }
    }
    int k = ReferenceUnstuffing.terminator(payload, 0);
    List<String> data = events.subList(1, end < 0 ? events.size() : end);
    String got = content(data);
    assertThat(data).allMatch(e -> e.startsWith("CONTENT ") || e.startsWith("PROBLEM "));
    assertThat((long) got.length()).isLessThanOrEqualTo(setup.maxDataSize());

    if (k < 0) {
      // no terminator: the data has not ended, and what came through is unstuffed content
      assertThat(end).isEqualTo(-1);
      assertThat(latin1(ReferenceUnstuffing.unstuff(payload, 0, payload.length))).startsWith(got);
      return;
    }
    assertThat(end).as("the data ends at the first CRLF.CRLF").isPositive();
    String expected = latin1(ReferenceUnstuffing.unstuff(payload, 0, k));
    boolean bare = !setup.lenient() && ReferenceUnstuffing.hasBareLineEnding(payload, 0, k);
    boolean tooLarge = expected.length() > setup.maxDataSize();
    String status = events.get(end).substring(4);
    if (!bare && !tooLarge) {
      assertThat(status).isEqualTo("COMPLETE " + expected.length());
      assertThat(got).isEqualTo(expected);
      assertThat(data).noneMatch(e -> e.startsWith("PROBLEM "));
    } else {
      assertThat(expected).startsWith(got);
      List<String> allowed = new ArrayList<>();
      if (bare) {
        allowed.add("BARE_LINE_ENDING");
      }
      if (tooLarge) {
        allowed.add("TOO_LARGE");
      }
      assertThat(status).isIn(allowed);
      assertThat(data).contains("PROBLEM " + status);
    }

    // what follows the data is framed as if it came alone
    byte[] rest = Arrays.copyOfRange(payload, k + 3, payload.length);
    assertThat(normalized(events.subList(end + 1, events.size())))
        .isEqualTo(normalized(run(setup, rest, 0)));
  }

  @FuzzTest(maxDuration = "10m")
  void chunkFraming(byte[] input) {
    int size = at(input, 0) | (at(input, 2) & 3) << 8;
    boolean discard = (at(input, 2) & 4) != 0;
    Setup setup = new Setup((at(input, 2) & 8) != 0, (at(input, 2) & 16) != 0, 0, Long.MAX_VALUE);
    byte[] payload = payload(input);
    byte[] wire = concat("BDAT " + size + "\r\n", payload);
    List<String> events;
    try (DecoderHarness h = setup.harness()) {
      h.discardChunks = discard;
      SplittableRandom random = new SplittableRandom(at(input, 1));
      int from = 0;
      while (from < wire.length) {
        int to = Math.min(wire.length, from + 1 + random.nextInt(1 + at(input, 1) % 64));
        h.feed(wire, from, to);
        h.pump();
        from = to;
      }
      events = h.events();
    }
    assertThat(events).first().isEqualTo("LINE BDAT " + size);
    int n = Math.min(size, payload.length);
    List<String> expected = new ArrayList<>();
    expected.add("LINE BDAT " + size);
    if (!discard && n > 0) {
      expected.add("CONTENT " + latin1(Arrays.copyOf(payload, n)));
    }
    if (payload.length < size) {
      assertThat(events).isEqualTo(expected);
      return;
    }
    expected.add("CHUNK " + size);
    assertThat(events.subList(0, expected.size())).isEqualTo(expected);
    // the octets after the chunk are framed as if they came alone
    byte[] rest = Arrays.copyOfRange(payload, size, payload.length);
    List<String> alone;
    try (DecoderHarness h = setup.harness()) {
      h.discardChunks = discard;
      h.feed(rest);
      h.pump();
      alone = h.events();
    }
    assertThat(normalized(events.subList(expected.size(), events.size())))
        .isEqualTo(normalized(alone));
  }
}
