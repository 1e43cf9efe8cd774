package io.smtpprotocol.demo.maildir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Makes directory entries durable with group commit: callers that renamed files into some
 * directories call {@link #sync}, which returns once an fsync of each of those directories has
 * started after their call and succeeded. While one round of fsyncs runs, the callers that arrive
 * meanwhile wait for the next round, which then covers all of them: concurrent deliveries share
 * fsyncs instead of queueing for one each. The directories of one round are fsynced in parallel,
 * so that the file system commits them together.
 */
final class DirectorySync {

  private final ExecutorService pool;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition finished = lock.newCondition();
  private final Set<Path> pending = new LinkedHashSet<>();
  private long requested;
  private long completed;
  private boolean syncing;
  private long rounds;

  /**
   * @param pool runs all but one of the fsyncs of a round
   */
  DirectorySync(ExecutorService pool) {
    this.pool = pool;
  }

  /** Returns once every entry change made in {@code directories} before this call is on disk. */
  void sync(Collection<Path> directories) throws IOException {
    long covers;
    List<Path> round;
    lock.lock();
    try {
      long ticket = ++requested;
      pending.addAll(directories);
      while (completed < ticket && syncing) {
        try {
          finished.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for a directory fsync");
        }
      }
      if (completed >= ticket) {
        return;
      }
      syncing = true;
      covers = requested;
      round = new ArrayList<>(pending);
      pending.clear();
    } finally {
      lock.unlock();
    }
    IOException failure = fsyncAll(round);
    lock.lock();
    try {
      syncing = false;
      rounds++;
      if (failure == null) {
        completed = Math.max(completed, covers);
      } else {
        pending.addAll(round); // the next leader tries them again
      }
      finished.signalAll();
    } finally {
      lock.unlock();
    }
    if (failure != null) {
      throw failure;
    }
  }

  private @Nullable IOException fsyncAll(List<Path> directories) throws InterruptedIOException {
    List<Future<?>> others = new ArrayList<>();
    for (Path directory : directories.subList(Math.min(1, directories.size()), directories.size())) {
      others.add(pool.submit(() -> fsync(directory)));
    }
    IOException failure = null;
    if (!directories.isEmpty()) {
      try {
        fsync(directories.get(0));
      } catch (IOException e) {
        failure = e;
      }
    }
    for (Future<?> other : others) {
      try {
        other.get();
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for a directory fsync");
      }
    }
    return failure;
  }

  private static @Nullable Void fsync(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
    return null;
  }

  /** How many rounds of fsyncs were made so far. */
  long rounds() {
    lock.lock();
    try {
      return rounds;
    } finally {
      lock.unlock();
    }
  }
}
