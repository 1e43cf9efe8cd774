package io.smtpprotocol.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.spring.TestSslBundles;
import io.smtpprotocol.spring.listener.SmtpEvent;
import io.smtpprotocol.spring.listener.SmtpListener;
import io.smtpprotocol.testing.RawClient;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.TlsInfo;
import io.smtpprotocol.tls.TlsMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** TLS from a Spring Boot SSL bundle: STARTTLS, implicit TLS, client certificates, rotation. */
class SmtpServerTlsTests {

  private static final TestPki pki = TestPki.fresh();

  private final DefaultSslBundleRegistry bundles =
      new DefaultSslBundleRegistry("smtp", TestSslBundles.serverBundle(pki));

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SmtpServerAutoConfiguration.class))
          .withBean(SslBundles.class, () -> bundles)
          .withPropertyValues(
              "smtp.server.port=0",
              "smtp.server.address=127.0.0.1",
              "smtp.server.domain=mx.test",
              "smtp.server.ssl.bundle=smtp");

  private static int port(AssertableApplicationContext context) {
    return context.getBean(SmtpServer.class).port();
  }

  @Test
  void startTlsUpgradesWithTheBundlesCertificate() {
    runner
        .withBean(TlsListener.class)
        .run(
            context -> {
              assertThat(context.getBean(SmtpServer.class).config().tls().mode())
                  .isEqualTo(TlsMode.STARTTLS);
              try (RawClient c = new RawClient(port(context))) {
                c.reply();
                assertThat(c.command("EHLO client.test").lines()).contains("STARTTLS");
                c.startTlsAndHandshake(pki.clientContext(null));
                assertThat(c.tlsSession().getPeerCertificates()[0])
                    .isEqualTo(pki.server.getCertificate());
                assertThat(c.command("EHLO client.test").lines()).doesNotContain("STARTTLS");
                assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
              }
              TlsListener listener = context.getBean(TlsListener.class);
              assertThat(listener.protocols.poll(5, TimeUnit.SECONDS)).startsWith("TLSv1.");
            });
  }

  @Test
  void implicitTlsSpeaksTlsFromTheFirstOctet() {
    runner
        .withPropertyValues("smtp.server.ssl.mode=implicit")
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context)).handshake(pki.clientContext(null))) {
                assertThat(c.reply().toString()).isEqualTo("220 mx.test ESMTP ready");
                assertThat(c.command("EHLO client.test").lines()).doesNotContain("STARTTLS");
              }
            });
  }

  @Test
  void modeNoneTurnsTlsOff() {
    runner
        .withPropertyValues("smtp.server.ssl.mode=none")
        .run(
            context -> {
              assertThat(context.getBean(SmtpServer.class).config().tls().enabled()).isFalse();
              try (RawClient c = new RawClient(port(context))) {
                c.reply();
                assertThat(c.command("EHLO client.test").lines()).doesNotContain("STARTTLS");
              }
            });
  }

  @Test
  void bundleUpdateRotatesTheCertificateWithoutARestart() {
    TestPki renewed = TestPki.fresh();
    runner.run(
        context -> {
          bundles.updateBundle("smtp", TestSslBundles.serverBundle(renewed));
          try (RawClient c = RawClient.afterEhlo(port(context))) {
            c.startTlsAndHandshake(renewed.clientContext(null));
            assertThat(c.tlsSession().getPeerCertificates()[0])
                .isEqualTo(renewed.server.getCertificate());
          }
        });
  }

  @Test
  void bundleProtocolsAreTheOnlyOnesEnabled() {
    bundles.updateBundle(
        "smtp", TestSslBundles.serverBundle(pki, SslOptions.of(null, Set.of("TLSv1.2"))));
    runner.run(
        context -> {
          try (RawClient c = RawClient.afterEhlo(port(context))) {
            c.startTlsAndHandshake(pki.clientContext(null));
            assertThat(c.tlsSession().getProtocol()).isEqualTo("TLSv1.2");
          }
          try (RawClient c = RawClient.afterEhlo(port(context))) {
            assertThatIOException()
                .isThrownBy(() -> c.startTlsAndHandshake(pki.clientContext(null), "TLSv1.3"));
          }
        });
  }

  @Test
  void clientAuthNeedRefusesAClientWithoutACertificate() {
    runner
        .withPropertyValues("smtp.server.ssl.client-auth=need")
        .withBean(TlsListener.class)
        .run(
            context -> {
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                assertThatIOException()
                    .isThrownBy(
                        () -> {
                          c.startTlsAndHandshake(pki.clientContext(null));
                          c.command("EHLO client.test"); // TLS 1.3 reports the alert here
                        });
              }
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                c.startTlsAndHandshake(pki.clientContext(pki.client));
                assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
              }
              TlsListener listener = context.getBean(TlsListener.class);
              assertThat(listener.clients.poll(5, TimeUnit.SECONDS)).isEqualTo("CN=client.test");
            });
  }

  @Test
  void clientAuthWantLetsAClientWithoutACertificateIn() {
    runner
        .withPropertyValues("smtp.server.ssl.client-auth=want")
        .run(
            context -> {
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                c.startTlsAndHandshake(pki.clientContext(null));
                assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
              }
            });
  }

  @Test
  void tlsRequiredRefusesMailBeforeStartTls() {
    runner
        .withPropertyValues("smtp.server.tls-required=true")
        .run(
            context -> {
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(530);
                c.startTlsAndHandshake(pki.clientContext(null));
                c.command("EHLO client.test");
                assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
              }
            });
  }

  @Test
  void missingBundleFailsStartUpNamingIt() {
    runner
        .withPropertyValues("smtp.server.ssl.bundle=missing")
        .run(
            context ->
                assertThat(context).getFailure().rootCause().hasMessageContaining("missing"));
    runner
        .withPropertyValues("smtp.server.ssl.bundle=missing")
        .run(
            context -> {
              Throwable failure = context.getStartupFailure();
              while (failure != null
                  && !String.valueOf(failure.getMessage()).startsWith("smtp.server.ssl.bundle")) {
                failure = failure.getCause();
              }
              assertThat(failure)
                  .hasMessage(
                      "smtp.server.ssl.bundle names SSL bundle 'missing', which does not exist;"
                          + " define it under spring.ssl.bundle");
            });
  }

  @Test
  void tlsRequiredWithoutABundleFailsStartUp() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SmtpServerAutoConfiguration.class))
        .withPropertyValues("smtp.server.port=0", "smtp.server.tls-required=true")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessage(
                        "smtp.server.tls-required=true needs TLS: set smtp.server.ssl.bundle"));
  }

  @Test
  void pemBundleFromPropertiesServesStartTls(@TempDir Path dir) throws Exception {
    Path certificate =
        Files.writeString(dir.resolve("chain.pem"), pki.server.getCertificatePathPEM());
    Path key = Files.writeString(dir.resolve("key.pem"), pki.server.getPrivateKeyPEM());
    new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(SslAutoConfiguration.class, SmtpServerAutoConfiguration.class))
        .withPropertyValues(
            "smtp.server.port=0",
            "smtp.server.address=127.0.0.1",
            "smtp.server.ssl.bundle=mail",
            "spring.ssl.bundle.pem.mail.keystore.certificate=" + certificate.toUri(),
            "spring.ssl.bundle.pem.mail.keystore.private-key=" + key.toUri())
        .run(
            context -> {
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                c.startTlsAndHandshake(pki.clientContext(null));
                assertThat(c.tlsSession().getPeerCertificates()[0])
                    .isEqualTo(pki.server.getCertificate());
              }
            });
  }

  static class TlsListener {
    final BlockingQueue<String> protocols = new LinkedBlockingQueue<>();
    final BlockingQueue<String> clients = new LinkedBlockingQueue<>();

    @SmtpListener(SmtpEvent.TLS)
    void tls(TlsInfo tls) {
      protocols.add(tls.protocol());
      if (tls.peerPrincipal() != null) {
        clients.add(tls.peerPrincipal().getName());
      }
    }
  }
}
