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
    String[] lines = headerSection.split("\r?\n", -1);
    StringBuilder value = null;
    for (String line : lines) {
      if (value != null) {
        if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
          value.append(line);
          continue;
        }
        break;
      }
      if (line.regionMatches(true, 0, "Subject:", 0, 8)) {
        value = new StringBuilder(line.substring(8));
      } else if (line.isEmpty()) {
        break;
      }
    }
    if (value == null) {
      return "";
    }
    String raw = value.toString().strip();
    try {
      return MimeUtility.decodeText(raw);
    } catch (UnsupportedEncodingException | RuntimeException e) {
      return raw;
    }
  }
}
