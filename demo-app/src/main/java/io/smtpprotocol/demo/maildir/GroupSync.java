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
 * Makes changes durable with group commit: callers that renamed files into some directories, or
 * appended to the envelope journal, call {@link #sync} with those targets, which returns once a
 * sync of each of them has started after their call and succeeded. While one round of syncs runs,
 * the callers that arrive meanwhile wait for the next round, which then covers all of them:
 * concurrent deliveries share fsyncs instead of queueing for one each. The targets of one round are
 * synced in parallel, so that the file system commits them together.
 */
final class GroupSync {

  /** Something that can be made durable; equal targets are synced once per round. */
  interface Target {
    void force() throws IOException;
  }

  /** The entries of a directory (names created, renamed or removed in it). */
  record Directory(Path path) implements Target {
    @Override
    public void force() throws IOException {
      fsyncDirectory(path);
    }
  }

  private final ExecutorService pool;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition finished = lock.newCondition();
  private final Set<Target> pending = new LinkedHashSet<>();
  private long requested;
  private long completed;
  private boolean syncing;
  private long rounds;

  /**
   * @param pool runs all but one of the fsyncs of a round
   */
  GroupSync(ExecutorService pool) {
    this.pool = pool;
  }

  /** Returns once every change made to {@code targets} before this call is on disk. */
  void sync(Collection<? extends Target> targets) throws IOException {
    long covers;
    List<Target> round;
    lock.lock();
    try {
      long ticket = ++requested;
      pending.addAll(targets);
      while (completed < ticket && syncing) {
        try {
          finished.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for an fsync");
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

  private @Nullable IOException fsyncAll(List<Target> targets) throws InterruptedIOException {
    List<Future<?>> others = new ArrayList<>();
    for (Target target : targets.subList(Math.min(1, targets.size()), targets.size())) {
      others.add(
          pool.submit(
              () -> {
                target.force();
                return null;
              }));
    }
    IOException failure = null;
    if (!targets.isEmpty()) {
      try {
        targets.get(0).force();
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
        throw new InterruptedIOException("interrupted while waiting for an fsync");
      }
    }
    return failure;
  }

  /** Makes the entries of {@code directory} durable. */
  static void fsyncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
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
