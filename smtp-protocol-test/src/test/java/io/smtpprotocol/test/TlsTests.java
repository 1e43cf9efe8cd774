package io.smtpprotocol.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.tls.TlsMode;
import jakarta.mail.MessagingException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Properties;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** STARTTLS and implicit TLS with the certificate generated for each server. */
class TlsTests {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @Test
  void startTlsIsOfferedByDefaultAndRecordedOnTheMessage() throws Exception {
    try (SmtpTestServer smtp = SmtpTestServer.create().start()) {
      Senders.send(Senders.startTls(smtp), "a@example.org", "b@example.com", "secret", "x");

      ReceivedMessage m = smtp.takeMessage(WAIT);

      assertThat(m.isTls()).isTrue();
      assertThat(m.tls()).hasValueSatisfying(t -> assertThat(t.protocol()).startsWith("TLSv1."));
      assertThat(smtp.tlsMode()).isEqualTo(TlsMode.STARTTLS);
    }
  }

  @Test
  void implicitTlsSpeaksTlsFromTheFirstOctet() throws Exception {
    try (SmtpTestServer smtp = SmtpTestServer.builder().tls(TlsMode.IMPLICIT).build().start()) {
      Senders.send(Senders.implicitTls(smtp), "a@example.org", "b@example.com", "smtps", "x");

      assertThat(smtp.takeMessage(WAIT).isTls()).isTrue();
      Properties plain = Senders.plain(smtp);
      plain.put(
          "mail.smtp.timeout", "500"); // it waits for a greeting that never comes in plaintext
      assertThatThrownBy(() -> Senders.send(plain, "a@example.org", "b@example.com", "plain", "x"))
          .isInstanceOf(MessagingException.class);
    }
  }

  @Test
  void plaintextClientsStillWorkOnAStartTlsServer() throws Exception {
    try (SmtpTestServer smtp = SmtpTestServer.create().start()) {
      Senders.send(Senders.plain(smtp), "a@example.org", "b@example.com", "plain", "x");

      assertThat(smtp.takeMessage(WAIT).isTls()).isFalse();
    }
  }

  @Test
  void tlsNoneOffersNoStartTls() throws Exception {
    try (SmtpTestServer smtp = SmtpTestServer.builder().tls(TlsMode.NONE).build().start()) {
      assertThatThrownBy(
              () ->
                  Senders.send(Senders.startTls(smtp), "a@example.org", "b@example.com", "s", "x"))
          .isInstanceOf(MessagingException.class)
          .hasMessageContaining("STARTTLS");
    }
  }

  @Test
  void trustStoreHoldsTheRootThatIssuedTheServerCertificate() throws Exception {
    try (SmtpTestServer smtp = SmtpTestServer.builder().domain("mail.test").build()) {
      KeyStore store = smtp.trustStore();
      X509Certificate root = (X509Certificate) store.getCertificate(store.aliases().nextElement());
      X509Certificate server = smtp.certificate();

      server.verify(root.getPublicKey());
      assertThat(server.getSubjectX500Principal().getName()).isEqualTo("CN=mail.test");
      assertThat(server.getSubjectAlternativeNames())
          .extracting(san -> (Object) san.get(1))
          .contains("mail.test", "localhost", "127.0.0.1");
      assertThat(smtp.trustedCertificatePem()).startsWith("-----BEGIN CERTIFICATE-----");

      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      Properties p = Senders.startTls(smtp.start());
      p.put("mail.smtp.ssl.socketFactory", context.getSocketFactory());
      Senders.send(p, "a@example.org", "b@example.com", "via trust store", "x");
      assertThat(smtp.takeMessage(WAIT).isTls()).isTrue();
    }
  }

  @Test
  void eachServerHasItsOwnCertificate() throws Exception {
    try (SmtpTestServer one = SmtpTestServer.create().start();
        SmtpTestServer other = SmtpTestServer.create().start()) {
      assertThat(one.certificate()).isNotEqualTo(other.certificate());

      Properties p = Senders.startTls(one);
      p.put("mail.smtp.ssl.socketFactory", other.sslContext().getSocketFactory());

      assertThatThrownBy(() -> Senders.send(p, "a@example.org", "b@example.com", "s", "x"))
          .isInstanceOf(MessagingException.class)
          .hasCauseInstanceOf(SSLHandshakeException.class);
      assertThat(one.messages()).isEmpty();
    }
  }
}
