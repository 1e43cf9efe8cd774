package io.smtpprotocol.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.spring.TestSslBundles;
import io.smtpprotocol.spring.listener.SmtpEvent;
import io.smtpprotocol.spring.listener.SmtpListener;
import io.smtpprotocol.spring.metrics.SmtpServerMeterBinder;
import io.smtpprotocol.testing.RawClient;
import io.smtpprotocol.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Conditions of {@link SmtpServerMetricsAutoConfiguration} and the meters on real traffic. */
class SmtpServerMetricsAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MetricsAutoConfiguration.class,
                  SmtpServerAutoConfiguration.class,
                  SmtpServerMetricsAutoConfiguration.class))
          .withPropertyValues("smtp.server.port=0", "smtp.server.address=127.0.0.1");

  @Test
  void metersCountTheTrafficOfTheAutoConfiguredServer() {
    runner
        .withBean(SimpleMeterRegistry.class)
        .withBean(Accepting.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(SmtpServerMeterBinder.class);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              int port = context.getBean(SmtpServer.class).port();
              try (RawClient c = RawClient.afterEhlo(port)) {
                assertThat(registry.get("smtp.server.connections.active").gauge().value())
                    .isEqualTo(1);
                assertThat(c.mail("a@example.com", "b@example.com", "hello").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<c@example.com>").code()).isEqualTo(503);
                c.command("QUIT");
              }
              await()
                  .untilAsserted(
                      () ->
                          assertThat(registry.get("smtp.server.connections.active").gauge().value())
                              .isZero());
              assertThat(
                      registry
                          .get("smtp.server.connections")
                          .tag("outcome", "accepted")
                          .counter()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("smtp.server.commands")
                          .tags("command", "EHLO", "status", "2xx")
                          .counter()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("smtp.server.commands")
                          .tags("command", "RCPT", "status", "5xx")
                          .counter()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("smtp.server.messages")
                          .tag("outcome", "accepted")
                          .counter()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("smtp.server.message.size")
                          .tag("outcome", "accepted")
                          .summary()
                          .totalAmount())
                  .isEqualTo("hello\r\n".length());
              assertThat(
                      registry
                          .get("smtp.server.transaction.duration")
                          .tag("outcome", "accepted")
                          .timer()
                          .count())
                  .isEqualTo(1);
            });
  }

  @Test
  void metersCountTlsHandshakesAndAuth() {
    TestPki pki = TestPki.fresh();
    runner
        .withBean(SimpleMeterRegistry.class)
        .withBean(
            SslBundles.class,
            () -> new DefaultSslBundleRegistry("smtp", TestSslBundles.serverBundle(pki)))
        .withBean(Authenticator.class, () -> Authenticator.ofPasswords(Map.of("alice", "secret")))
        .withBean(SmtpServerCustomizer.class, () -> b -> b.authFailureDelay(Duration.ZERO))
        .withPropertyValues("smtp.server.ssl.bundle=smtp")
        .run(
            context -> {
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              int port = context.getBean(SmtpServer.class).port();
              try (RawClient c = RawClient.afterEhlo(port)) {
                c.startTlsAndHandshake(pki.clientContext(null));
                c.command("EHLO client.test");
                assertThat(c.command("AUTH PLAIN " + plain("alice", "wrong")).code())
                    .isEqualTo(535);
                assertThat(c.command("AUTH PLAIN " + plain("alice", "secret")).code())
                    .isEqualTo(235);
              }
              assertThat(
                      registry
                          .get("smtp.server.tls.handshakes")
                          .tag("outcome", "success")
                          .counter()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("smtp.server.auth")
                          .tags("mechanism", "PLAIN", "outcome", "failure")
                          .counter()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("smtp.server.auth")
                          .tags("mechanism", "PLAIN", "outcome", "success")
                          .counter()
                          .count())
                  .isEqualTo(1);
            });
  }

  private static String plain(String user, String password) {
    return Base64.getEncoder()
        .encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void metricsBackOffWithoutAMeterRegistry() {
    runner
        .withBean(Accepting.class)
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(SmtpServerMeterBinder.class);
              // the server runs without an observer: a whole session works
              try (RawClient c = RawClient.afterEhlo(context.getBean(SmtpServer.class).port())) {
                assertThat(c.mail("a@example.com", "b@example.com", "hello").code()).isEqualTo(250);
                assertThat(c.command("QUIT").code()).isEqualTo(221);
              }
            });
  }

  @Test
  void metricsBackOffWithoutMicrometer() {
    runner
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(context -> assertThat(context).doesNotHaveBean(SmtpServerMeterBinder.class));
  }

  @Test
  void metricsBackOffWhenTheServerIsDisabled() {
    runner
        .withBean(SimpleMeterRegistry.class)
        .withPropertyValues("smtp.server.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(SmtpServerMeterBinder.class));
  }

  @Test
  void userMeterBinderWins() {
    SmtpServerMeterBinder own = new SmtpServerMeterBinder();
    runner
        .withBean(SimpleMeterRegistry.class)
        .withBean("ownBinder", SmtpServerMeterBinder.class, () -> own)
        .run(
            context -> {
              assertThat(context).hasSingleBean(SmtpServerMeterBinder.class);
              // the registry's meters are the user's binder's: they see the server's traffic
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              try (RawClient c = RawClient.afterEhlo(context.getBean(SmtpServer.class).port())) {
                assertThat(registry.get("smtp.server.connections.active").gauge().value())
                    .isEqualTo(1);
              }
            });
  }

  static class Accepting {
    @SmtpListener(SmtpEvent.MESSAGE)
    void message(byte[] body) {}
  }
}
