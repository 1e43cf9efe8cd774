package io.smtpprotocol.server;

import java.io.ByteArrayOutputStream;

/**
 * A deliberately plain model of DATA framing (RFC 5321 4.5.2), to check the decoder against: the
 * content ends at the first {@code CRLF.CRLF} (the content starts at a line start), and a leading
 * dot is removed from every line, lines being separated by CRLF only.
 */
final class ReferenceUnstuffing {

  private ReferenceUnstuffing() {}

  /**
   * Where the content starting at {@code from} ends: the index of the dot of the terminating {@code
   * .CRLF}, or -1 when the input holds no terminator.
   */
  static int terminator(byte[] wire, int from) {
    for (int k = from; k + 2 < wire.length; k++) {
      boolean lineStart =
          k == from || (k - 2 >= from && wire[k - 2] == '\r' && wire[k - 1] == '\n');
      if (lineStart && wire[k] == '.' && wire[k + 1] == '\r' && wire[k + 2] == '\n') {
        return k;
      }
    }
    return -1;
  }

  /** The content with the leading dot of every CRLF-separated line removed. */
  static byte[] unstuff(byte[] wire, int from, int to) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean lineStart = true;
    for (int i = from; i < to; i++) {
      byte b = wire[i];
      if (!(lineStart && b == '.')) {
        out.write(b);
      }
      lineStart = b == '\n' && i > from && wire[i - 1] == '\r';
    }
    return out.toByteArray();
  }

  /** Whether the content holds a CR not followed by LF or an LF not preceded by CR. */
  static boolean hasBareLineEnding(byte[] wire, int from, int to) {
    for (int i = from; i < to; i++) {
      if (wire[i] == '\r' && (i + 1 >= to || wire[i + 1] != '\n')) {
        return true;
      }
      if (wire[i] == '\n' && (i == from || wire[i - 1] != '\r')) {
        return true;
      }
    }
    return false;
  }
}
