package io.smtpprotocol.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The ESMTP parameters of MAIL FROM or RCPT TO, such as {@code SIZE=1000 BODY=8BITMIME}.
 *
 * <p>Keywords are kept in upper case and in the order written; a keyword without a value maps to
 * the empty string.
 *
 * @param values keyword to value
 */
public record MailParameters(Map<String, String> values) {

  public static final MailParameters EMPTY = new MailParameters(Map.of());

  public MailParameters {
    Map<String, String> copy = new LinkedHashMap<>();
    values.forEach((k, v) -> copy.put(k.toUpperCase(Locale.ROOT), v));
    values = Collections.unmodifiableMap(copy);
  }

  /**
   * Parses the text after the path, for example {@code "SIZE=1000 BODY=8BITMIME"}.
   *
   * @return the parameters, or empty when the syntax is wrong or a keyword repeats
   */
  public static Optional<MailParameters> parse(String text) {
    Map<String, String> map = new LinkedHashMap<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && text.charAt(i) == ' ') {
        i++;
      }
      if (i >= n) {
        break;
      }
      int end = text.indexOf(' ', i);
      if (end < 0) {
        end = n;
      }
      String param = text.substring(i, end);
      i = end;
      int eq = param.indexOf('=');
      String keyword = eq < 0 ? param : param.substring(0, eq);
      String value = eq < 0 ? "" : param.substring(eq + 1);
      if (!isKeyword(keyword) || (eq >= 0 && !isValue(value))) {
        return Optional.empty();
      }
      if (map.putIfAbsent(keyword.toUpperCase(Locale.ROOT), value) != null) {
        return Optional.empty();
      }
    }
    return Optional.of(map.isEmpty() ? EMPTY : new MailParameters(map));
  }

  private static boolean isKeyword(String k) {
    if (k.isEmpty()) {
      return false;
    }
    for (int i = 0; i < k.length(); i++) {
      char c = k.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || c != '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isValue(String v) {
    if (v.isEmpty()) {
      return false;
    }
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if ((c < 33 || c == '=' || c == 127) && c < 0x80) {
        return false;
      }
    }
    return true;
  }

  /** Whether the keyword is present (case-insensitive). */
  public boolean has(String keyword) {
    return values.containsKey(keyword.toUpperCase(Locale.ROOT));
  }

  /** The value of the keyword; the empty string when it has none. */
  public Optional<String> value(String keyword) {
    return Optional.ofNullable(values.get(keyword.toUpperCase(Locale.ROOT)));
  }

  /**
   * The SIZE parameter (RFC 1870: one to twenty digits), empty when absent or not such a number. A
   * size beyond {@link Long#MAX_VALUE} is valid and is given as {@link Long#MAX_VALUE}.
   */
  public OptionalLong size() {
    String v = values.get("SIZE");
    if (v == null || v.isEmpty() || v.length() > 20) {
      return OptionalLong.empty();
    }
    long size = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        return OptionalLong.empty();
      }
      size = size > (Long.MAX_VALUE - (c - '0')) / 10 ? Long.MAX_VALUE : size * 10 + (c - '0');
    }
    return OptionalLong.of(size);
  }

  /**
   * The AUTH parameter (RFC 4954 section 5): the xtext-decoded mailbox the message was submitted
   * by, or {@code <>} when unknown; empty when absent or not valid xtext.
   */
  public Optional<String> auth() {
    String v = values.get("AUTH");
    return v == null ? Optional.empty() : decodeXtext(v);
  }

  /** RFC 3461's hexchar: an ASCII digit or upper-case A to F; -1 for anything else. */
  private static int hexChar(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
  }

  /** Decodes xtext (RFC 3461 section 4): {@code +XX} is a hex-coded octet; empty when malformed. */
  public static Optional<String> decodeXtext(String text) {
    if (text.indexOf('+') < 0) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c < 33 || c > 126 || c == '=') {
          return Optional.empty();
        }
      }
      return Optional.of(text);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '+') {
        if (i + 2 >= text.length()) {
          return Optional.empty();
        }
        int hi = hexChar(text.charAt(i + 1));
        int lo = hexChar(text.charAt(i + 2));
        if (hi < 0 || lo < 0) {
          return Optional.empty();
        }
        out.write(hi << 4 | lo);
        i += 2;
      } else if (c < 33 || c > 126 || c == '=') {
        return Optional.empty();
      } else {
        out.write(c);
      }
    }
    return Optional.of(out.toString(StandardCharsets.UTF_8));
  }

  /** Whether there are no parameters. */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** A copy with the keyword set to this value (replacing any value it had). */
  public MailParameters with(String keyword, String value) {
    Map<String, String> copy = new LinkedHashMap<>(values);
    copy.put(keyword.toUpperCase(Locale.ROOT), value);
    return new MailParameters(copy);
  }

  /** A copy without the keyword. */
  public MailParameters without(String keyword) {
    Map<String, String> copy = new LinkedHashMap<>(values);
    copy.remove(keyword.toUpperCase(Locale.ROOT));
    return new MailParameters(copy);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    values.forEach(
        (k, v) -> {
          if (sb.length() > 0) {
            sb.append(' ');
          }
          sb.append(k);
          if (!v.isEmpty()) {
            sb.append('=').append(v);
          }
        });
    return sb.toString();
  }
}
