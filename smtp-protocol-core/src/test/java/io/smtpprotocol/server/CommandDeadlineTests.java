package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A command line must be complete within the idle timeout, counted from when the server started
 * waiting for it: octets trickling in one by one do not keep a connection open. On the session's
 * own clock, frozen: no sockets, no waiting.
 */
class CommandDeadlineTests {

  private static final Duration IDLE = Duration.ofSeconds(2);

  /** Octets the trickler sends at most, one every 100 ms: far longer than the idle timeout. */
  private static final int MAX_TRICKLE = 300;

  private static SessionHarness greeted() {
    return SessionHarness.greeted(
        TestServers.builder(new RecordingHandler()).limits(Limits.DEFAULTS.withIdleTimeout(IDLE)));
  }

  @Test
  void commandLineTricklingInIsCutOffAtTheIdleTimeout() {
    try (SessionHarness c = greeted()) {
      int sent = 0;
      while (sent < MAX_TRICKLE && c.silent()) {
        c.write("X").elapse(100);
        sent++;
      }
      assertThat(c.reply().line()).startsWith("421 4.4.2");
      assertThat(c.closedByServer()).as("connection closed after the 421").isTrue();
      assertThat(sent).as("octets trickled in before the server gave up").isLessThan(MAX_TRICKLE);
      // the deadline counted from the greeting: 2 s, one octet every 100 ms
      assertThat(sent).isEqualTo((int) (IDLE.toMillis() / 100));
    }
  }

  @Test
  void eachCommandGetsItsOwnIdleTimeout() {
    try (SessionHarness c = greeted()) {
      // complete commands keep the session alive for longer than one idle timeout in total
      for (long elapsed = 0; elapsed < 2 * IDLE.toMillis(); elapsed += 1500) {
        assertThat(c.elapse(1500).command("NOOP").code()).isEqualTo(250);
      }
      assertThat(c.command("QUIT").code()).isEqualTo(221);
    }
  }
}
