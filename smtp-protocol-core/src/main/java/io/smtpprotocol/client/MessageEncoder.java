package io.smtpprotocol.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads a message chunk by chunk, each chunk when the connection asks for it (so the message is
 * never held whole). Bare CR and bare LF become CRLF; with dot-stuffing (DATA) a dot at the start
 * of a line is doubled and {@code .CRLF} ends the data; the message always ends with CRLF. Lines of
 * any length pass unchanged: the encoder does not fold or refuse them.
 */
final class MessageEncoder implements AutoCloseable {

  static final int CHUNK = 64 * 1024;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private final @Nullable InputStream in;
  private final byte @Nullable [] array;
  private final int chunk;
  private int arrayOffset;
  private final boolean dotStuffing;
  private byte @Nullable [] buffer;
  private final LineState state = new LineState();
  private boolean endOfInput;
  private long progress;

  MessageEncoder(InputStream in, boolean dotStuffing) {
    this.in = in;
    this.array = null;
    this.chunk = CHUNK;
    this.dotStuffing = dotStuffing;
  }

  /** Reads a message held in memory, without copying it first. */
  MessageEncoder(byte[] message, boolean dotStuffing) {
    this(message, dotStuffing, CHUNK);
  }

  /** Reads a message held in memory in chunks of {@code chunk} octets (tests split it small). */
  MessageEncoder(byte[] message, boolean dotStuffing, int chunk) {
    this.in = null;
    this.array = message;
    this.chunk = chunk;
    this.dotStuffing = dotStuffing;
  }

  /** Encodes a message held in memory into one buffer, with its end of data. */
  static ByteBuf encode(byte[] message, ByteBufAllocator allocator) {
    ByteBuf out = allocator.buffer(message.length + message.length / 32 + 16);
    LineState state = new LineState();
    state.encode(message, 0, message.length, out, true);
    state.finish(out, true);
    return out;
  }

  /** Whether the last chunk was read (the one that holds the end of the data). */
  boolean isEndOfInput() {
    return endOfInput;
  }

  @Override
  public void close() throws IOException {
    if (in != null) {
      in.close();
    }
  }

