package io.smtpprotocol.demo.maildir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Restores what {@link CrlfToLf} converted: every LF becomes CRLF, every other byte stays. */
final class LfToCrlf {

  private LfToCrlf() {}

  /**
   * Copies {@code in} to {@code out} with each LF written as CRLF.
   *
   * @return the number of bytes written
   */
  static long transfer(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[32 * 1024];
    byte[] converted = new byte[buffer.length * 2];
    long total = 0;
    int n;
    while ((n = in.read(buffer)) >= 0) {
      int o = 0;
      for (int i = 0; i < n; i++) {
        byte b = buffer[i];
        if (b == '\n') {
          converted[o++] = '\r';
        }
        converted[o++] = b;
      }
      out.write(converted, 0, o);
      total += o;
    }
    return total;
  }
}
