package io.smtpprotocol.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Failed AUTH attempts per client address, shared by all of a server's connections, so that opening
 * more connections does not buy more password guesses. An IPv6 client counts by its /64 prefix (one
 * host usually holds a whole /64). The table is bounded: beyond {@link #capacity} addresses the one
 * that failed least recently is forgotten.
 */
final class AddressFailures {

  /** Addresses remembered at most (about 100 bytes each). */
  static final int DEFAULT_CAPACITY = 10_000;

  private final int maxFailures;
  private final long windowNanos;
  private final int capacity;
  private final Map<Key, Window> table;

  /** Failures of one address since {@code start}. */
  private static final class Window {
    long start;
    int failures;
  }

  /** An IPv4 address, or an IPv6 /64 prefix. */
  private record Key(byte[] octets) {
    static Key of(InetAddress address) {
      byte[] bytes = address.getAddress();
      return new Key(address instanceof Inet6Address ? Arrays.copyOf(bytes, 8) : bytes);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(octets, k.octets);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(octets);
    }
  }

  AddressFailures(int maxFailures, Duration window, int capacity) {
    this.maxFailures = maxFailures;
    this.windowNanos = window.toNanos();
    this.capacity = capacity;
    this.table =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Window> eldest) {
            return size() > AddressFailures.this.capacity;
          }
        };
  }

  /** Whether the address has used up its failures for now. */
  synchronized boolean exhausted(@Nullable InetAddress address) {
    if (address == null) {
      return false;
    }
    Key key = Key.of(address);
    Window w = table.get(key);
    if (w == null) {
      return false;
    }
    if (System.nanoTime() - w.start >= windowNanos) {
      table.remove(key);
      return false;
    }
    return w.failures >= maxFailures;
  }

  /** Counts one failed attempt from the address. */
  synchronized void failed(@Nullable InetAddress address) {
    if (address == null) {
      return;
    }
    long now = System.nanoTime();
    Window w = table.computeIfAbsent(Key.of(address), k -> new Window());
    if (w.failures == 0 || now - w.start >= windowNanos) {
      w.start = now;
      w.failures = 0;
    }
    w.failures++;
  }

  /** Addresses remembered now. */
  synchronized int size() {
    return table.size();
  }
}
