package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.WriteBufferWaterMark;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.server.SmtpServer;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Message content on the wire: windows and flushes, order behind it, streams closed, read failures.
 */
class ContentStreamTests {

  /** The water marks the client sets on the channels it opens. */
  private static final WriteBufferWaterMark MARKS =
      new WriteBufferWaterMark(128 * 1024, 256 * 1024);

  private final Inbox inbox = new Inbox();
  private final Closer closing = new Closer();

  @AfterEach
  void close() throws Exception {
    closing.close();
  }

  private SmtpServer server() {
    return closing.add(Servers.builder(inbox).build().start());
  }

  private SmtpClient client() {
    return closing.add(Servers.client().build());
  }

  /**
   * Lines of {@code width} octets with bare LFs, bare CRs and leading dots here and there, so that
   * line breaks and dots fall on every kind of chunk boundary; and the same with CRLF line endings,
   * as the server's handler receives it.
   */
  private static String[] message(int size, int width) {
    StringBuilder in = new StringBuilder(size + width);
    StringBuilder out = new StringBuilder(size + size / 8);
    for (int n = 0; in.length() < size; n++) {
      String line =
          (n % 5 == 0 ? "." : "") + "line " + n + " " + "x".repeat(Math.max(0, width - 12));
      String end = n % 7 == 0 ? "\n" : n % 11 == 0 ? "\r" : "\r\n";
      in.append(line).append(end);
      out.append(line).append("\r\n");
    }
    return new String[] {in.toString(), out.toString()};
  }

  @Test
  void contentThatFitsInOneWindowGoesOutInOneFlush() throws Exception {
    SmtpServer server = server();
    FlushCounter counter = new FlushCounter();
    SmtpConnection c = join(client().connect(counter.connect(server.port(), closing, MARKS, 0)));
    join(c.prepare());
    String[] m = message(200 * 1024, 76);

    counter.lines.clear();
    join(c.send(MailEnvelope.of("a@example.com", "b@example.org"), MessageContent.of(m[0])));

    // the envelope, then four chunks of content and the end of data in one flush
    assertThat(counter.lines).hasSize(2);
    assertThat(counter.lines.get(1)).isEqualTo(stuffed(m[1]) + ".\r\n");
    assertThat(inbox.take().text()).isEqualTo(m[1]);
  }

  @Test
  void largerContentGoesOutWindowByWindowAndArrivesWhole() throws Exception {
    SmtpServer server = server();
    FlushCounter counter = new FlushCounter();
    SmtpConnection c = join(client().connect(counter.connect(server.port(), closing, MARKS, 0)));
    join(c.prepare());
    String[] m = message(3 * 1024 * 1024, 998);

    counter.lines.clear();
    join(c.send(MailEnvelope.of("a@example.com", "b@example.org"), MessageContent.of(m[0])));

    assertThat(inbox.take().text()).isEqualTo(m[1]);
    // never more than a window and one chunk (and what a chunk may grow by) between flushes
    assertThat(counter.lines.size()).isGreaterThan(2);
    assertThat(counter.lines)
        .allSatisfy(
            flushed -> assertThat(flushed.length()).isLessThanOrEqualTo(256 * 1024 + 70 * 1024));
  }

  /** Lines with a dot doubled at their start, as DATA sends them. */
  private static String stuffed(String lines) {
    return ("\r\n" + lines).replace("\r\n.", "\r\n..").substring(2);
  }

