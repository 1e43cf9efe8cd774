package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.smtpprotocol.testing.RawClient;
import io.smtpprotocol.testing.Requirements;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.SslContexts;
import io.smtpprotocol.tls.TlsMode;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ImplicitTlsTests {

  private static final TestPki pki = TestPki.get();

  private final RecordingHandler handler = new RecordingHandler();
  private final RecordingObserver observer = new RecordingObserver();
  @AutoClose private SmtpServer server;

  private void start(SslContext context) {
    start(context, Limits.DEFAULTS);
  }

  private void start(SslContext context, Limits limits) {
    server =
        SmtpServer.builder()
            .domain("mx.test")
            .limits(limits)
            .port(0)
            .handler(handler)
            .observer(observer)
            .tls(TlsMode.IMPLICIT, () -> context)
            .build()
            .start();
  }

  @ParameterizedTest
  @EnumSource(
      value = SslProvider.class,
      names = {"JDK", "OPENSSL"})
  void greetingComesOverTlsAndMailIsDelivered(SslProvider provider) throws Exception {
    Requirements.require(
        provider == SslProvider.JDK || OpenSsl.isAvailable(),
        "the OpenSSL (netty-tcnative) engine");
    start(
        SslContexts.forServer(
            pki.server.toKeyManagerFactory(),
            null,
            ClientAuth.NONE,
            SslContexts.DEFAULT_PROTOCOLS,
            null,
            provider));
    try (RawClient c = new RawClient(server.port())) {
      c.handshake(pki.clientContext());
      assertThat(c.reply().lines()).containsExactly("mx.test ESMTP ready");
      assertThat(c.command("EHLO client.test").lines()).doesNotContain("STARTTLS");
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("hello\r\n.").code()).isEqualTo(250);
      assertThat(c.command("QUIT").code()).isEqualTo(221);
    }
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.text()).isEqualTo("hello\r\n");
    assertThat(m.session().tls().protocol()).isEqualTo("TLSv1.3");
  }

  @Test
  void plaintextClientGetsNoGreetingAndIsClosed() throws Exception {
    start(pki.serverContext());
    try (RawClient c = new RawClient(server.port())) {
      assertThat(c.silentFor(300)).isTrue();
      c.send("EHLO client.test\r\n");
      assertThat(c.closedByServer()).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.activeSessions() == 0);
    assertThat(observer.events).containsExactly("tls:false");
  }

  @Test
  void connectionOverTheLimitIsClosedWithoutAHandshake() throws Exception {
    start(pki.serverContext(), Limits.DEFAULTS.withMaxConnectionsPerIp(1));
    try (RawClient first = new RawClient(server.port())) {
      first.handshake(pki.clientContext());
      assertThat(first.reply().code()).isEqualTo(220);
      // only now the second: connections accepted together may be counted in either order
      try (RawClient second = new RawClient(server.port())) {
        assertThatThrownBy(() -> second.handshake(pki.clientContext()))
            .isInstanceOf(IOException.class);
      }
      assertThat(first.command("NOOP").code()).isEqualTo(250);
    }
    assertThat(observer.events).containsExactly("tls:true");
  }

  @Test
  void startTlsOnAnImplicitTlsConnectionIsRefusedWith503() throws Exception {
    start(pki.serverContext());
    try (RawClient c = new RawClient(server.port())) {
      c.handshake(pki.clientContext());
      assertThat(c.reply().code()).isEqualTo(220);
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("STARTTLS").lines()).containsExactly("5.5.1 TLS already active");
    }
  }
}
