package io.smtpprotocol.demo.maildir;

import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayOutputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the header section of a message (LF line endings) as it streams by, up to a bound, to read
 * the Subject without a second pass over the file.
 */
final class HeaderCapture {

  static final int MAX_HEADER_BYTES = 64 * 1024;

  private final ByteArrayOutputStream header = new ByteArrayOutputStream();
  private boolean done;
  private int lastByte = '\n';

  void accept(byte[] bytes, int off, int len) {
    for (int i = off, end = off + len; i < end && !done; i++) {
      byte b = bytes[i];
      if (b == '\n' && lastByte == '\n') {
        done = true;
        break;
      }
      header.write(b);
      lastByte = b;
      if (header.size() >= MAX_HEADER_BYTES) {
        done = true;
      }
    }
  }

  /** The decoded Subject, or an empty string. */
  String subject() {
    return subject(header.toString(StandardCharsets.UTF_8));
  }

  /** The decoded value of the first Subject field of a header section, or an empty string. */
  static String subject(String headerSection) {
    StringBuilder value = null;
    int start = 0;
    int length = headerSection.length();
    while (start < length) {
      int end = headerSection.indexOf('\n', start);
      if (end < 0) {
        end = length;
      }
      int lineEnd = end > start && headerSection.charAt(end - 1) == '\r' ? end - 1 : end;
      if (lineEnd == start) {
        break; // the empty line ends the header section
      }
      char first = headerSection.charAt(start);
      if (value != null) {
        if (first != ' ' && first != '\t') {
          break;
        }
        value.append(headerSection, start, lineEnd);
      } else if (headerSection.regionMatches(true, start, "Subject:", 0, 8)) {
        value = new StringBuilder().append(headerSection, start + 8, lineEnd);
      }
      start = end + 1;
    }
    if (value == null) {
      return "";
    }
    String raw = value.toString().strip();
    if (!raw.contains("=?")) {
      return raw;
    }
    try {
      return MimeUtility.decodeText(raw);
    } catch (UnsupportedEncodingException | RuntimeException e) {
      return raw;
    }
  }
}
