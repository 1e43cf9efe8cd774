package io.smtpprotocol.demo.maildir;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes the entries of some directories durable with group commit: callers that renamed files into
 * them call {@link #sync()}, which returns once an fsync of each directory has started after their
 * call and succeeded. While one round of fsyncs runs, the callers that arrive meanwhile wait for
 * the next round, which then covers all of them: concurrent deliveries share fsyncs instead of
 * queueing for one each.
 */
final class DirectorySync {

  private final List<Path> directories;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition finished = lock.newCondition();
  private long requested;
  private long completed;
  private boolean syncing;
  private long syncs;

  DirectorySync(List<Path> directories) {
    this.directories = List.copyOf(directories);
  }

  /** Returns once every entry change made before this call is on disk. */
  void sync() throws IOException {
    long covers;
    lock.lock();
    try {
      long ticket = ++requested;
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
    } finally {
      lock.unlock();
    }
    IOException failure = null;
    try {
      for (Path directory : directories) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
          channel.force(true);
        }
      }
    } catch (IOException e) {
      failure = e;
    }
    lock.lock();
    try {
      syncing = false;
      syncs++;
      if (failure == null) {
        completed = Math.max(completed, covers);
      }
      finished.signalAll();
    } finally {
      lock.unlock();
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** How many rounds of fsyncs were made so far. */
  long syncs() {
    lock.lock();
    try {
      return syncs;
    } finally {
      lock.unlock();
    }
  }
}
