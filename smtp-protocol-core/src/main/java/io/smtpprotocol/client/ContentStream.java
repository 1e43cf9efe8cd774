package io.smtpprotocol.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Writes the content of one message after DATA: encoded chunks while the channel is writable, then
 * one flush for all of them, and more once the channel has drained below its low water mark. So at
 * most the channel's high water mark and one chunk are held, whatever the size of the message, and
 * a message that fits in one window is one write to the socket.
 *
 * <p>Commands held back behind the content are released once its last chunk is written; the replies
 * to it are waited for once the socket has taken it. A server that takes no data for the data block
 * timeout fails the connection. Runs on the channel's event loop.
 */
final class ContentStream {

  private final Channel channel;
  private final CommandQueue commands;
  private final @Nullable MessageEncoder encoder;
  private @Nullable ByteBuf whole;
  private final List<PendingReply> replies;
  private final Duration blockTimeout;
  private @Nullable ScheduledFuture<?> watchdog;
  private long lastProgress;
  private @Nullable ChannelFuture lastWrite;
  private boolean done;
  private boolean abandoned;
  private boolean closed;
  private boolean writing;
  private boolean again;

  /** Content encoded into one buffer already, or read chunk by chunk from an encoder. */
  ContentStream(
      Channel channel,
      CommandQueue commands,
      Object content,
      List<PendingReply> replies,
      Duration blockTimeout) {
    this.channel = channel;
    this.commands = commands;
    this.encoder = content instanceof MessageEncoder e ? e : null;
    this.whole = content instanceof ByteBuf b ? b : null;
    this.replies = replies;
    this.blockTimeout = blockTimeout;
  }

  /**
   * Writes what the channel takes now (a buffer encoded already, all of it) and flushes; true once
   * the last chunk is written. Called again when the channel becomes writable; a call made while
   * flushing (the channel drained during the flush) makes the first one go on instead.
   */
  boolean write() {
    if (writing) {
      again = true;
      return done;
    }
    writing = true;
    try {
      do {
        again = false;
        while (!done && (whole != null || channel.isWritable())) {
          writeNext();
        }
        channel.flush();
      } while (again && !done);
    } finally {
      writing = false;
    }
    ChannelFuture last = lastWrite;
    if (!abandoned && watchdog == null && (last == null || !last.isDone())) {
      // waits for the channel to drain, or for the socket to take the end
      watch();
    }
    return done;
  }

  private void writeNext() {
    ByteBuf chunk = whole;
    whole = null;
    if (chunk == null) {
      MessageEncoder e = Objects.requireNonNull(encoder);
      try {
        chunk = e.readChunk(channel.alloc());
      } catch (IOException | RuntimeException ex) {
        // the server waits for the rest of the data: only closing the connection ends that
        abandon();
        commands.fail(new SmtpConnectionException("cannot read the message", ex));
        return;
      }
      if (!e.isEndOfInput()) {
        channel.write(chunk, channel.voidPromise());
        return;
      }
      close();
    }
    done = true;
    lastWrite = channel.write(chunk).addListener(this::lastWritten);
    // commands issued meanwhile go out behind the content
    commands.lowerBarrier();
  }

  private void lastWritten(Future<? super Void> f) {
    ScheduledFuture<?> w = watchdog;
    if (w != null) {
      w.cancel(false);
    }
    if (!f.isSuccess()) {
      commands.fail(new SmtpConnectionException("cannot write the message", f.cause()));
      return;
    }
    commands.written(replies);
  }

  /** Fails the connection when the socket takes nothing and no chunk is read for a whole period. */
  private void watch() {
    long period = blockTimeout.toNanos();
    lastProgress = progress();
    watchdog =
        channel
            .eventLoop()
            .scheduleAtFixedRate(
                () -> {
                  long now = progress();
                  if (now == lastProgress) {
                    commands.fail(
                        new SmtpConnectionException(
                            "the server took no message data for " + blockTimeout));
                  }
                  lastProgress = now;
                },
                period,
                period,
                TimeUnit.NANOSECONDS);
  }

  /** Grows as chunks are read and as the socket takes what waits in the channel. */
  private long progress() {
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    long waiting = out == null ? 0 : out.totalPendingWriteBytes();
    return (encoder == null ? 0 : encoder.progress()) - waiting;
  }

  /** The connection failed: nothing more is read, and the stream is closed. */
  void abandon() {
    ScheduledFuture<?> w = watchdog;
    if (w != null) {
      w.cancel(false);
    }
    ByteBuf b = whole;
    whole = null;
    if (b != null) {
      b.release();
    }
    close();
    abandoned = true;
    done = true;
  }

  private void close() {
    if (encoder != null && !closed) {
      closed = true;
      encoder.closeQuietly();
    }
  }
}
