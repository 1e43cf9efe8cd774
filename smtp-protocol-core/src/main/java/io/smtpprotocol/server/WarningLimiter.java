package io.smtpprotocol.server;

/**
 * Lets through a few warnings per interval and counts the rest, so that what a client can provoke
 * at will (a handler failing or timing out, a saturated executor) cannot flood the log.
 */
final class WarningLimiter {

  private final int perInterval;
  private final long intervalNanos;
  private long windowStart;
  private int logged;
  private long suppressed;

  WarningLimiter(int perInterval, long intervalNanos) {
    this.perInterval = perInterval;
    this.intervalNanos = intervalNanos;
    this.windowStart = System.nanoTime();
  }

  /**
   * Whether a warning may be logged now: -1 if not (it is counted), else how many were suppressed
   * since the last one logged.
   */
  synchronized long acquire() {
    long now = System.nanoTime();
    if (now - windowStart >= intervalNanos) {
      windowStart = now;
      logged = 0;
    }
    if (logged >= perInterval) {
      suppressed++;
      return -1;
    }
    logged++;
    long s = suppressed;
    suppressed = 0;
    return s;
  }

  /** The suffix for a warning's text: how many like it were left out before it. */
  static String suppressedNote(long suppressed) {
    return suppressed > 0 ? " (" + suppressed + " similar warnings suppressed before)" : "";
  }
}
