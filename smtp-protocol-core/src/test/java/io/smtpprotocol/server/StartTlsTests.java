package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.testing.RawClient;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.TlsMode;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

class StartTlsTests {

  private static final TestPki pki = TestPki.get();

  private final RecordingObserver observer = new RecordingObserver();
  private final BlockingQueue<String> senders = new LinkedBlockingQueue<>();
  private final BlockingQueue<SessionInfo> tlsEvents = new LinkedBlockingQueue<>();
  private volatile Decision tlsDecision = Decision.accept();
  private final RecordingHandler handler =
      new RecordingHandler() {
        @Override
        public CompletionStage<Decision> mailFrom(
            SessionInfo session, ReversePath from, MailParameters parameters) {
          senders.add(from.toString());
          return Decision.acceptStage();
        }

        @Override
        public CompletionStage<Decision> tls(SessionInfo session) {
          tlsEvents.add(session);
          return tlsDecision.asStage();
        }
      };
  @AutoClose private SmtpServer server;

  private SmtpServer start(Supplier<SslContext> context, boolean tlsRequired) {
    server =
        SmtpServer.builder()
            .domain("mx.test")
            .port(0)
            .handler(handler)
            .observer(observer)
            .tls(TlsMode.STARTTLS, context)
            .tlsRequired(tlsRequired)
            .build()
            .start();
    return server;
  }

  private SmtpServer start() {
    SslContext context = pki.serverContext();
    return start(() -> context, false);
  }

  /** Connects, greets, and upgrades to TLS. */
  private RawClient secured() throws Exception {
    RawClient c = RawClient.greeted(server.port());
    assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
    assertThat(c.command("STARTTLS").lines()).containsExactly("2.0.0 Ready to start TLS");
    return c.handshake(pki.clientContext());
  }

