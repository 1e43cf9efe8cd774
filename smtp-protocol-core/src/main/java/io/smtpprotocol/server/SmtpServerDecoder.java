package io.smtpprotocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.server.SmtpInput.ContentStatus;
import org.jspecify.annotations.Nullable;

/**
 * Frames a server's input: command lines, DATA content and BDAT chunks.
 *
 * <p>The decoder works on demand. In {@link Mode#COMMAND} it passes up one {@link
 * SmtpInput.CommandLine} and then waits until the session calls {@link #request()}; pipelined lines
 * stay buffered meanwhile. When it runs out of buffered input while the session wants more, it says
 * so with {@link SmtpInput.Drained}, on which the session flushes its replies.
 *
 * <p>In {@link Mode#DATA} it passes up the content as {@link ByteBuf} slices, dot-unstuffed, and
 * ends with a {@link SmtpInput.ContentEnd} only at the exact sequence {@code CRLF.CRLF}. A bare CR
 * or LF never ends the content; in strict mode (the default) it makes the content bad and the rest
 * is discarded. Content beyond the size limit is discarded too. {@link #suspend()} pauses the
 * content for backpressure.
 *
 * <p>In {@link Mode#CHUNK} it passes up exactly the announced number of octets of a BDAT chunk.
 *
 * <p>Buffered input is bounded: a command line longer than the limit is skipped as it arrives, and
 * reading from the socket is paused while more than {@code maxBuffered} octets wait.
 */
final class SmtpServerDecoder extends ChannelInboundHandlerAdapter {

  /** What the next input octets are. */
  enum Mode {
    /** Before the greeting: any input is an early talker. */
    GREETING,
    /** Command lines. */
    COMMAND,
    /** DATA content up to {@code CRLF.CRLF}. */
    DATA,
    /** The octets of one BDAT chunk. */
    CHUNK,
    /** Nothing more: input is dropped. */
    STOPPED
  }

  private static final byte CR = '\r';
  private static final byte LF = '\n';

  private static final int LINE_START = 0;
  private static final int TEXT = 1;
  private static final int SEEN_CR = 2;
  private static final int DOT = 3;
  private static final int DOT_CR = 4;

  private final boolean lenient;
  private final int maxBuffered;
  private int maxLineLength;
  private int maxAuthLineLength;

  private @Nullable ChannelHandlerContext ctx;
  private @Nullable ByteBuf cumulation;
  private Mode mode = Mode.GREETING;
  private boolean demand;
  private boolean draining;
  private boolean readPaused;
  private boolean earlyReported;

  private boolean skippingLongLine;

  private int dataState;
  private long dataSize;
  private long maxDataSize;
  private ContentStatus dataStatus = ContentStatus.COMPLETE;

  private long chunkRemaining;
  private long chunkSize;
  private boolean chunkDiscard;

  /**
   * @param maxLineLength longest command line, CRLF included
   * @param lenient whether bare CR and LF are let through as data (they never end it)
   * @param maxBuffered octets buffered before reading from the socket pauses
   */
  SmtpServerDecoder(int maxLineLength, boolean lenient, int maxBuffered) {
    if (maxLineLength < 3) {
      throw new IllegalArgumentException("maxLineLength must be at least 3: " + maxLineLength);
    }
    this.maxLineLength = maxLineLength;
    this.lenient = lenient;
    this.maxBuffered = Math.max(maxBuffered, maxLineLength);
  }

  /** The current mode. */
  Mode mode() {
    return mode;
  }

  /** Switches from {@link Mode#GREETING} to command lines, without asking for one yet. */
  void greetingSent() {
    if (mode == Mode.GREETING) {
      mode = Mode.COMMAND;
    }
  }

  /** Changes the command line limit, for example for AUTH exchanges. */
  void maxLineLength(int maxLineLength) {
    this.maxLineLength = maxLineLength;
  }

  /**
   * Lets command lines that start with {@code AUTH } be up to this long (RFC 4954 allows 12,288
   * octets for an initial response), while other lines keep {@link #maxLineLength(int)}. Zero, the
   * default, gives AUTH lines no exception.
   */
  void maxAuthLineLength(int maxAuthLineLength) {
    this.maxAuthLineLength = maxAuthLineLength;
  }

  /** Asks for the next input: the next command line, or more content. */
  void request() {
    demand = true;
    drain();
  }

  /** Whether the decoder is waiting for input the session asked for. */
  boolean wantsInput() {
    return demand;
  }

  /** Pauses content delivery until {@link #request()}. */
  void suspend() {
    demand = false;
  }

  /** The following octets are DATA content of at most {@code maxSize} octets. */
  void startData(long maxSize) {
    mode = Mode.DATA;
    dataState = LINE_START;
    dataSize = 0;
    maxDataSize = maxSize;
    dataStatus = ContentStatus.COMPLETE;
  }

