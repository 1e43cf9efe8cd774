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

  static final int CHUNK = 16 * 1024;

  private final InputStream in;
  private final boolean dotStuffing;
  private final byte[] buffer = new byte[CHUNK];
  private final LineState state = new LineState();
  private boolean endOfInput;
  private long progress;

  MessageEncoder(InputStream in, boolean dotStuffing) {
    this.in = in;
    this.dotStuffing = dotStuffing;
  }

  @Override
  public boolean isEndOfInput() {
    return endOfInput;
  }

  @Override
  public void close() throws Exception {
    in.close();
  }

  @Deprecated
  @Override
  public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
    return readChunk(ctx.alloc());
  }

  @Override
  public ByteBuf readChunk(ByteBufAllocator allocator) throws IOException {
    if (endOfInput) {
      return null;
    }
    int n = in.read(buffer, 0, CHUNK);
    // worst case every octet becomes two (bare LF to CRLF, or a dot doubled), plus the end
    ByteBuf out = allocator.buffer(n < 0 ? 5 : 2 * n + 5);
    try {
      if (n < 0) {
        endOfInput = true;
        state.finish(out, dotStuffing);
      } else {
        progress += n;
        state.encode(buffer, 0, n, out, dotStuffing);
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

  /** The line-ending and dot-stuffing state across chunks. */
  static final class LineState {
    private boolean lineStart = true;
    private boolean pendingCr;

    void encode(byte[] src, int from, int to, ByteBuf out, boolean dotStuffing) {
      for (int i = from; i < to; i++) {
        byte b = src[i];
        if (b == '\n') {
          out.writeByte('\r').writeByte('\n');
          pendingCr = false;
          lineStart = true;
          continue;
        }
        if (pendingCr) {
          // a bare CR ends a line
          out.writeByte('\r').writeByte('\n');
          pendingCr = false;
          lineStart = true;
        }
        if (b == '\r') {
          pendingCr = true;
          continue;
        }
        if (lineStart && b == '.' && dotStuffing) {
          out.writeByte('.');
        }
        out.writeByte(b);
        lineStart = false;
      }
    }

    void finish(ByteBuf out, boolean dotStuffing) {
      if (pendingCr || !lineStart) {
        out.writeByte('\r').writeByte('\n');
      }
      pendingCr = false;
      lineStart = true;
      if (dotStuffing) {
        out.writeByte('.').writeByte('\r').writeByte('\n');
      }
    }
  }
}
