package io.smtpprotocol.test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The messages one server accepted, bounded by count and by total octets. Readers wait on a
 * condition with a deadline; nothing polls.
 */
final class Inbox {

  private final int maxMessages;
  private final long maxOctets;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition arrived = lock.newCondition();
  private final List<ReceivedMessage> messages = new ArrayList<>();
  private long octets;
  private int taken;

  Inbox(int maxMessages, long maxOctets) {
    this.maxMessages = maxMessages;
    this.maxOctets = maxOctets;
  }

  int maxMessages() {
    return maxMessages;
  }

  long maxOctets() {
    return maxOctets;
  }

  /** Whether a message of this size would still fit. */
  boolean fits(long size) {
    lock.lock();
    try {
      return messages.size() < maxMessages && octets + size <= maxOctets;
    } finally {
      lock.unlock();
    }
  }

  /** Adds the message if it fits; returns false, keeping nothing, if it does not. */
  boolean add(ReceivedMessage message) {
    lock.lock();
    try {
      if (messages.size() >= maxMessages || octets + message.size() > maxOctets) {
        return false;
      }
      messages.add(message);
      octets += message.size();
      arrived.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  List<ReceivedMessage> all() {
    lock.lock();
    try {
      return List.copyOf(messages);
    } finally {
      lock.unlock();
    }
  }

  /** The next message not taken yet, waiting up to {@code timeout} for it. */
  Optional<ReceivedMessage> poll(Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (taken >= messages.size()) {
        if (nanos <= 0) {
          return Optional.empty();
        }
        nanos = arrived.awaitNanos(nanos);
      }
      return Optional.of(messages.get(taken++));
    } finally {
      lock.unlock();
    }
  }

  /**
   * The first {@code count} messages once that many have arrived, or empty after {@code timeout}.
   */
  Optional<List<ReceivedMessage>> await(int count, Duration timeout) throws InterruptedException {
    long nanos = timeout.toNanos();
    lock.lock();
    try {
      while (messages.size() < count) {
        if (nanos <= 0) {
          return Optional.empty();
        }
        nanos = arrived.awaitNanos(nanos);
      }
      return Optional.of(List.copyOf(messages.subList(0, count)));
    } finally {
      lock.unlock();
    }
  }

  int size() {
    lock.lock();
    try {
      return messages.size();
    } finally {
      lock.unlock();
    }
  }

  void clear() {
    lock.lock();
    try {
      messages.clear();
      octets = 0;
      taken = 0;
    } finally {
      lock.unlock();
    }
  }
}
