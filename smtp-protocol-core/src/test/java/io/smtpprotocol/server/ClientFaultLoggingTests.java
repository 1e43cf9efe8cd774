package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.testing.RawClient;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a client does wrong is not a server error: no warning and no stack trace for it, and the
 * warnings a client can provoke at will are rate-limited. Oversized bodies go through a started
 * server (the handler reads them on its own thread); the rate limit through the session harness.
 */
class ClientFaultLoggingTests {

  private SmtpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Reads the body and lets its failure propagate, as a plain application would. */
  private static final class PropagatingHandler extends RecordingHandler {
    @Override
    public CompletionStage<Decision> message(
        SessionInfo session, Envelope envelope, MessageBody body) {
      try {
        body.readAllBytes();
        return Decision.acceptStage();
      } catch (java.io.IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Test
  void oversizedMessagesAreAnsweredWithoutAWarningOrStackTrace() throws Exception {
    server =
        TestServers.start(
            new PropagatingHandler(),
            Limits.DEFAULTS.withMaxMessageSize(64 * 1024).withBodyBufferSize(1024));
    // larger than one socket read, so the handler starts on the first part and then fails
    String big = ("x".repeat(98) + "\r\n").repeat(2000);
    try (LogCapture log = new LogCapture(SmtpSession.class.getName(), Level.DEBUG);
        RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      for (int i = 0; i < 3; i++) {
        assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
        assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
        assertThat(c.command("DATA").code()).isEqualTo(354);
        assertThat(c.command(big + ".").line()).startsWith("552 5.3.4");
      }
      assertThat(log.warnings()).isEmpty();
      List<ILoggingEvent> debug =
          log.events().stream().filter(e -> e.getFormattedMessage().contains("exceeds")).toList();
      assertThat(debug).hasSize(3);
      assertThat(debug)
          .allSatisfy(
              e -> {
                assertThat(e.getLevel()).isEqualTo(Level.DEBUG);
                assertThat(e.getThrowableProxy()).isNull();
                assertThat(e.getFormattedMessage()).doesNotContain("\n");
              });
    }
  }

  @Test
  void warningsAClientCanProvokeAtWillAreRateLimited() throws Exception {
    SmtpServerBuilder builder =
        TestServers.builder(
            new RecordingHandler() {
              @Override
              public CompletionStage<Decision> mailFrom(
                  SessionInfo session, ReversePath from, MailParameters parameters) {
                throw new IllegalStateException("bug in the application");
              }
            });
    try (LogCapture log = new LogCapture(SmtpSession.class);
        SessionHarness c = SessionHarness.greeted(builder)) {
      c.ehlo();
      for (int i = 0; i < 40; i++) {
        assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(451);
      }
      // the first few are logged with their stack trace, the rest only counted
      assertThat(log.warnings()).hasSizeBetween(1, 10);
      assertThat(log.warnings().get(0).getThrowableProxy().getMessage())
          .isEqualTo("bug in the application");
    }
  }
}
