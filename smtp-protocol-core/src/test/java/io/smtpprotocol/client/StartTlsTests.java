package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.ClientAuth;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.server.SmtpServerBuilder;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.TlsMode;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** STARTTLS, implicit TLS, certificate checks and the discard of replies injected before TLS. */
class StartTlsTests {

  private final TestPki pki = TestPki.get();
  private final Inbox inbox = new Inbox();
  @AutoClose private final Closer closing = new Closer();

  private SmtpServer start(SmtpServerBuilder builder) {
    SmtpServer server = builder.build().start();
    closing.add(server);
    return server;
  }

  private SmtpClient client(SmtpClient.Builder builder) {
    SmtpClient client = builder.build();
    closing.add(client);
    return client;
  }

  private static final MailEnvelope ENVELOPE = MailEnvelope.of("a@example.com", "b@example.org");

  @Test
  void sendUpgradesWithStartTlsAndSaysEhloAgain() throws Exception {
    SmtpServer server = start(Servers.builder(inbox).tls(TlsMode.STARTTLS, pki::serverContext));
    SmtpClient client =
        client(Servers.client().sslContext(pki.nettyClientContext()).tlsPolicy(TlsPolicy.REQUIRED));
    SmtpConnection c = join(client.connect("localhost", server.port()));

    join(c.send(ENVELOPE, MessageContent.of("secret")));

    assertThat(c.isTls()).isTrue();
    assertThat(c.extensions().startTls()).isFalse(); // the EHLO after TLS no longer offers it
    assertThat(c.tlsInfo()).get().satisfies(t -> assertThat(t.protocol()).startsWith("TLSv1."));
    Inbox.Received received = inbox.take();
    assertThat(received.session().isTls()).isTrue();
    assertThat(received.text()).isEqualTo("secret\r\n");
  }

  @Test
  void requiredTlsFailsWhenTheServerDoesNotOfferIt() {
    SmtpServer server = start(Servers.builder(inbox));
    SmtpClient client = client(Servers.client().tlsPolicy(TlsPolicy.REQUIRED));
    SmtpConnection c = join(client.connect("localhost", server.port()));
    assertThatThrownBy(() -> join(c.send(ENVELOPE, MessageContent.of("x"))))
        .isInstanceOf(SmtpConnectionException.class)
        .hasMessageContaining("does not offer STARTTLS");
    assertThat(inbox.messages).isEmpty();
  }

  @Test
  void opportunisticTlsSendsInPlaintextWhenNotOffered() throws Exception {
    SmtpServer server = start(Servers.builder(inbox));
    SmtpConnection c = join(client(Servers.client()).connect("localhost", server.port()));
    join(c.send(ENVELOPE, MessageContent.of("plain")));
    assertThat(c.isTls()).isFalse();
    assertThat(inbox.take().session().isTls()).isFalse();
  }

  @Test
  void certificateForAnotherHostFailsByDefault() {
    SmtpServer server =
        start(
            Servers.builder(inbox)
                .tls(TlsMode.STARTTLS, () -> pki.serverContext(pki.otherHost, ClientAuth.NONE)));
    SmtpClient client =
        client(Servers.client().sslContext(pki.nettyClientContext()).tlsPolicy(TlsPolicy.REQUIRED));
    SmtpConnection c = join(client.connect("localhost", server.port()));
    assertThatThrownBy(() -> join(c.send(ENVELOPE, MessageContent.of("x"))))
        .isInstanceOf(SmtpConnectionException.class)
        .hasMessageContaining("TLS");
    assertThat(inbox.messages).isEmpty();
  }

  @Test
  void untrustedCertificateFailsWithTheJdkTrustStore() {
    SmtpServer server = start(Servers.builder(inbox).tls(TlsMode.STARTTLS, pki::serverContext));
    SmtpClient client = client(Servers.client().tlsPolicy(TlsPolicy.REQUIRED));
    SmtpConnection c = join(client.connect("localhost", server.port()));
    assertThatThrownBy(() -> join(c.send(ENVELOPE, MessageContent.of("x"))))
        .isInstanceOf(SmtpConnectionException.class);
  }

