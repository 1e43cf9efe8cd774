package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.smtpprotocol.testing.RawClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that pipelines commands and never reads the replies: the server stops reading its
 * commands once the replies queued for it reach the write buffer's bound, so it holds a bounded
 * amount for that connection whatever the client sends.
 */
@Timeout(60)
class WriteBackpressureTests {

  private static final int WRITE_BUFFER = 16 * 1024;
  private static final int BODY_BUFFER = 32 * 1024;

  /** More than the server could ever take from a client it no longer reads. */
  private static final long ATTACK_LIMIT = 256L * 1024 * 1024;

  private final RecordingHandler handler = new RecordingHandler();
  @AutoClose private SmtpServer server;

  private SmtpServer start(Limits limits) {
    server =
        TestServers.start(
            handler, limits.withWriteBufferSize(WRITE_BUFFER).withBodyBufferSize(BODY_BUFFER));
    return server;
  }

  @Test
  void clientThatNeverReadsIsNoLongerReadAndItsRepliesStayBounded() throws Exception {
    start(Limits.DEFAULTS);
    try (SocketChannel attacker = openAttacker()) {
      long written = pipelineUntilStalled(attacker, "EHLO x\r\n");
      assertThat(written).as("octets the client could send").isLessThan(ATTACK_LIMIT);

      Channel session = onlySession();
      assertThat(onEventLoop(session, () -> session.config().isAutoRead()))
          .as("the server reads from the socket")
          .isFalse();
      assertThat(onEventLoop(session, () -> pendingOutbound(session)))
          .as("reply octets queued for the client")
          .isGreaterThan(WRITE_BUFFER / 2)
          .isLessThanOrEqualTo(WRITE_BUFFER + 1024);
      SmtpServerDecoder decoder = session.pipeline().get(SmtpServerDecoder.class);
      assertThat(onEventLoop(session, decoder::bufferedBytes))
          .as("command octets buffered")
          .isLessThanOrEqualTo(BODY_BUFFER + 32 * 1024);

      // another client is served meanwhile
      try (RawClient other = RawClient.greeted(server.port())) {
        other.ehlo();
        assertThat(other.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
        assertThat(other.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
        assertThat(other.command("DATA").code()).isEqualTo(354);
        assertThat(other.command("Subject: hi\r\n\r\nbody\r\n.").code()).isEqualTo(250);
        assertThat(other.command("QUIT").code()).isEqualTo(221);
      }
    }
    // the attacker is gone: its connection and everything queued for it are released
    await().atMost(Duration.ofSeconds(20)).until(() -> server.activeSessions() == 0);
    assertThat(server.channels()).isEmpty();
  }

  @Test
  void readingResumesWhenTheClientTakesItsReplies() throws Exception {
    start(Limits.DEFAULTS);
    try (SocketChannel client = openAttacker()) {
      int commands = 20_000;
      ByteBuffer out =
          ByteBuffer.wrap("NOOP\r\n".repeat(commands).getBytes(StandardCharsets.US_ASCII));
      ByteBuffer in = ByteBuffer.allocate(64 * 1024);
      int replies = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      try (Selector selector = Selector.open()) {
        client.register(selector, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        while (replies < commands && System.nanoTime() < deadline) {
          selector.select(1000);
          if (out.hasRemaining()) {
            client.write(out);
          } else {
            client.keyFor(selector).interestOps(SelectionKey.OP_READ);
          }
          int n = client.read(in);
          if (n < 0) {
            break;
          }
          in.flip();
          while (in.hasRemaining()) {
            if (in.get() == '\n') {
              replies++;
            }
          }
          in.clear();
          selector.selectedKeys().clear();
        }
      }
      assertThat(replies).as("greeting and NOOP replies read").isEqualTo(commands + 1);
    }
  }

  @Test
  void idleTimeoutClosesAClientThatDoesNotReadItsReplies() throws Exception {
    start(Limits.DEFAULTS.withIdleTimeout(Duration.ofMillis(500)));
    try (SocketChannel attacker = openAttacker()) {
      pipelineUntilStalled(attacker, "NOOP\r\n");
      await().atMost(Duration.ofSeconds(20)).until(() -> server.activeSessions() == 0);
    }
  }

  @Test
  void gracefulShutdownEndsAtItsDeadlineWhileTheClientStillDoesNotRead() throws Exception {
    start(Limits.DEFAULTS);
    try (SocketChannel attacker = openAttacker()) {
      pipelineUntilStalled(attacker, "EHLO x\r\n");
      server.shutdownGracefully(Duration.ofMillis(300)).get(15, TimeUnit.SECONDS);
      assertThat(server.isRunning()).isFalse();
      // the session's count drops when its close has been processed, just after the close itself
      await().atMost(Duration.ofSeconds(5)).until(() -> server.activeSessions() == 0);
    }
  }

  @Test
  void writeBufferSizeHasABound() {
    assertThat(Limits.DEFAULTS.writeBufferSize()).isEqualTo(64 * 1024);
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> Limits.DEFAULTS.withWriteBufferSize(100))
        .withMessageContaining("writeBufferSize");
  }

  // ------------------------------------------------------------------------------------------

  /** A connection with a small receive buffer, greeted, in non-blocking mode. */
  private SocketChannel openAttacker() throws IOException {
    SocketChannel ch = SocketChannel.open();
    ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
    ch.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
    ch.configureBlocking(false);
    return ch;
  }

  /**
   * Writes pipelined commands, never reading, until the server has stopped reading the connection
   * and the socket takes no more, or until the server closes it. Returns the octets written
   * (bounded by {@link #ATTACK_LIMIT}).
   */
  private long pipelineUntilStalled(SocketChannel attacker, String command) throws Exception {
    byte[] block = command.repeat(8192 / command.length()).getBytes(StandardCharsets.US_ASCII);
    ByteBuffer buf = ByteBuffer.wrap(block);
    long written = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    try (Selector selector = Selector.open()) {
      attacker.register(selector, SelectionKey.OP_WRITE);
      while (written < ATTACK_LIMIT && System.nanoTime() < deadline) {
        if (!buf.hasRemaining()) {
          buf.rewind();
        }
        int n;
        try {
          n = attacker.write(buf);
        } catch (IOException e) {
          return written; // the server closed the connection (an idle timeout, say)
        }
        written += n;
        if (n == 0) {
          if (server.activeSessions() == 1 && !serverReads()) {
            if (selector.select(500) == 0) {
              return written; // the socket is full and the server reads no more
            }
          } else {
            selector.select(100);
          }
          selector.selectedKeys().clear();
        }
      }
    }
    return written;
  }

  private boolean serverReads() throws Exception {
    List<Channel> channels = server.channels();
    if (channels.size() != 1) {
      return true;
    }
    Channel ch = channels.get(0);
    return onEventLoop(ch, () -> ch.config().isAutoRead());
  }

  private Channel onlySession() {
    List<Channel> channels = server.channels();
    assertThat(channels).hasSize(1);
    return channels.get(0);
  }

  private static long pendingOutbound(Channel ch) {
    ChannelOutboundBuffer buffer = ch.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  private static <T> T onEventLoop(Channel ch, java.util.concurrent.Callable<T> task)
      throws Exception {
    return ch.eventLoop().submit(task).get(10, TimeUnit.SECONDS);
  }
}
