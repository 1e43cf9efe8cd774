package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContext;
import io.smtpprotocol.testing.RawClient;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.TlsMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * LIMITS (RFC 9422) with the per-session message limit, through the session harness, and REQUIRETLS
 * (RFC 8689), which needs STARTTLS on a started server.
 */
class ExtensionLimitsAndRequireTlsTests {

  private static final TestPki pki = TestPki.get();

  private final RecordingHandler handler = new RecordingHandler();
  private SmtpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private SmtpServer startTls(boolean requireTls, Limits limits) {
    SslContext context = pki.serverContext();
    server =
        TestServers.builder(handler)
            .limits(limits)
            .tls(TlsMode.STARTTLS, () -> context)
            .requireTls(requireTls)
            .build()
            .start();
    return server;
  }

  private static void transaction(SessionHarness c) {
    assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
    assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
    assertThat(c.command("DATA").code()).isEqualTo(354);
    assertThat(c.command("Subject: hi\r\n\r\nbody\r\n.").code()).isEqualTo(250);
  }

  @Test
  void limitsAdvertiseTheRecipientLimit() throws Exception {
    SmtpServerBuilder builder =
        TestServers.builder(handler).limits(Limits.DEFAULTS.withMaxRecipients(25));
    try (SessionHarness c = SessionHarness.greeted(builder)) {
      assertThat(c.ehlo().lines()).contains("LIMITS RCPTMAX=25");
    }
    assertThat(builder.build().extensions(false)).contains("LIMITS RCPTMAX=25");
  }

  @Test
  void messagesBeyondTheSessionLimitGet421AndTheConnectionCloses() throws Exception {
    SmtpServerBuilder builder =
        TestServers.builder(handler).limits(Limits.DEFAULTS.withMaxMessagesPerSession(2));
    try (SessionHarness c = SessionHarness.greeted(builder)) {
      assertThat(c.ehlo().lines()).contains("LIMITS RCPTMAX=100 MAILMAX=2");
      transaction(c);
      transaction(c);
      assertThat(c.command("MAIL FROM:<a@example.org>").line())
          .isEqualTo("421 4.7.0 Too many messages in this session, closing");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(handler.messages).hasSize(2);
    // a new connection starts counting again
    try (SessionHarness c = SessionHarness.greeted(builder)) {
      c.ehlo();
      transaction(c);
    }
  }

  @Test
  void requireTlsIsOfferedOnlyOnTlsSessionsAndItsParameterNeedsOne() throws Exception {
    startTls(true, Limits.DEFAULTS);
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.ehlo().lines()).doesNotContain("REQUIRETLS");
      assertThat(c.command("MAIL FROM:<a@example.org> REQUIRETLS").line())
          .isEqualTo("530 5.7.10 REQUIRETLS needs a TLS session");
      assertThat(c.command("STARTTLS").code()).isEqualTo(220);
      c.handshake(pki.clientContext());
      assertThat(c.ehlo().lines()).contains("REQUIRETLS");
      assertThat(c.command("MAIL FROM:<a@example.org> REQUIRETLS").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("Subject: hi\r\n\r\nbody\r\n.").code()).isEqualTo(250);
    }
    assertThat(handler.messages)
        .singleElement()
        .satisfies(m -> assertThat(m.envelope().requireTls()).isTrue());
  }

  @Test
  void withoutTheExtensionRequireTlsIsAnUnknownParameter() throws Exception {
    startTls(false, Limits.DEFAULTS);
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      assertThat(c.command("STARTTLS").code()).isEqualTo(220);
      c.handshake(pki.clientContext());
      assertThat(c.ehlo().lines()).doesNotContain("REQUIRETLS");
      assertThat(c.command("MAIL FROM:<a@example.org> REQUIRETLS").code()).isEqualTo(555);
      assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
    }
  }
}