  /** Closes the stream; a failure to is ignored, as the message was read or given up. */
  void closeQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException ignored) {
      // nothing more will be read
    }
  }

  /**
   * The next chunk, encoded: a message in memory ends with its last octets, a stream with a chunk
   * of its own once it reports its end.
   *
   * @throws IllegalStateException after the last chunk
   */
  ByteBuf readChunk(ByteBufAllocator allocator) throws IOException {
    if (endOfInput) {
      throw new IllegalStateException("the message was read to its end");
    }
    byte[] src;
    int from;
    int n;
    if (array != null) {
      src = array;
      from = arrayOffset;
      n = Math.min(chunk, array.length - arrayOffset);
      arrayOffset += n;
      endOfInput = arrayOffset == array.length;
    } else {
      if (buffer == null) {
        buffer = new byte[chunk];
      }
      src = buffer;
      from = 0;
      n = Objects.requireNonNull(in).read(buffer, 0, chunk);
      endOfInput = n < 0;
      n = Math.max(n, 0);
    }
    // room for a few changes and the end; the buffer grows if a chunk needs more
    ByteBuf out = allocator.buffer(n + n / 16 + 16);
    try {
      progress += n;
      state.encode(src, from, from + n, out, dotStuffing);
      if (endOfInput) {
        state.finish(out, dotStuffing);
      }
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  /** How many octets of the message were read so far. */
  long progress() {
    return progress;
  }

  /**
   * The line-ending and dot-stuffing state across chunks. Octets that need no change are copied in
   * runs: a message that already has CRLF line endings and no leading dots is one copy per chunk,
   * after a search for line breaks that looks at 32 octets at a time and steps over each CRLF line
   * end in one go.
   */
  static final class LineState {
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private boolean lineStart = true;
    private boolean afterCr;

    void encode(byte[] src, int from, int to, ByteBuf out, boolean dotStuffing) {
      boolean start = lineStart;
      boolean cr = afterCr;
      int run = from;
      int i = from;
      while (i < to) {
        if (!start && !cr) {
          // inside a line: skip to its end
          i = nextLineBreak(src, i, to);
          if (i == to) {
            break;
          }
          // CRLF, and a next line that needs no dot: nothing to change, and the octet after the
          // LF is inside a line (a CR or LF there is found by the next search)
          if (i + 2 < to
              && src[i] == '\r'
              && src[i + 1] == '\n'
              && (src[i + 2] != '.' || !dotStuffing)) {
            i += 2;
            continue;
          }
        }
        byte b = src[i];
        if (cr) {
          cr = false;
          if (b == '\n') {
            start = true;
            i++;
            continue;
          }
          // a bare CR ends a line: add the LF it lacks
          out.writeBytes(src, run, i - run);
          out.writeByte('\n');
          run = i;
          start = true;
        }
        if (b == '\r') {
          cr = true;
          start = false;
        } else if (b == '\n') {
          // a bare LF ends a line: add the CR it lacks
          out.writeBytes(src, run, i - run);
          out.writeByte('\r');
          run = i;
          start = true;
        } else if (start) {
          start = false;
          if (b == '.' && dotStuffing) {
            out.writeBytes(src, run, i - run);
            out.writeByte('.');
            run = i;
          }
        }
        i++;
      }
      out.writeBytes(src, run, to - run);
      lineStart = start;
      afterCr = cr;
    }

    /** The index of the next CR or LF from {@code i}, or {@code to}. */
    static int nextLineBreak(byte[] src, int i, int to) {
      while (true) {
        i = nextControl(src, i, to);
        if (i == to || src[i] == '\r' || src[i] == '\n') {
          return i;
        }
        // another control character (a TAB, say): go on after it
        i++;
      }
    }

    /**
     * The index of the next octet below 0x0E (CR, LF and a few rare controls) from {@code i}, or
     * {@code to}: four words at a time, each with the "has a byte less than n" test (which flags
     * the lowest such byte of a word exactly, and none at all in a word without one; 8-bit octets
     * are never flagged).
     */
    static int nextControl(byte[] src, int i, int to) {
      while (i + 32 <= to) {
        long t0 = below0E((long) LONGS.get(src, i));
        long t1 = below0E((long) LONGS.get(src, i + 8));
        long t2 = below0E((long) LONGS.get(src, i + 16));
        long t3 = below0E((long) LONGS.get(src, i + 24));
        if ((t0 | t1 | t2 | t3) != 0) {
          int bit =
              t0 != 0
                  ? Long.numberOfTrailingZeros(t0)
                  : t1 != 0
                      ? 64 + Long.numberOfTrailingZeros(t1)
                      : t2 != 0
                          ? 128 + Long.numberOfTrailingZeros(t2)
                          : 192 + Long.numberOfTrailingZeros(t3);
          return i + (bit >>> 3);
        }
        i += 32;
      }
      while (i + 8 <= to) {
        long t = below0E((long) LONGS.get(src, i));
        if (t != 0) {
          return i + (Long.numberOfTrailingZeros(t) >>> 3);
        }
        i += 8;
      }
      while (i < to && (src[i] & 0xFF) >= 0x0E) {
        i++;
      }
      return i;
    }

    /** The high bit of each byte of the word below 0x0E, and maybe of bytes above such a byte. */
    private static long below0E(long word) {
      return (word - 0x0E * ONES) & ~word & HIGHS;
    }

    void finish(ByteBuf out, boolean dotStuffing) {
      if (afterCr) {
        out.writeByte('\n');
      } else if (!lineStart) {
        out.writeByte('\r').writeByte('\n');
      }
      afterCr = false;
      lineStart = true;
      if (dotStuffing) {
        out.writeByte('.').writeByte('\r').writeByte('\n');
      }
    }
  }
}
