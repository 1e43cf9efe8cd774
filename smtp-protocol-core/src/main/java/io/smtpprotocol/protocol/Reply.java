package io.smtpprotocol.protocol;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An SMTP reply: a three-digit code, an optional RFC 3463 enhanced status, and one or more lines of
 * text.
 *
 * <p>On the wire every line carries the code, and the enhanced status when there is one; all but
 * the last line use {@code -} after the code (RFC 5321 section 4.2.1).
 *
 * @param code the reply code, 200 to 599
 * @param status the enhanced status code, or {@code null} for replies that carry none (the
 *     greeting, the answer to HELO/EHLO, 3xx replies)
 * @param lines the text lines, at least one (it may be empty)
 */
public record Reply(int code, @Nullable EnhancedStatus status, List<String> lines) {

  public Reply {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("code must be 200..599: " + code);
    }
    lines = List.copyOf(lines);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("lines must not be empty");
    }
    for (String line : lines) {
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (c == '\r' || c == '\n') {
          throw new IllegalArgumentException("lines must not contain CR or LF: " + line);
        }
      }
    }
    if (status != null && status.statusClass() != code / 100) {
      throw new IllegalArgumentException(
          "enhanced status class " + status.statusClass() + " does not match code " + code);
    }
  }

  /** A single-line reply with an enhanced status such as {@code "2.1.0"}. */
  public static Reply of(int code, String enhancedStatus, String text) {
    return new Reply(code, EnhancedStatus.parse(enhancedStatus), List.of(text));
  }

  /** A single-line reply without an enhanced status. */
  public static Reply of(int code, String text) {
    return new Reply(code, null, List.of(text));
  }

  /** A reply without an enhanced status and with several lines. */
  public static Reply multiline(int code, List<String> lines) {
    return new Reply(code, null, lines);
  }

  /** Whether this is a 2xx or 3xx reply. */
  public boolean isPositive() {
    return code < 400;
  }

  /** Whether this is a 4xx reply. */
  public boolean isTransient() {
    return code >= 400 && code < 500;
  }

  /** Whether this is a 5xx reply. */
  public boolean isPermanent() {
    return code >= 500;
  }

  /** The lines joined by a space, without codes. */
  public String text() {
    return String.join(" ", lines);
  }

  /** This reply with another text, keeping the code and enhanced status. */
  public Reply withText(String text) {
    return new Reply(code, status, List.of(text));
  }

  /** The reply as sent on the wire, with CRLF after every line. */
  public String toWire() {
    StringBuilder sb = new StringBuilder(32 * lines.size());
    for (int i = 0; i < lines.size(); i++) {
      sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
      if (status != null) {
        sb.append(status).append(' ');
      }
      sb.append(lines.get(i)).append("\r\n");
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    String wire = toWire();
    return wire.substring(0, wire.length() - 2).replace("\r\n", " | ");
  }
}
