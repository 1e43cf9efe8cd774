package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.testing.RawClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When the message handler starts relative to the body's arrival. */
@Timeout(20)
class MessageHandlerStartTests {

  /** What the handler saw of the body when it was called. */
  record Start(boolean complete, long received) {}

  @AutoClose private SmtpServer server;

  private static final class StartRecorder implements SmtpHandler {
    final CompletableFuture<Start> started = new CompletableFuture<>();
    final CompletableFuture<String> read = new CompletableFuture<>();

    @Override
    public CompletionStage<Decision> message(
        SessionInfo session, Envelope envelope, MessageBody body) {
      started.complete(new Start(body.isComplete(), body.received()));
      try {
        read.complete(new String(body.readAllBytes(), StandardCharsets.US_ASCII));
      } catch (IOException e) {
        read.completeExceptionally(e);
      }
      return Decision.acceptStage();
    }
  }

  private static RawClient inData(SmtpServer server) throws IOException {
    RawClient c = RawClient.greeted(server.port());
    c.ehlo();
    assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
    assertThat(c.command("DATA").code()).isEqualTo(354);
    return c;
  }

  @Test
  void bodySentInOneWriteIsCompleteWhenTheHandlerStarts() throws Exception {
    // the session's decision, through the session harness: the handler runs on the test thread
    StartRecorder handler = new StartRecorder();
    try (SessionHarness c = SessionHarness.afterEhlo(TestServers.builder(handler))) {
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      c.write("Subject: one piece\r\n\r\nshort body\r\n.\r\n");
      assertThat(c.reply().code()).isEqualTo(250);
    }
    Start start = handler.started.getNow(null);
    assertThat(start).as("the handler ran").isNotNull();
    assertThat(start.complete()).isTrue();
    assertThat(start.received()).isEqualTo("Subject: one piece\r\n\r\nshort body\r\n".length());
    assertThat(handler.read.getNow(null)).isEqualTo("Subject: one piece\r\n\r\nshort body\r\n");
  }

  /** On the wire: the handler reads the rest of the body on its own thread as it arrives. */
  @Test
  void handlerStartsBeforeTheEndOnceTheBodyBufferIsFull() throws Exception {
    StartRecorder handler = new StartRecorder();
    server = TestServers.start(handler, Limits.DEFAULTS.withBodyBufferSize(4096));
    String head = ("X".repeat(78) + "\r\n").repeat(100); // 8,000 octets, twice the buffer
    try (RawClient c = inData(server)) {
      c.send(head);
      // The rest is sent only once the handler runs: it must not wait for the end of the body.
      Start start = handler.started.get(5, TimeUnit.SECONDS);
      assertThat(start.complete()).isFalse();
      assertThat(start.received()).isGreaterThan(4096);
      c.send("tail\r\n.\r\n");
      assertThat(c.reply().code()).isEqualTo(250);
    }
    assertThat(handler.read.get(5, TimeUnit.SECONDS)).isEqualTo(head + "tail\r\n");
  }
}
