package io.smtpprotocol.benchmarks.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.smtpprotocol.server.SmtpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmtpSinkTests {

  @Test
  void sinkAcceptsAMessageAndAnswers250() throws IOException {
    SmtpServer sink = SmtpSink.start("--port", "0", "--address", "127.0.0.1", "--io-threads", "1");
    try (Socket socket = connect(sink.port())) {
      BufferedReader in = reader(socket);
      OutputStream out = socket.getOutputStream();
      assertThat(in.readLine()).startsWith("220 smtp-sink ");
      assertThat(command(in, out, "EHLO client.test")).startsWith("250 ");
      assertThat(command(in, out, "MAIL FROM:<bench@example.com>")).startsWith("250 ");
      assertThat(command(in, out, "RCPT TO:<anyone@anywhere.test>")).startsWith("250 ");
      assertThat(command(in, out, "DATA")).startsWith("354 ");
      String body = "Subject: x\r\n\r\n" + ("X".repeat(80) + "\r\n").repeat(1000) + "..dot\r\n";
      assertThat(command(in, out, body + ".")).startsWith("250 ");
      assertThat(command(in, out, "QUIT")).startsWith("221 ");
    } finally {
      sink.shutdownGracefully(Duration.ofSeconds(1)).join();
    }
  }

  @Test
  void messageAboveMaxMessageSizeIsRefusedWith552() throws IOException {
    SmtpServer sink = SmtpSink.start("--port=0", "--max-message-size=1000", "--io-threads=1");
    try (Socket socket = connect(sink.port())) {
      BufferedReader in = reader(socket);
      OutputStream out = socket.getOutputStream();
      in.readLine();
      assertThat(command(in, out, "HELO client.test")).startsWith("250 ");
      assertThat(command(in, out, "MAIL FROM:<>")).startsWith("250 ");
      assertThat(command(in, out, "RCPT TO:<a@b.test>")).startsWith("250 ");
      assertThat(command(in, out, "DATA")).startsWith("354 ");
      assertThat(command(in, out, "X".repeat(2000) + "\r\n.")).startsWith("552 ");
    } finally {
      sink.shutdownGracefully(Duration.ofSeconds(1)).join();
    }
  }

  @Test
  void optionsHaveLoadTestDefaults() {
    SmtpSink.Options o = SmtpSink.Options.parse();
    assertThat(o.address()).isEqualTo("127.0.0.1");
    assertThat(o.port()).isEqualTo(2525);
    assertThat(o.ioThreads())
        .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    assertThat(o.maxMessageSize()).isEqualTo(100L * 1024 * 1024);
    assertThat(o.warmup()).isEqualTo(50_000);
    assertThat(SmtpSink.Options.parse("--warmup", "0").warmup()).isZero();
  }

  @Test
  void warmupSendsSmallAndLargeMessagesThatAreAllAccepted() throws IOException {
    SmtpServer sink = SmtpSink.start("--port", "0", "--io-threads", "1");
    try {
      assertThat(Warmup.run(sink, 25, true)).isEqualTo(25);
    } finally {
      sink.shutdownGracefully(Duration.ofSeconds(1)).join();
    }
  }

  @Test
  void warmupFailsLoudlyWhenTheSinkRefusesItsMessages() {
    SmtpServer sink = SmtpSink.start("--port=0", "--max-message-size=2000", "--io-threads=1");
    try {
      // each connection sends ten messages, the tenth of 100 KiB: the sink answers 552
      assertThatIOException()
          .isThrownBy(() -> Warmup.run(sink, 80, true))
          .withMessageContaining("got 552");
    } finally {
      sink.shutdownGracefully(Duration.ofSeconds(1)).join();
    }
  }

  @Test
  void behindTheProxyProtocolTheSinkWantsAHeaderAndItsWarmupSendsOne() throws IOException {
    SmtpSink.Options options =
        SmtpSink.Options.parse("--port=0", "--io-threads=1", "--proxy-protocol=127.0.0.1");
    assertThat(options.trustedProxies()).containsExactly("127.0.0.1");
    SmtpServer sink = SmtpSink.start(options);
    try {
      try (Socket socket = connect(sink.port())) {
        socket.getOutputStream().write("EHLO client.test\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(reader(socket).readLine()).isNull(); // closed without a greeting
      }
      assertThat(Warmup.run(sink, 20, true, true)).isEqualTo(20);
    } finally {
      sink.shutdownGracefully(Duration.ofSeconds(1)).join();
    }
  }

  @Test
  void unknownOrMalformedOptionsAreRefused() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SmtpSink.Options.parse("--nope", "1"))
        .withMessageContaining("--nope");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SmtpSink.Options.parse("--port", "x"))
        .withMessageContaining("--port");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SmtpSink.Options.parse("--port"))
        .withMessageContaining("missing value");
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  private static BufferedReader reader(Socket socket) throws IOException {
    return new BufferedReader(
        new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
  }

  /** Sends a line and returns the last line of the reply. */
  private static String command(BufferedReader in, OutputStream out, String line)
      throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String reply;
    do {
      reply = in.readLine();
      if (reply == null) {
        throw new IOException("connection closed after " + line.lines().findFirst().orElse(""));
      }
    } while (reply.length() > 3 && reply.charAt(3) == '-');
    return reply;
  }
}
