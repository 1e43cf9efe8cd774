package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A slow handler reading a large body: the engine buffers a bounded amount and loses nothing. */
@Timeout(30)
class BackpressureTests {

  private static final int BODY_BUFFER = 16 * 1024;

  /** What may be queued at most: the buffer plus one slice of input (two socket reads). */
  private static final int BOUND = BODY_BUFFER + 2 * 32 * 1024;

  @AutoClose private SmtpServer server;

  /** Reads the body in small steps, pausing between them, and checks the queue each time. */
  private static final class SlowReader implements SmtpHandler {
    final AtomicLong maxQueued = new AtomicLong();
    final CompletableFuture<byte[]> digest = new CompletableFuture<>();

    @Override
    public CompletionStage<Decision> message(
        SessionInfo session, Envelope envelope, MessageBody body) {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[4096];
        int n;
        int reads = 0;
        while ((n = body.read(buf, 0, buf.length)) >= 0) {
          sha.update(buf, 0, n);
          maxQueued.accumulateAndGet(((BodyQueue) body).queued(), Math::max);
          if (++reads % 16 == 0) {
            Thread.sleep(1); // a slow consumer: the client is much faster
          }
        }
        digest.complete(sha.digest());
        return Decision.acceptStage();
      } catch (Exception e) {
        digest.completeExceptionally(e);
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  /** About {@code size} octets of random printable lines, some starting with a dot. */
  private static byte[] message(int size, long seed) {
    Random random = new Random(seed);
    StringBuilder sb = new StringBuilder(size + 100);
    while (sb.length() < size) {
      int len = random.nextInt(120);
      if (random.nextInt(10) == 0) {
        sb.append('.');
      }
      for (int i = 0; i < len; i++) {
        sb.append((char) (' ' + random.nextInt(95)));
      }
      sb.append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] dotStuffed(byte[] message) {
    String s = new String(message, StandardCharsets.US_ASCII);
    return (s.startsWith(".") ? "." + s : s)
        .replace("\r\n.", "\r\n..")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] sha256(byte[] data) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(data);
  }

  private SlowReader startServer() {
    SlowReader handler = new SlowReader();
    server =
        TestServers.start(
            handler, Limits.DEFAULTS.withBodyBufferSize(BODY_BUFFER).withMaxMessageSize(64L << 20));
    return handler;
  }

  @Test
  void largeDataBodyIsStreamedWithBoundedBuffering() throws Exception {
    SlowReader handler = startServer();
    byte[] message = message(4 << 20, 1);
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      c.command("RCPT TO:<b@example.com>");
      assertThat(c.command("DATA").code()).isEqualTo(354);
      c.sendBytes(dotStuffed(message));
      assertThat(c.command(".").code()).isEqualTo(250);
    }
    assertThat(handler.digest.get()).isEqualTo(sha256(message));
    assertThat(handler.maxQueued.get()).isPositive().isLessThanOrEqualTo(BOUND);
  }

  @Test
  void handlerThatStopsReadingEarlyDoesNotStallTheSession() throws Exception {
    SmtpHandler handler =
        new SmtpHandler() {
          @Override
          public CompletionStage<Decision> message(
              SessionInfo session, Envelope envelope, MessageBody body) {
            try {
              body.readNBytes(1000); // enough to decide
            } catch (java.io.IOException e) {
              return CompletableFuture.failedFuture(e);
            }
            return Decision.reject(554, "5.7.1", "Spam").asStage();
          }
        };
    server =
        TestServers.start(
            handler, Limits.DEFAULTS.withBodyBufferSize(BODY_BUFFER).withMaxMessageSize(64L << 20));
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      c.command("RCPT TO:<b@example.com>");
      c.command("DATA");
      c.sendBytes(dotStuffed(message(2 << 20, 3)));
      // the engine reads the rest and drops it; the reply comes after the end of the data
      assertThat(c.command(".").line()).isEqualTo("554 5.7.1 Spam");
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void largeBdatBodyIsStreamedWithBoundedBuffering() throws Exception {
    SlowReader handler = startServer();
    byte[] message = message(4 << 20, 2);
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      c.command("MAIL FROM:<a@example.com>");
      c.command("RCPT TO:<b@example.com>");
      int chunk = 1 << 20;
      for (int off = 0; off < message.length; off += chunk) {
        int n = Math.min(chunk, message.length - off);
        boolean last = off + n == message.length;
        c.send("BDAT " + n + (last ? " LAST" : "") + "\r\n");
        c.sendBytes(Arrays.copyOfRange(message, off, off + n));
        assertThat(c.reply().code()).isEqualTo(250);
      }
    }
    assertThat(handler.digest.get()).isEqualTo(sha256(message));
    assertThat(handler.maxQueued.get()).isPositive().isLessThanOrEqualTo(BOUND);
  }
}
