package io.smtpprotocol.demo.maildir;

/**
 * Turns CRLF line endings into LF while a message streams through, chunk by chunk. A CR at the end
 * of one chunk is held back until the next chunk shows whether an LF follows it. Bare CRs pass
 * through unchanged.
 *
 * <p>The conversion is reversible ({@link LfToCrlf} restores the input exactly) as long as the
 * input holds no bare LF: every LF in the output then stands for one CRLF of the input, and no
 * other output byte is an LF. {@link #containsBareLf} tells the caller when that stops being true.
 */
final class CrlfToLf {

  private static final byte CR = '\r';
  private static final byte LF = '\n';

  private boolean pendingCr;
  private boolean bareLf;

  /** Whether the last byte seen was a CR that has not been written yet. */
  boolean pendingCr() {
    return pendingCr;
  }

  /** Whether an LF that did not follow a CR has been seen so far. */
  boolean sawBareLf() {
    return bareLf;
  }

  /**
   * Converts one chunk into {@code out} from {@code outOff}, which must leave room for {@code len +
   * 1} bytes.
   *
   * @return the number of bytes written to {@code out}
   */
  int convert(byte[] in, int off, int len, byte[] out, int outOff) {
    int o = outOff;
    for (int i = off, end = off + len; i < end; i++) {
      byte b = in[i];
      if (pendingCr) {
        pendingCr = false;
        if (b != LF) {
          out[o++] = CR;
        }
      } else if (b == LF) {
        bareLf = true;
      }
      if (b == CR) {
        pendingCr = true;
      } else {
        out[o++] = b;
      }
    }
    return o - outOff;
  }

  /**
   * Ends the stream: writes a held-back CR into {@code out} at {@code outOff} (room for one byte).
   *
   * @return the number of bytes written to {@code out}
   */
  int finish(byte[] out, int outOff) {
    if (pendingCr) {
      pendingCr = false;
      out[outOff] = CR;
      return 1;
    }
    return 0;
  }
}
