package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.protocol.Reply;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Servers that misbehave: every failure ends the waiting stages, none hangs. */
class FaultTests {

  @AutoClose
  private final SmtpClient client =
      Servers.client()
          .greetingTimeout(Duration.ofMillis(300))
          .commandTimeout(Duration.ofMillis(300))
          .dataInitiationTimeout(Duration.ofMillis(300))
          .finalTimeout(Duration.ofMillis(300))
          .build();

  @Test
  void greetingThatNeverComesTimesOut() throws Exception {
    try (ScriptedServer server = new ScriptedServer(peer -> peer.read())) {
      assertThatThrownBy(() -> join(client.connect("127.0.0.1", server.port())))
          .isInstanceOf(SmtpConnectionException.class)
          .hasMessageContaining("no reply to greeting within PT0.3S");
    }
  }

  @Test
  void commandWithoutAReplyTimesOutAndFailsWhatIsQueuedBehindIt() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            peer -> {
              peer.send("220 scripted.test ESMTP\r\n");
              peer.expect("NOOP");
              while (peer.read() != null) {
                // never answers; the client gives up and closes
              }
            })) {
      SmtpConnection c = join(client.connect("127.0.0.1", server.port()));
      CompletionStage<Reply> first = c.noop();
      CompletionStage<Reply> second = c.noop();
      assertThatThrownBy(() -> join(first))
          .isInstanceOf(SmtpConnectionException.class)
          .hasMessageContaining("no reply to NOOP");
      assertThatThrownBy(() -> join(second)).isInstanceOf(SmtpConnectionException.class);
      assertThat(c.isOpen()).isFalse();
      assertThatThrownBy(() -> join(c.noop())).isInstanceOf(SmtpConnectionException.class);
    }
  }

  @Test
  void connectionDroppedInTheMiddleOfDataFailsTheSend() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            peer -> {
              peer.acceptUpToContent();
              peer.read();
              peer.socket.close();
            })) {
      SmtpConnection c = join(client.connect("127.0.0.1", server.port()));
      byte[] big = new byte[4 * 1024 * 1024];
      java.util.Arrays.fill(big, (byte) 'a');
      for (int i = 100; i < big.length; i += 100) {
        big[i] = '\n';
      }
      assertThatThrownBy(
              () ->
                  join(
                      c.send(
                          MailEnvelope.of("a@example.com", "b@example.org"),
                          MessageContent.of(big))))
          .isInstanceOf(SmtpConnectionException.class);
    }
  }

  @Test
  void overLongReplyLineFailsTheConnection() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            peer -> {
              peer.send("220 " + "x".repeat(5000) + "\r\n");
              peer.read();
            })) {
      assertThatThrownBy(() -> join(client.connect("127.0.0.1", server.port())))
          .isInstanceOf(SmtpConnectionException.class)
          .hasMessageContaining("longer than 2048");
    }
  }

  @Test
  void malformedReplyFailsTheConnection() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            peer -> {
              peer.send("220 scripted.test\r\n");
              peer.expect("NOOP");
              peer.send("+OK this is POP3\r\n");
              peer.read();
            })) {
      SmtpConnection c = join(client.connect("127.0.0.1", server.port()));
      assertThatThrownBy(() -> join(c.noop()))
          .isInstanceOf(SmtpConnectionException.class)
          .hasMessageContaining("malformed reply");
    }
  }

  @Test
  void replyNobodyAskedForFailsTheConnection() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            peer -> {
              peer.send("220 scripted.test\r\n");
              peer.expect("NOOP");
              peer.send("250 ok\r\n250 and another\r\n");
              peer.read();
            })) {
      SmtpConnection c = join(client.connect("127.0.0.1", server.port()));
      assertThat(join(c.noop()).code()).isEqualTo(250);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !c.isOpen());
    }
  }

  @Test
  void refusingGreetingFailsTheConnectAndTheClientSaysQuit() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            peer -> {
              peer.send("554 5.7.1 go away\r\n");
              peer.expect("QUIT");
              peer.send("221 bye\r\n");
            })) {
      assertThatThrownBy(() -> join(client.connect("127.0.0.1", server.port())))
          .isInstanceOfSatisfying(
              SmtpReplyException.class, e -> assertThat(e.reply().code()).isEqualTo(554));
      server.join();
      assertThat(server.received).containsExactly("QUIT");
      assertThat(server.failure.get()).isNull();
    }
  }

  @Test
  void ehloRefusedFallsBackToHeloAndSendsWithoutExtensions() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            peer -> {
              peer.send("220 old.test SMTP\r\n");
              peer.expect("EHLO client.test");
              peer.send("502 5.5.1 what\r\n");
              peer.expect("HELO client.test");
              peer.send("250 old.test\r\n");
              peer.expect("MAIL FROM:<a@example.com>");
              peer.send("250 ok\r\n");
              peer.expect("RCPT TO:<b@example.org>");
              peer.send("250 ok\r\n");
              peer.expect("DATA");
              peer.send("354 go\r\n");
              peer.expect("hello");
              peer.expect(".");
              peer.send("250 queued\r\n");
              peer.expect("QUIT");
              peer.send("221 bye\r\n");
            })) {
      SmtpConnection c = join(client.connect("127.0.0.1", server.port()));
      SendResult result =
          join(
              c.send(
                  MailEnvelope.of("a@example.com", "b@example.org"), MessageContent.of("hello")));
      assertThat(result.message().text()).isEqualTo("queued");
      join(c.quit());
      server.join();
      assertThat(server.failure.get()).isNull();
    }
  }

  @Test
  void serverClosingWith421FailsWhatWaits() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            peer -> {
              peer.send("220 scripted.test\r\n");
              peer.expect("NOOP");
              peer.send("421 4.3.2 shutting down\r\n");
              peer.socket.close();
            })) {
      SmtpConnection c = join(client.connect("127.0.0.1", server.port()));
      assertThatThrownBy(() -> join(c.noop()))
          .isInstanceOfSatisfying(
              SmtpReplyException.class, e -> assertThat(e.isTransient()).isTrue());
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !c.isOpen());
    }
  }
}
