package io.smtpprotocol.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a message chunk by chunk for {@code ChunkedWriteHandler}, which asks for the next chunk only
 * while the channel is writable: the message is never held whole. Bare CR and bare LF become CRLF;
 * with dot-stuffing (DATA) a dot at the start of a line is doubled and {@code .CRLF} ends the data;
 * the message always ends with CRLF.
 */
final class MessageEncoder implements ChunkedInput<ByteBuf> {

  static final int CHUNK = 64 * 1024;

  private static final java.lang.invoke.VarHandle LONGS =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  private final @org.jspecify.annotations.Nullable InputStream in;
  private final byte @org.jspecify.annotations.Nullable [] array;
  private int arrayOffset;
  private final boolean dotStuffing;
  private byte @org.jspecify.annotations.Nullable [] buffer;
  private final LineState state = new LineState();
  private boolean endOfInput;
  private long progress;

  MessageEncoder(InputStream in, boolean dotStuffing) {
    this.in = in;
    this.array = null;
    this.dotStuffing = dotStuffing;
  }

  /** Reads a message held in memory, without copying it first. */
  MessageEncoder(byte[] message, boolean dotStuffing) {
    this.in = null;
    this.array = message;
    this.dotStuffing = dotStuffing;
  }

  /** Encodes a message held in memory into one buffer. */
  static ByteBuf encode(byte[] message, ByteBufAllocator allocator) {
    ByteBuf out = allocator.buffer(message.length + message.length / 32 + 16);
    LineState state = new LineState();
    state.encode(message, 0, message.length, out, true);
    state.finish(out, true);
    return out;
  }

  @Override
  public boolean isEndOfInput() {
    return endOfInput;
  }

  @Override
  public void close() throws Exception {
    if (in != null) {
      in.close();
    }
  }

  @Deprecated
  @Override
  public @org.jspecify.annotations.Nullable ByteBuf readChunk(ChannelHandlerContext ctx)
      throws Exception {
    return readChunk(ctx.alloc());
  }

  @Override
  public @org.jspecify.annotations.Nullable ByteBuf readChunk(ByteBufAllocator allocator)
      throws IOException {
    if (endOfInput) {
      return null;
    }
    byte[] src;
    int from;
    int n;
    if (array != null) {
      src = array;
      from = arrayOffset;
      n = Math.min(CHUNK, array.length - arrayOffset);
      if (n == 0) {
        n = -1;
      }
      arrayOffset += Math.max(n, 0);
    } else {
      if (buffer == null) {
        buffer = new byte[CHUNK];
      }
      src = buffer;
      from = 0;
      n = java.util.Objects.requireNonNull(in).read(buffer, 0, CHUNK);
    }
    // worst case every octet becomes two (bare LF to CRLF, or a dot doubled), plus the end
    ByteBuf out = allocator.buffer(n < 0 ? 5 : n + n / 16 + 16);
    try {
      if (n < 0) {
        endOfInput = true;
        state.finish(out, dotStuffing);
      } else {
        progress += n;
        state.encode(src, from, from + n, out, dotStuffing);
      }
      return out;
    } catch (RuntimeException e) {
      out.release();
      throw e;
    }
  }

  @Override
  public long length() {
    return -1;
  }

  @Override
  public long progress() {
    return progress;
  }

  /**
   * The line-ending and dot-stuffing state across chunks. Octets that need no change are copied in
   * runs: a message that already has CRLF line endings and no leading dots is one copy per chunk.
   */
  static final class LineState {
    private boolean lineStart = true;
    private boolean afterCr;

    void encode(byte[] src, int from, int to, ByteBuf out, boolean dotStuffing) {
      boolean start = lineStart;
      boolean cr = afterCr;
      int run = from;
      int i = from;
      while (i < to) {
        if (!start && !cr) {
          // inside a line: skip to its end, eight octets at a time
          i = nextLineBreak(src, i, to);
          if (i == to) {
            break;
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

    /**
     * The index of the next CR or LF from {@code i}, or {@code to}: a word at a time, with the
     * "has a zero byte" test on the word XORed with CR and with LF (the lowest flagged byte of
     * each test is exact, so the lowest of both is the first line break).
     */
    static int nextLineBreak(byte[] src, int i, int to) {
      while (i + 8 <= to) {
        long word = (long) LONGS.get(src, i);
        long cr = word ^ 0x0D0D0D0D0D0D0D0DL;
        long lf = word ^ 0x0A0A0A0A0A0A0A0AL;
        long found =
            (((cr - 0x0101010101010101L) & ~cr) | ((lf - 0x0101010101010101L) & ~lf))
                & 0x8080808080808080L;
        if (found != 0) {
          return i + (Long.numberOfTrailingZeros(found) >>> 3);
        }
        i += 8;
      }
      while (i < to && src[i] != '\r' && src[i] != '\n') {
        i++;
      }
      return i;
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