  @Test
  void commandsIssuedWhileTheContentIsWrittenGoOutAfterIt() throws Exception {
    SmtpServer server = server();
    SmtpConnection c = join(client().connect("127.0.0.1", server.port()));
    join(c.ehlo("client.test"));
    String[] m = message(2 * 1024 * 1024, 200);
    byte[] bytes = m[0].getBytes(StandardCharsets.US_ASCII);

    CompletionStage<Reply> mail = c.mailFrom(ReversePath.of(Mailbox.parse("a@example.com")));
    CompletionStage<Reply> rcpt = c.rcptTo(Mailbox.parse("b@example.org"));
    CompletionStage<Reply> data = c.data();
    CompletionStage<Reply> message = c.message(new ByteArrayInputStream(bytes));
    CompletionStage<Reply> noop = c.noop();
    CompletionStage<Reply> rset = c.rset();

    assertThat(join(mail).code()).isEqualTo(250);
    assertThat(join(rcpt).code()).isEqualTo(250);
    assertThat(join(data).code()).isEqualTo(354);
    assertThat(join(message).code()).isEqualTo(250);
    assertThat(join(noop).code()).isEqualTo(250);
    assertThat(join(rset).code()).isEqualTo(250);
    assertThat(inbox.take().text()).isEqualTo(m[1]);
  }

  /**
   * A stream that records being closed, and fails after {@code failAfter} octets (never if
   * negative).
   */
  private static final class Watched extends FilterInputStream {
    final AtomicBoolean closed = new AtomicBoolean();
    private final long failAfter;
    private long read;

    Watched(byte[] content, long failAfter) {
      super(new ByteArrayInputStream(content));
      this.failAfter = failAfter;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (failAfter >= 0 && read >= failAfter) {
        throw new IOException("disk gone");
      }
      int n = super.read(b, off, len);
      read += Math.max(n, 0);
      return n;
    }

    @Override
    public void close() throws IOException {
      closed.set(true);
      super.close();
    }
  }

  @Test
  void theStreamIsClosedOnceSent() throws Exception {
    SmtpServer server = server();
    SmtpConnection c = join(client().connect("127.0.0.1", server.port()));
    byte[] bytes = message(300 * 1024, 76)[0].getBytes(StandardCharsets.US_ASCII);
    Watched stream = new Watched(bytes, -1);

    join(
        c.send(
            MailEnvelope.of("a@example.com", "b@example.org"),
            MessageContent.of(stream, bytes.length, MessageContent.Encoding.SEVEN_BIT)));

    assertThat(stream.closed).isTrue();
    assertThat(c.isOpen()).isTrue();
  }

  @Test
  void aStreamThatFailsMidwayFailsTheSendClosesTheConnectionAndIsClosed() throws Exception {
    SmtpServer server = server();
    SmtpConnection c = join(client().connect("127.0.0.1", server.port()));
    byte[] bytes = message(1024 * 1024, 76)[0].getBytes(StandardCharsets.US_ASCII);
    Watched stream = new Watched(bytes, 200 * 1024);

    assertThatThrownBy(
            () ->
                join(
                    c.send(
                        MailEnvelope.of("a@example.com", "b@example.org"),
                        MessageContent.of(
                            stream, bytes.length, MessageContent.Encoding.SEVEN_BIT))))
        .isInstanceOf(SmtpConnectionException.class)
        .hasMessageContaining("cannot read the message")
        .hasRootCauseMessage("disk gone");
    assertThat(stream.closed).isTrue();
    assertThat(c.isOpen()).isFalse();
    // the server got no message: the data never ended
    assertThat(inbox.messages.poll(200, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
  }

  @Test
  void aConnectionDroppedWhileTheContentIsWrittenClosesTheStream() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            peer -> {
              peer.acceptUpToContent();
              peer.read();
              peer.socket.close();
            })) {
      SmtpConnection c = join(client().connect("127.0.0.1", server.port()));
      BackpressureTests.Counting body = new BackpressureTests.Counting(128L * 1024 * 1024);
      AtomicBoolean closed = new AtomicBoolean();
      InputStream watched =
          new FilterInputStream(body) {
            @Override
            public void close() {
              closed.set(true);
            }
          };
      assertThatThrownBy(
              () ->
                  join(
                      c.send(
                          MailEnvelope.of("a@example.com", "b@example.org"),
                          MessageContent.of(watched, -1, MessageContent.Encoding.SEVEN_BIT))))
          .isInstanceOf(SmtpConnectionException.class);
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilTrue(closed);
      assertThat(body.read.get()).isLessThan(128L * 1024 * 1024);
    }
  }
}