  @Test
  void startTlsIsAdvertisedOnlyBeforeTls() throws Exception {
    start();
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").lines()).contains("STARTTLS");
      assertThat(c.command("STARTTLS").code()).isEqualTo(220);
      c.handshake(pki.clientContext());
      assertThat(c.command("EHLO client.test").lines())
          .doesNotContain("STARTTLS")
          .contains("PIPELINING");
    }
  }

  @Test
  void messageAfterStartTlsIsDeliveredWithTheSessionsTlsDetails() throws Exception {
    start();
    try (RawClient c = secured()) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("Subject: secret\r\n\r\nhello\r\n.").code()).isEqualTo(250);
      assertThat(c.command("QUIT").code()).isEqualTo(221);
    }
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.text()).isEqualTo("Subject: secret\r\n\r\nhello\r\n");
    assertThat(m.session().isTls()).isTrue();
    assertThat(m.session().tls().protocol()).isIn("TLSv1.3", "TLSv1.2");
    assertThat(m.session().tls().cipherSuite()).isNotBlank();
    assertThat(m.session().tls().peerCertificates()).isEmpty();
    assertThat(observer.events).containsExactly("tls:true");
  }

  @Test
  void pipelinedRsetAfterStartTlsIsNeverExecuted() throws Exception {
    start();
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      c.send("STARTTLS\r\nRSET\r\n");
      assertThat(c.reply().lines()).containsExactly("2.0.0 Ready to start TLS");
      c.handshake(pki.clientContext());
      // The first reply over TLS answers our EHLO, not the injected RSET.
      RawClient.WireReply first = c.command("EHLO client.test");
      assertThat(first.code()).isEqualTo(250);
      assertThat(first.lines()).first().isEqualTo("mx.test");
      assertThat(first.lines()).contains("PIPELINING");
      assertThat(c.command("NOOP").lines()).containsExactly("2.0.0 Ok");
      assertThat(c.silentFor(200)).isTrue();
    }
  }

  @Test
  void pipelinedMailAfterStartTlsIsNeverExecuted() throws Exception {
    start();
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      c.send("STARTTLS\r\nMAIL FROM:<x@example.com>\r\n");
      assertThat(c.reply().code()).isEqualTo(220);
      c.handshake(pki.clientContext());
      RawClient.WireReply first = c.command("EHLO client.test");
      assertThat(first.lines()).first().isEqualTo("mx.test");
      assertThat(c.command("RCPT TO:<b@example.com>").lines())
          .containsExactly("5.5.1 Need MAIL command");
      assertThat(c.silentFor(200)).isTrue();
    }
    assertThat(senders).isEmpty();
  }

  @Test
  void plaintextSentAfterTheReadyReplyFailsTheHandshakeAndIsNotExecuted() throws Exception {
    start();
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("STARTTLS").code()).isEqualTo(220);
      c.send("MAIL FROM:<x@example.com>\r\n");
      assertThat(c.closedByServer()).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.activeSessions() == 0);
    assertThat(senders).isEmpty();
    assertThat(observer.events).containsExactly("tls:false");
  }

  @Test
  void startTlsForgetsTheGreetingAndTheEnvelope() throws Exception {
    start();
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.command("STARTTLS").code()).isEqualTo(220);
      c.handshake(pki.clientContext());
      assertThat(c.command("MAIL FROM:<a@example.com>").lines())
          .containsExactly("5.5.1 Send HELO/EHLO first");
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com>").lines())
          .containsExactly("5.5.1 Need MAIL command");
    }
  }

  @Test
  void startTlsWithAnArgumentIsRefusedWith501() throws Exception {
    start();
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("STARTTLS now").code()).isEqualTo(501);
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void secondStartTlsIsRefusedWith503() throws Exception {
    start();
    try (RawClient c = secured()) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("STARTTLS").lines()).containsExactly("5.5.1 TLS already active");
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void startTlsIsNotImplementedWithoutTls() throws Exception {
    server = SmtpServer.builder().domain("mx.test").port(0).handler(handler).build().start();
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").lines()).doesNotContain("STARTTLS");
      assertThat(c.command("STARTTLS").code()).isEqualTo(502);
    }
  }

  @Test
  void tlsRequiredRefusesMailBeforeStartTls() throws Exception {
    SslContext context = pki.serverContext();
    start(() -> context, true);
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      RawClient.WireReply refused = c.command("MAIL FROM:<a@example.com>");
      assertThat(refused.code()).isEqualTo(530);
      assertThat(refused.last()).isEqualTo("5.7.0 Must issue a STARTTLS command first");
      assertThat(c.command("STARTTLS").code()).isEqualTo(220);
      c.handshake(pki.clientContext());
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    }
  }

  @Test
  void tlsEventSeesTheNegotiatedSessionAndNoGreeting() throws Exception {
    start();
    try (RawClient c = secured()) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
    }
    SessionInfo seen = tlsEvents.poll(5, TimeUnit.SECONDS);
    assertThat(seen).isNotNull();
    assertThat(seen.tls()).isNotNull();
    assertThat(seen.hello()).isNull();
  }

  @Test
  void rejectedTlsEventSendsItsReplyAndCloses() throws Exception {
    tlsDecision = Decision.reject(554, "5.7.1", "Not you");
    start();
    try (RawClient c = secured()) {
      assertThat(c.reply().lines()).containsExactly("5.7.1 Not you");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void optionalClientCertificateChainIsExposedOnTheSession() throws Exception {
    SslContext context = pki.serverContext(ClientAuth.OPTIONAL);
    start(() -> context, false);
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("STARTTLS").code()).isEqualTo(220);
      c.handshake(pki.clientContext(pki.client));
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
    }
    SessionInfo seen = tlsEvents.poll(5, TimeUnit.SECONDS);
    assertThat(seen.tls().peerPrincipal().getName()).isEqualTo("CN=client.test");
    assertThat(seen.tls().peerCertificates()).first().isEqualTo(pki.client.getCertificate());
  }

  @Test
  void requiredClientCertificateMissingFailsTheHandshake() throws Exception {
    SslContext context = pki.serverContext(ClientAuth.REQUIRE);
    start(() -> context, false);
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("STARTTLS").code()).isEqualTo(220);
      // With TLS 1.3 the client may learn of the refusal only on its first read.
      assertThatThrownBy(
              () -> {
                c.handshake(pki.clientContext());
                c.command("EHLO client.test");
              })
          .isInstanceOf(IOException.class);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> observer.events.contains("tls:false"));
    assertThat(tlsEvents).isEmpty();
  }

  @Test
  void contextSupplierIsAskedForEveryConnectionSoCertificatesRotate() throws Exception {
    TestPki other = TestPki.fresh();
    SslContext first = pki.serverContext();
    SslContext second = other.serverContext();
    AtomicReference<SslContext> current = new AtomicReference<>(first);
    start(current::get, false);
    X509Certificate before;
    try (RawClient c = secured()) {
      before = (X509Certificate) c.tlsSession().getPeerCertificates()[0];
    }
    current.set(second);
    X509Certificate after;
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("STARTTLS").code()).isEqualTo(220);
      c.handshake(other.clientContext());
      after = (X509Certificate) c.tlsSession().getPeerCertificates()[0];
    }
    assertThat(before).isEqualTo(pki.server.getCertificate());
    assertThat(after).isEqualTo(other.server.getCertificate());
  }

  @Test
  void failingContextSupplierAnswers454AndTheSessionGoesOn() throws Exception {
    start(
        () -> {
          throw new IllegalStateException("no certificate yet");
        },
        false);
    try (LogCapture log = new LogCapture(SmtpSession.class);
        RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("STARTTLS").lines())
          .containsExactly("4.7.0 TLS not available due to temporary reason");
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(log.warnings())
          .singleElement()
          .extracting(ILoggingEvent::getFormattedMessage)
          .asString()
          .endsWith("cannot start TLS: java.lang.IllegalStateException: no certificate yet");
    }
    assertThat(List.copyOf(observer.events)).containsExactly("tls:false");
  }
}
