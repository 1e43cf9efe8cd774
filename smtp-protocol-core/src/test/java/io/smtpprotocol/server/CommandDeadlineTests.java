package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.testing.RawClient;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A command line must be complete within the idle timeout, counted from when the server started
 * waiting for it: octets trickling in one by one do not keep a connection open.
 */
@Timeout(60)
class CommandDeadlineTests {

  private static final Duration IDLE = Duration.ofSeconds(2);

  /** Octets the trickler sends at most, one every 100 ms: far longer than the idle timeout. */
  private static final int MAX_TRICKLE = 300;

  private final ScheduledExecutorService pacer = Executors.newSingleThreadScheduledExecutor();
  private SmtpServer server;

  @AfterEach
  void stop() {
    pacer.shutdownNow();
    server.close();
  }

  @Test
  void commandLineTricklingInIsCutOffAtTheIdleTimeout() throws Exception {
    server = TestServers.start(new RecordingHandler(), Limits.DEFAULTS.withIdleTimeout(IDLE));
    try (RawClient c = new RawClient(server.port(), 30_000)) {
      assertThat(c.reply().code()).isEqualTo(220);
      AtomicInteger sent = new AtomicInteger();
      pacer.scheduleAtFixedRate(
          () -> {
            if (sent.get() < MAX_TRICKLE) {
              try {
                c.send("X");
                sent.incrementAndGet();
              } catch (IOException e) {
                pacer.shutdown(); // closed by the server
              }
            }
          },
          0,
          100,
          TimeUnit.MILLISECONDS);
      RawClient.WireReply reply = c.reply();
      int sentWhenClosed = sent.get();
      assertThat(reply.line()).startsWith("421 4.4.2");
      assertThat(c.closedByServer()).as("connection closed after the 421").isTrue();
      assertThat(sentWhenClosed)
          .as("octets trickled in before the server gave up")
          .isLessThan(MAX_TRICKLE);
    }
  }

  @Test
  void eachCommandGetsItsOwnIdleTimeout() throws Exception {
    server = TestServers.start(new RecordingHandler(), Limits.DEFAULTS.withIdleTimeout(IDLE));
    try (RawClient c = RawClient.greeted(server.port())) {
      // complete commands keep the session alive for longer than one idle timeout in total
      long end = System.nanoTime() + 2 * IDLE.toNanos();
      while (System.nanoTime() < end) {
        assertThat(c.command("NOOP").code()).isEqualTo(250);
      }
      assertThat(c.command("QUIT").code()).isEqualTo(221);
    }
  }
}