  /**
   * The following {@code size} octets are a BDAT chunk; when {@code discard} is set they are read
   * and dropped, so that a refused chunk still keeps the input in step.
   */
  void startChunk(long size, boolean discard) {
    mode = Mode.CHUNK;
    chunkRemaining = size;
    chunkSize = size;
    chunkDiscard = discard;
  }

  /**
   * Drops buffered input (plaintext read after STARTTLS must never be executed), and reads from the
   * socket again if a full buffer had paused reading (the TLS handshake needs it).
   */
  void discardBuffered() {
    release();
    ChannelHandlerContext c = ctx;
    if (readPaused && c != null && mode != Mode.STOPPED) {
      readPaused = false;
      c.channel().config().setAutoRead(true);
    }
  }

  private void release() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }

  /** Octets read from the socket and not yet passed up. */
  int bufferedBytes() {
    return cumulation == null ? 0 : cumulation.readableBytes();
  }

  /** Stops decoding for good; later input is dropped. */
  void stop() {
    mode = Mode.STOPPED;
    demand = false;
    release();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    release();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (mode == Mode.STOPPED) {
      in.release();
      return;
    }
    if (mode == Mode.GREETING) {
      boolean any = in.isReadable();
      in.release();
      if (any && !earlyReported) {
        earlyReported = true;
        ctx.fireChannelRead(new SmtpInput.EarlyInput());
      }
      return;
    }
    cumulate(in);
    drain();
  }

  private void cumulate(ByteBuf in) {
    ByteBuf cum = cumulation;
    if (cum == null) {
      cumulation = in;
    } else if (!cum.isReadable()) {
      cum.release();
      cumulation = in;
    } else {
      ByteBuf merged = ctx().alloc().buffer(cum.readableBytes() + in.readableBytes());
      merged.writeBytes(cum).writeBytes(in);
      cum.release();
      in.release();
      cumulation = merged;
    }
  }

  private ChannelHandlerContext ctx() {
    ChannelHandlerContext c = ctx;
    if (c == null) {
      throw new IllegalStateException("decoder is not in a pipeline");
    }
    return c;
  }

  private void drain() {
    if (draining) {
      return;
    }
    ChannelHandlerContext c = ctx();
    draining = true;
    boolean wantsInput = false;
    try {
      while (demand) {
        if (mode == Mode.CHUNK && chunkRemaining == 0) {
          endChunk(c);
          continue;
        }
        ByteBuf in = cumulation;
        if (in == null || !in.isReadable()) {
          wantsInput = true;
          break;
        }
        boolean progress;
        switch (mode) {
          case COMMAND:
            progress = decodeLine(c, in);
            break;
          case DATA:
            decodeData(c, in);
            progress = true;
            break;
          case CHUNK:
            decodeChunk(c, in);
            progress = true;
            break;
          default:
            progress = false;
            break;
        }
        if (!progress) {
          wantsInput = true;
          break;
        }
      }
    } finally {
      draining = false;
    }
    ByteBuf in = cumulation;
    if (in != null && !in.isReadable()) {
      in.release();
      cumulation = null;
    }
    if (wantsInput && mode != Mode.STOPPED) {
      c.fireChannelRead(SmtpInput.Drained.INSTANCE);
      if (readPaused) {
        readPaused = false;
        c.channel().config().setAutoRead(true);
      }
    } else if (!readPaused && bufferedBytes() > maxBuffered) {
      readPaused = true;
      c.channel().config().setAutoRead(false);
    }
  }

  private boolean decodeLine(ChannelHandlerContext c, ByteBuf in) {
    int r = in.readerIndex();
    int w = in.writerIndex();
    if (skippingLongLine) {
      int nl = in.indexOf(r, w, LF);
      if (nl < 0) {
        in.readerIndex(w);
        return false;
      }
      in.readerIndex(nl + 1);
      skippingLongLine = false;
      emitLine(c, new SmtpInput.BadCommandLine(Replies.LINE_TOO_LONG));
      return true;
    }
    int limit = maxLineLength;
    if (maxAuthLineLength > limit && CommandLineText.startsWithAuth(in, r, w)) {
      limit = maxAuthLineLength;
    }
    int nl = in.indexOf(r, Math.min(w, r + limit), LF);
    if (nl < 0) {
      if (w - r >= limit) {
        // too long: drop it up to its LF, which may already be buffered with the lines after it
        int lf = in.indexOf(r + limit, w, LF);
        if (lf >= 0) {
          in.readerIndex(lf + 1);
          emitLine(c, new SmtpInput.BadCommandLine(Replies.LINE_TOO_LONG));
          return true;
        }
        skippingLongLine = true;
        in.readerIndex(w);
        return true;
      }
      return false;
    }
    boolean crlf = nl > r && in.getByte(nl - 1) == CR;
    int end = crlf ? nl - 1 : nl;
    in.readerIndex(nl + 1);
    if (!lenient && (!crlf || in.indexOf(r, end, CR) >= 0)) {
      emitLine(c, new SmtpInput.BadCommandLine(Replies.BARE_LINE_ENDING_IN_COMMAND));
      return true;
    }
    SmtpInput line = CommandLineText.decode(in, r, end - r);
    emitLine(c, line);
    return true;
  }

  private void emitLine(ChannelHandlerContext c, SmtpInput line) {
    demand = false;
    c.fireChannelRead(line);
  }

  private void decodeData(ChannelHandlerContext c, ByteBuf in) {
    int i = in.readerIndex();
    int end = in.writerIndex();
    int runStart = i;
    while (i < end && demand && mode == Mode.DATA) {
      switch (dataState) {
        case LINE_START:
          if (in.getByte(i) == '.') {
            emitContent(c, in, runStart, i);
            i++;
            runStart = i;
            dataState = DOT;
          } else {
            dataState = TEXT;
          }
          break;
        case DOT:
          if (in.getByte(i) == CR) {
            emitContent(c, in, runStart, i);
            i++;
            runStart = i;
            dataState = DOT_CR;
          } else {
            dataState = TEXT; // the stuffed dot is dropped; this octet is text
          }
          break;
        case DOT_CR:
          if (in.getByte(i) == LF) {
            in.readerIndex(i + 1);
            endData(c);
            return;
          }
          bareLineEnding(c);
          if (lenient) {
            emitContent(c, Unpooled.wrappedBuffer(new byte[] {CR}));
          }
          dataState = TEXT;
          break;
        case SEEN_CR:
          if (in.getByte(i) == LF) {
            i++;
            dataState = LINE_START;
          } else {
            bareLineEnding(c);
            dataState = TEXT;
          }
          break;
        default: // TEXT
          int nl = in.indexOf(i, end, LF);
          int limit = nl < 0 ? end : nl;
          int cr = in.indexOf(i, limit, CR);
          if (cr >= 0 && cr < limit - 1) {
            bareLineEnding(c); // a CR followed by something other than LF
            i = cr + 1;
          } else if (nl < 0) {
            dataState = cr == end - 1 ? SEEN_CR : TEXT;
            i = end;
          } else if (cr == nl - 1 && cr >= i) {
            dataState = LINE_START;
            i = nl + 1;
          } else {
            bareLineEnding(c); // LF without CR before it
            i = nl + 1;
          }
          break;
      }
    }
    emitContent(c, in, runStart, i);
    in.readerIndex(i);
  }

  private void emitContent(ChannelHandlerContext c, ByteBuf in, int from, int to) {
    if (to > from) {
      if (dataStatus != ContentStatus.COMPLETE) {
        return;
      }
      emitContent(c, in.retainedSlice(from, to - from));
    }
  }

  private void emitContent(ChannelHandlerContext c, ByteBuf slice) {
    if (dataStatus != ContentStatus.COMPLETE) {
      slice.release();
      return;
    }
    dataSize += slice.readableBytes();
    if (dataSize > maxDataSize) {
      slice.release();
      problem(c, ContentStatus.TOO_LARGE);
      return;
    }
    c.fireChannelRead(slice);
  }

  private void bareLineEnding(ChannelHandlerContext c) {
    if (!lenient) {
      problem(c, ContentStatus.BARE_LINE_ENDING);
    }
  }

  private void problem(ChannelHandlerContext c, ContentStatus status) {
    if (dataStatus == ContentStatus.COMPLETE) {
      dataStatus = status;
      c.fireChannelRead(new SmtpInput.ContentProblem(status));
    }
  }

  private void endData(ChannelHandlerContext c) {
    mode = Mode.COMMAND;
    demand = false;
    c.fireChannelRead(new SmtpInput.ContentEnd(dataStatus, dataSize));
  }

  private void decodeChunk(ChannelHandlerContext c, ByteBuf in) {
    int n = (int) Math.min(chunkRemaining, in.readableBytes());
    if (n > 0) {
      chunkRemaining -= n;
      if (chunkDiscard) {
        in.skipBytes(n);
      } else {
        ByteBuf slice = in.retainedSlice(in.readerIndex(), n);
        in.skipBytes(n);
        c.fireChannelRead(slice);
      }
    }
  }

  private void endChunk(ChannelHandlerContext c) {
    mode = Mode.COMMAND;
    demand = false;
    c.fireChannelRead(new SmtpInput.ChunkEnd(chunkSize));
  }
}
