package io.smtpprotocol.demo.maildir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bytes of a message exactly as received.
 *
 * @param size the number of bytes, or -1 when unknown (a message without an envelope record)
 * @param file the file to read
 * @param lfEndings whether the file has LF line endings that must be turned back into CRLF
 */
public record RawMessage(long size, Path file, boolean lfEndings) {

  /**
   * Writes the bytes to {@code out}.
   *
   * @return the number of bytes written
   */
  public long transferTo(OutputStream out) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return lfEndings ? LfToCrlf.transfer(in, out) : in.transferTo(out);
    }
  }
}
