package io.smtpprotocol.server;

import io.netty.buffer.ByteBuf;
import io.smtpprotocol.handler.MessageAbortedException;
import io.smtpprotocol.handler.MessageBody;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The engine's {@link MessageBody}: a bounded queue of the body's octets, filled on the event loop
 * and read by the handler's thread, which asks the producer to pause above its high-water mark.
 */
final class BodyQueue extends MessageBody {

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private final int highWater;
  private final Runnable onDrained;
  private long queued;
  private long received;
  private long consumed;
  private boolean complete;
  private boolean closed;
  private boolean suspended;
  private @Nullable MessageAbortedException failure;

  /**
   * @param highWater buffered octets above which the producer is asked to pause
   * @param onDrained called (from the reading thread) when a paused producer may go on
   */
  BodyQueue(int highWater, Runnable onDrained) {
    this.highWater = highWater;
    this.onDrained = onDrained;
  }

  // ---- producer side, event loop ----

  /**
   * Adds octets; takes ownership of {@code buf}. Returns true when the producer should pause until
   * {@code onDrained} runs.
   */
  boolean offer(ByteBuf buf) {
    lock.lock();
    try {
      received += buf.readableBytes();
      if (closed || complete || failure != null) {
        buf.release();
        return false;
      }
      queue.add(buf);
      queued += buf.readableBytes();
      changed.signalAll();
      if (queued > highWater) {
        suspended = true;
        return true;
      }
      return false;
    } finally {
      lock.unlock();
    }
  }

  /** The whole body has arrived. */
  void complete() {
    lock.lock();
    try {
      complete = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The body failed (also after it was complete, for example when the connection is lost before the
   * final reply): readers get the exception, buffered octets are dropped.
   */
  void fail(MessageAbortedException e) {
    lock.lock();
    try {
      if (failure == null && !closed) {
        failure = e;
      }
      drop();
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Octets buffered and not yet read. */
  long queued() {
    lock.lock();
    try {
      return queued;
    } finally {
      lock.unlock();
    }
  }

  // ---- consumer side, handler thread ----

  @Override
  public long received() {
    lock.lock();
    try {
      return received;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long consumed() {
    lock.lock();
    try {
      return consumed;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean isComplete() {
    lock.lock();
    try {
      return complete;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (off < 0 || len < 0 || len > b.length - off) {
      throw new IndexOutOfBoundsException();
    }
    if (len == 0) {
      return 0;
    }
    boolean resume = false;
    int n;
    lock.lock();
    try {
      while (queue.isEmpty()) {
        if (failure != null) {
          throw new MessageAbortedException(failure.getMessage(), failure);
        }
        if (closed) {
          throw new IOException("message body closed");
        }
        if (complete) {
          return -1;
        }
        try {
          changed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while reading the message body");
        }
      }
      ByteBuf head = queue.peek();
      n = Math.min(len, head.readableBytes());
      head.readBytes(b, off, n);
      if (!head.isReadable()) {
        queue.poll().release();
      }
      queued -= n;
      consumed += n;
      if (suspended && queued <= highWater / 2) {
        suspended = false;
        resume = true;
      }
    } finally {
      lock.unlock();
    }
    if (resume) {
      onDrained.run();
    }
    return n;
  }

  @Override
  public int available() throws IOException {
    lock.lock();
    try {
      if (failure != null) {
        throw new MessageAbortedException(failure.getMessage(), failure);
      }
      return (int) Math.min(Integer.MAX_VALUE, queued);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public long transferTo(OutputStream out) throws IOException {
    byte[] buffer = new byte[16 * 1024];
    long total = 0;
    int n;
    while ((n = read(buffer, 0, buffer.length)) >= 0) {
      out.write(buffer, 0, n);
      total += n;
    }
    return total;
  }

  @Override
  public void close() {
    boolean resume;
    lock.lock();
    try {
      closed = true;
      drop();
      resume = suspended;
      suspended = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (resume) {
      onDrained.run();
    }
  }

  /** Whether the handler closed the stream or the engine failed it. */
  boolean isDiscarding() {
    lock.lock();
    try {
      return closed || failure != null;
    } finally {
      lock.unlock();
    }
  }

  private void drop() {
    ByteBuf buf;
    while ((buf = queue.poll()) != null) {
      buf.release();
    }
    queued = 0;
  }
}