  @Test
  void certificateCheckDecidesInsteadOfTheDefaults() throws Exception {
    SmtpServer server =
        start(
            Servers.builder(inbox)
                .tls(TlsMode.STARTTLS, () -> pki.serverContext(pki.otherHost, ClientAuth.NONE)));
    AtomicReference<String> seen = new AtomicReference<>();
    SmtpClient accepting =
        client(
            Servers.client()
                .tlsPolicy(TlsPolicy.REQUIRED)
                .serverCertificateCheck(
                    (host, tls) -> {
                      seen.set(
                          host
                              + " "
                              + ((X509Certificate) tls.peerCertificates().get(0))
                                  .getSubjectX500Principal()
                                  .getName());
                      return true;
                    }));
    join(
        join(accepting.connect("localhost", server.port()))
            .send(ENVELOPE, MessageContent.of("checked")));
    assertThat(seen.get()).isEqualTo("localhost CN=mx.elsewhere.test");
    assertThat(inbox.take().text()).isEqualTo("checked\r\n");

    SmtpClient rejecting =
        client(
            Servers.client()
                .tlsPolicy(TlsPolicy.REQUIRED)
                .serverCertificateCheck((host, tls) -> false));
    SmtpConnection c = join(rejecting.connect("localhost", server.port()));
    assertThatThrownBy(() -> join(c.send(ENVELOPE, MessageContent.of("x"))))
        .isInstanceOf(SmtpConnectionException.class)
        .hasMessageContaining("rejected by the check");
    assertThat(inbox.messages).isEmpty();
  }

  @Test
  void implicitTlsFromTheFirstOctetWithAClientCertificate() throws Exception {
    SmtpServer server =
        start(
            Servers.builder(inbox)
                .tls(TlsMode.IMPLICIT, () -> pki.serverContext(pki.server, ClientAuth.REQUIRE)));
    SmtpClient client =
        client(Servers.client().implicitTls(true).sslContext(pki.nettyClientContext(pki.client)));
    SmtpConnection c = join(client.connect("localhost", server.port()));
    assertThat(c.isTls()).isTrue();
    join(c.send(ENVELOPE, MessageContent.of("implicit")));
    Inbox.Received received = inbox.take();
    assertThat(received.session().tls().peerPrincipal().getName()).isEqualTo("CN=client.test");
  }

  @Test
  void repliesInjectedBeforeTheHandshakeAreDiscarded() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            peer -> {
              peer.send("220 scripted.test ESMTP\r\n");
              peer.expect("EHLO");
              peer.send(ScriptedServer.ehlo("STARTTLS", "PIPELINING"));
              peer.expect("STARTTLS");
              // the attacker's plaintext rides behind the 220, with a partial line at the end
              peer.send("220 2.0.0 go ahead\r\n250-injected.test\r\n250 AUTH PLAIN\r\n250-half");
              peer.startTls(pki.jdkServerContext());
              peer.expect("EHLO");
              peer.send("250-genuine.test\r\n250 SIZE 1000\r\n");
              peer.expect("NOOP");
              peer.send("250 2.0.0 fine\r\n");
              peer.expect("QUIT");
              peer.send("221 bye\r\n");
            })) {
      SmtpClient client = client(Servers.client().sslContext(pki.nettyClientContext()));
      SmtpConnection c = join(client.connect("localhost", server.port()));
      join(c.ehlo("client.test"));
      Reply tls = join(c.startTls());
      assertThat(tls.code()).isEqualTo(220);
      assertThat(c.extensions().keywords()).isEmpty();

      Reply ehlo = join(c.ehlo("client.test"));
      assertThat(ehlo.lines()).containsExactly("genuine.test", "SIZE 1000");
      assertThat(c.extensions().authMechanisms()).isEmpty();
      assertThat(join(c.noop()).text()).isEqualTo("fine");
      join(c.quit());
      server.join();
      assertThat(server.failure.get()).isNull();
    }
  }

  @Test
  void commandsIssuedDuringStartTlsWaitForTheHandshake() throws Exception {
    SmtpServer server = start(Servers.builder(inbox).tls(TlsMode.STARTTLS, pki::serverContext));
    SmtpClient client = client(Servers.client().sslContext(pki.nettyClientContext()));
    SmtpConnection c = join(client.connect("localhost", server.port()));
    join(c.ehlo("client.test"));

    var tls = c.startTls();
    var ehlo = c.ehlo("client.test"); // written only after the handshake
    assertThat(join(tls).code()).isEqualTo(220);
    assertThat(join(ehlo).code()).isEqualTo(250);
    assertThat(c.isTls()).isTrue();
    assertThat(c.extensions().startTls()).isFalse();
  }
}
