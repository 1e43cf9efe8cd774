package io.smtpprotocol.protocol;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

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

  /** MAIL's {@code RET} (RFC 3461 section 4.3); empty when absent or not FULL or HDRS. */
  public Optional<DsnReturn> dsnReturn() {
    String v = values.get("RET");
    if (v == null) {
      return Optional.empty();
    }
    return switch (v.toUpperCase(Locale.ROOT)) {
      case "FULL" -> Optional.of(DsnReturn.FULL);
      case "HDRS" -> Optional.of(DsnReturn.HDRS);
      default -> Optional.empty();
    };
  }

  /**
   * MAIL's {@code ENVID} (RFC 3461 section 4.4), xtext-decoded; empty when absent, malformed, or
   * longer than the 100 characters the RFC allows.
   */
  public Optional<String> envelopeId() {
    String v = values.get("ENVID");
    return v == null || v.isEmpty() || v.length() > 100 ? Optional.empty() : decodeXtext(v);
  }

  /**
   * RCPT's {@code NOTIFY} (RFC 3461 section 4.1): {@code NEVER} alone, or one or more of SUCCESS,
   * FAILURE and DELAY; empty when absent or malformed (a repeated or unknown condition, NEVER with
   * others).
   */
  public Optional<Set<DsnNotify>> dsnNotify() {
    String v = values.get("NOTIFY");
    if (v == null || v.isEmpty()) {
      return Optional.empty();
    }
    EnumSet<DsnNotify> set = EnumSet.noneOf(DsnNotify.class);
    for (String part : v.split(",", -1)) {
      DsnNotify n;
      try {
        n = DsnNotify.valueOf(part.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
      if (!set.add(n)) {
        return Optional.empty();
      }
    }
    if (set.contains(DsnNotify.NEVER) && set.size() > 1) {
      return Optional.empty();
    }
    return Optional.of(Set.copyOf(set));
  }

  /**
   * RCPT's {@code ORCPT} (RFC 3461 section 4.2) as its address type and xtext-decoded address, for
   * example {@code rfc822} and {@code bob@example.com}; empty when absent or malformed.
   */
  public Optional<OriginalRecipient> originalRecipient() {
    String v = values.get("ORCPT");
    if (v == null) {
      return Optional.empty();
    }
    int semi = v.indexOf(';');
    if (semi <= 0 || semi == v.length() - 1) {
      return Optional.empty();
    }
    String type = v.substring(0, semi);
    for (int i = 0; i < type.length(); i++) {
      char c = type.charAt(i);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-')) {
        return Optional.empty();
      }
    }
    return decodeXtext(v.substring(semi + 1)).map(a -> new OriginalRecipient(type, a));
  }

  /**
   * The original recipient of {@code ORCPT}.
   *
   * @param addressType the address type, for example {@code rfc822} or {@code utf-8}
   * @param address the decoded address
   */
  public record OriginalRecipient(String addressType, String address) {}

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
