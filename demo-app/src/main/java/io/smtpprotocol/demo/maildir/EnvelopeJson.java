package io.smtpprotocol.demo.maildir;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the envelope record of a message as JSON. Written by hand because it is on every
 * delivery's path (a general-purpose mapper costs more than the rest of the store's work); read
 * back with the application's JSON mapper.
 */
final class EnvelopeJson {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private EnvelopeJson() {}

  static byte[] toJson(StoredMessage m) {
    StringBuilder json = new StringBuilder(256);
    json.append("{\"id\":");
    string(json, m.id());
    json.append(",\"from\":");
    string(json, m.from());
    json.append(",\"recipients\":[");
    List<String> recipients = m.recipients();
    for (int i = 0; i < recipients.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      string(json, recipients.get(i));
    }
    json.append("],\"size\":").append(m.size());
    json.append(",\"subject\":");
    string(json, m.subject());
    json.append(",\"receivedAt\":");
    string(json, m.receivedAt().toString());
    json.append(",\"remoteAddress\":");
    string(json, m.remoteAddress());
    json.append(",\"remotePort\":").append(m.remotePort()); // "null" when there is none
    json.append(",\"tls\":").append(m.tls());
    json.append(",\"authenticatedUser\":");
    if (m.authenticatedUser() == null) {
      json.append("null");
    } else {
      string(json, m.authenticatedUser());
    }
    json.append("}\n");
    return json.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void string(StringBuilder json, String value) {
    json.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        default -> {
          if (c < 0x20
              || c == 0x2028
              || c == 0x2029
              || Character.isSurrogate(c) && !validSurrogate(value, i)) {
            json.append("\\u")
                .append(HEX[c >> 12 & 0xf])
                .append(HEX[c >> 8 & 0xf])
                .append(HEX[c >> 4 & 0xf])
                .append(HEX[c & 0xf]);
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }

  /** Whether the surrogate at {@code i} is half of a well-formed pair. */
  private static boolean validSurrogate(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }
}
