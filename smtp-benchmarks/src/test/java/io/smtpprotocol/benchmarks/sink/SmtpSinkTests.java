package io.smtpprotocol.benchmarks.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.testing.RawClient;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SmtpSinkTests {

  @Test
  void sinkAcceptsAMessageAndAnswers250() throws IOException {
    SmtpServer sink = SmtpSink.start("--port", "0", "--address", "127.0.0.1", "--io-threads", "1");
    try (RawClient c = new RawClient(sink.port())) {
      assertThat(c.reply().line()).startsWith("220 smtp-sink ");
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<bench@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<anyone@anywhere.test>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      String body = "Subject: x\r\n\r\n" + ("X".repeat(80) + "\r\n").repeat(1000) + "..dot\r\n";
      assertThat(c.command(body + ".").code()).isEqualTo(250);
      assertThat(c.command("QUIT").code()).isEqualTo(221);
    } finally {
      sink.shutdownGracefully(Duration.ofSeconds(1)).join();
    }
  }

  @Test
  void messageAboveMaxMessageSizeIsRefusedWith552() throws IOException {
    SmtpServer sink = SmtpSink.start("--port=0", "--max-message-size=1000", "--io-threads=1");
    try (RawClient c = RawClient.greeted(sink.port())) {
      assertThat(c.command("HELO client.test").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<a@b.test>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("X".repeat(2000) + "\r\n.").code()).isEqualTo(552);
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
      try (RawClient c = new RawClient(sink.port())) {
        c.send("EHLO client.test\r\n");
        assertThat(c.readLine()).isNull(); // closed without a greeting
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
}
