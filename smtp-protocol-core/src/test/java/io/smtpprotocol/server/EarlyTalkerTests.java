package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.testing.RawClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class EarlyTalkerTests {

  @AutoClose private SmtpServer server;

  @Test
  void clientTalkingBeforeTheGreetingIsRefusedWith554AndClosed() throws Exception {
    // a delay far longer than the client takes to write, on any machine; the 554 comes at once
    server =
        TestServers.start(
            new RecordingHandler(), Limits.DEFAULTS.withGreetingDelay(Duration.ofSeconds(60)));
    try (RawClient c = new RawClient(server.port())) {
      c.send("EHLO spammer.test\r\nMAIL FROM:<a@example.com>\r\n");
      assertThat(c.reply().line()).isEqualTo("554 5.5.0 Protocol error: input before the greeting");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void patientClientIsGreetedAfterTheDelay() throws Exception {
    server =
        TestServers.start(
            new RecordingHandler(), Limits.DEFAULTS.withGreetingDelay(Duration.ofMillis(300)));
    try (RawClient c = new RawClient(server.port())) {
      assertThat(c.reply().line()).isEqualTo("220 mx.test ESMTP ready");
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    }
  }

  @Test
  void clientTalkingWhileTheConnectHandlerDecidesIsAnEarlyTalker() throws Exception {
    SmtpHandler handler =
        new SmtpHandler() {
          @Override
          public CompletionStage<Decision> connect(SessionInfo session) {
            return new CompletableFuture<>(); // still thinking
          }
        };
    server = TestServers.start(handler);
    try (RawClient c = new RawClient(server.port())) {
      c.send("EHLO eager.test\r\n");
      assertThat(c.reply().code()).isEqualTo(554);
      assertThat(c.closedByServer()).isTrue();
    }
  }
}
