package io.smtpprotocol.protocol;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Assembles {@link Reply} values from the lines a server sends (RFC 5321 section 4.2): {@code
 * 250-first}, {@code 250-second}, {@code 250 last}. The enhanced status (RFC 2034) is split out
 * when every line carries the same one and its class matches the code.
 *
 * <p>One parser per connection; not thread-safe. Bad input becomes a {@link Step.Malformed} value,
 * after which the parser is reset.
 */
public final class ReplyParser {

  /** What one line did. */
  public sealed interface Step {
    /** The reply goes on: more lines are needed. */
    record More() implements Step {}

    /** The reply is complete. */
    record Done(Reply reply) implements Step {}

    /** The line is not a valid reply line, or the reply is too long. */
    record Malformed(String reason) implements Step {}
  }

  private static final Step MORE = new Step.More();

  private final int maxLines;
  private final List<String> lines = new ArrayList<>();
  private int code = -1;

  /**
   * @param maxLines the most lines one reply may have
   */
  public ReplyParser(int maxLines) {
    if (maxLines < 1) {
      throw new IllegalArgumentException("maxLines must be positive: " + maxLines);
    }
    this.maxLines = maxLines;
  }

  /** Whether part of a multi-line reply has been read. */
  public boolean inReply() {
    return code >= 0;
  }

  /** Feeds one line, without its line ending. */
  public Step line(CharSequence line) {
    int n = line.length();
    if (n < 3
        || !digit(line.charAt(0), '2', '5')
        || !digit(line.charAt(1), '0', '9')
        || !digit(line.charAt(2), '0', '9')) {
      return malformed("reply line does not start with a code 200..599: " + printable(line));
    }
    int lineCode =
        (line.charAt(0) - '0') * 100 + (line.charAt(1) - '0') * 10 + (line.charAt(2) - '0');
    boolean last;
    if (n == 3) {
      last = true;
    } else if (line.charAt(3) == ' ') {
      last = true;
    } else if (line.charAt(3) == '-') {
      last = false;
    } else {
      return malformed("reply code not followed by space or hyphen: " + printable(line));
    }
    for (int i = 0; i < n; i++) {
      char c = line.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        return malformed("reply line holds CR, LF or NUL");
      }
    }
    if (code >= 0 && lineCode != code) {
      return malformed("reply code changes within a reply: " + code + " then " + lineCode);
    }
    code = lineCode;
    lines.add(n <= 4 ? "" : line.subSequence(4, n).toString());
    if (!last) {
      if (lines.size() >= maxLines) {
        return malformed("reply longer than " + maxLines + " lines");
      }
      return MORE;
    }
    Reply reply = build(code, lines);
    reset();
    return new Step.Done(reply);
  }

  /** Forgets a partly read reply. */
  public void reset() {
    code = -1;
    lines.clear();
  }

  private Step malformed(String reason) {
    reset();
    return new Step.Malformed(reason);
  }

  private static Reply build(int code, List<String> texts) {
    EnhancedStatus status = commonStatus(code, texts);
    if (status == null) {
      return new Reply(code, null, texts);
    }
    List<String> stripped = new ArrayList<>(texts.size());
    for (String text : texts) {
      int sp = text.indexOf(' ');
      stripped.add(sp < 0 ? "" : text.substring(sp + 1));
    }
    return new Reply(code, status, stripped);
  }

  /** The enhanced status every line starts with, if they all carry the same one. */
  private static @Nullable EnhancedStatus commonStatus(int code, List<String> texts) {
    String first = null;
    for (String text : texts) {
      int sp = text.indexOf(' ');
      String token = sp < 0 ? text : text.substring(0, sp);
      if (first == null) {
        first = token;
      } else if (!first.equals(token)) {
        return null;
      }
    }
    if (first == null || first.isEmpty() || first.charAt(0) - '0' != code / 100) {
      return null;
    }
    return status(first);
  }

  /**
   * {@code class.subject.detail} with 1 to 3 digits each, or null (without regular expressions).
   */
  private static @Nullable EnhancedStatus status(String token) {
    int[] parts = new int[3];
    int part = 0;
    int digits = 0;
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c >= '0' && c <= '9') {
        if (++digits > 3) {
          return null;
        }
        parts[part] = parts[part] * 10 + (c - '0');
      } else if (c == '.' && digits > 0 && part < 2) {
        part++;
        digits = 0;
      } else {
        return null;
      }
    }
    if (part != 2 || digits == 0) {
      return null;
    }
    try {
      return new EnhancedStatus(parts[0], parts[1], parts[2]);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static boolean digit(char c, char low, char high) {
    return c >= low && c <= high;
  }

  private static String printable(CharSequence line) {
    StringBuilder sb = new StringBuilder(Math.min(line.length(), 64));
    for (int i = 0; i < line.length() && i < 64; i++) {
      char c = line.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return sb.toString();
  }
}
