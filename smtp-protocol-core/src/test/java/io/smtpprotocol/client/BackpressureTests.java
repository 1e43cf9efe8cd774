package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Message content is read only as fast as the server takes it; a server that stops is timed out.
 */
class BackpressureTests {

  private static final long SIZE = 128L * 1024 * 1024;
  private static final long BOUND = 32L * 1024 * 1024;

  /** A large message produced on demand, counting what the client has read of it. */
  static final class Counting extends InputStream {
    final AtomicLong read = new AtomicLong();
    private final long size;

    Counting(long size) {
      this.size = size;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0];
    }

    @Override
    public int read(byte[] b, int off, int len) {
      long left = size - read.get();
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      for (int i = 0; i < n; i++) {
        b[off + i] = (byte) ((read.get() + i) % 80 == 79 ? '\n' : 'x');
      }
      read.addAndGet(n);
      return n;
    }
  }

  private final Closer closing = new Closer();

  @org.junit.jupiter.api.AfterEach
  void close() throws Exception {
    closing.close();
  }

  private static ScriptedServer.Script stallAfterData(CountDownLatch resume) {
    return peer -> {
      peer.acceptUpToContent();
      // stop reading until told to go on
      if (!resume.await(30, TimeUnit.SECONDS)) {
        return;
      }
      InputStream in = peer.socket.getInputStream();
      byte[] buffer = new byte[1 << 16];
      // read the body to its final dot (the generated body has no dots)
      int state = 0;
      int n;
      outer:
      while ((n = in.read(buffer)) > 0) {
        for (int i = 0; i < n; i++) {
          byte c = buffer[i];
          state =
              switch (state) {
                case 0 -> c == '\r' ? 1 : 0;
                case 1 -> c == '\n' ? 2 : c == '\r' ? 1 : 0;
                case 2 -> c == '.' ? 3 : c == '\r' ? 1 : 0;
                case 3 -> c == '\r' ? 4 : 0;
                case 4 -> c == '\n' ? 5 : 0;
                default -> state;
              };
          if (state == 5) {
            break outer;
          }
        }
      }
      peer.send("250 2.0.0 all of it\r\n");
      peer.read();
    };
  }

  @Test
  void streamIsReadOnlyAsTheServerTakesIt() throws Exception {
    CountDownLatch resume = new CountDownLatch(1);
    try (ScriptedServer server = new ScriptedServer(stallAfterData(resume));
        SmtpClient client = Servers.client().build()) {
      SmtpConnection c = join(client.connect("127.0.0.1", server.port()));
      Counting body = new Counting(SIZE);
      CompletionStage<SendResult> sent =
          c.send(
              MailEnvelope.of("a@example.com", "b@example.org"),
              MessageContent.of(body, -1, MessageContent.Encoding.SEVEN_BIT));

      // the socket and the outbound buffer fill up, then the client stops reading the stream
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !c.channel().isWritable());
      long whenBlocked = body.read.get();
      assertThat(whenBlocked).isLessThan(BOUND);
      CompletableFuture<Long> later = new CompletableFuture<>();
      c.channel().eventLoop().execute(() -> later.complete(body.read.get()));
      // one more turn of the event loop reads nothing while the channel is not writable
      assertThat(later.get(5, TimeUnit.SECONDS)).isLessThan(BOUND);

      resume.countDown();
      SendResult result = sent.toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(result.message().text()).isEqualTo("all of it");
      assertThat(body.read.get()).isEqualTo(SIZE);
    }
  }

  @Test
  void serverThatStopsTakingDataIsTimedOut() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try (ScriptedServer server = new ScriptedServer(stallAfterData(never));
        SmtpClient client = Servers.client().dataBlockTimeout(Duration.ofMillis(500)).build()) {
      SmtpConnection c = join(client.connect("127.0.0.1", server.port()));
      CompletionStage<SendResult> sent =
          c.send(
              MailEnvelope.of("a@example.com", "b@example.org"),
              MessageContent.of(new Counting(SIZE), -1, MessageContent.Encoding.SEVEN_BIT));
      assertThatThrownBy(() -> sent.toCompletableFuture().get(20, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SmtpConnectionException.class)
          .hasMessageContaining("took no message data");
      never.countDown();
    }
  }

  @Test
  void serverThatStopsReadingWhileTheWholeMessageWaitsInTheClientIsTimedOut() throws Exception {
    // small socket buffers on both sides: 200 KiB is read and written into the channel at once,
    // and most of it stays there, queued behind a socket the server does not read
    CountDownLatch never = new CountDownLatch(1);
    try (ScriptedServer server = new ScriptedServer(stallAfterData(never), 4096)) {
      SmtpClient client =
          closing.add(Servers.client().dataBlockTimeout(Duration.ofMillis(500)).build());
      FlushCounter counter = new FlushCounter();
      SmtpConnection c =
          join(
              client.connect(
                  counter.connect(
                      server.port(),
                      closing,
                      new io.netty.channel.WriteBufferWaterMark(128 * 1024, 256 * 1024),
                      4096)));
      byte[] message = new byte[200 * 1024];
      java.util.Arrays.fill(message, (byte) 'x');
      CompletionStage<SendResult> sent =
          c.send(MailEnvelope.of("a@example.com", "b@example.org"), MessageContent.of(message));
      assertThatThrownBy(() -> sent.toCompletableFuture().get(20, TimeUnit.SECONDS))
          .hasCauseInstanceOf(SmtpConnectionException.class)
          .hasMessageContaining("took no message data");
      never.countDown();
    }
  }
}
