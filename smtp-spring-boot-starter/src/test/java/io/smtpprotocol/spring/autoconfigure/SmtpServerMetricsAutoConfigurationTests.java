package io.smtpprotocol.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.server.SmtpServerObserver;
import io.smtpprotocol.spring.SmtpTestClient;
import io.smtpprotocol.spring.listener.SmtpEvent;
import io.smtpprotocol.spring.listener.SmtpListener;
import io.smtpprotocol.spring.metrics.SmtpServerMeterBinder;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
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
              assertThat(context.getBean(SmtpServer.class).config().observer())
                  .isSameAs(context.getBean(SmtpServerMeterBinder.class));
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              int port = context.getBean(SmtpServer.class).port();
              try (SmtpTestClient c = SmtpTestClient.greeted(port)) {
                assertThat(registry.get("smtp.server.connections.active").gauge().value())
                    .isEqualTo(1);
                assertThat(c.mail("a@example.com", "b@example.com", "hello").code())
                    .isEqualTo(250);
                assertThat(c.command("RCPT TO:<c@example.com>").code()).isEqualTo(503);
                c.command("QUIT");
              }
              await()
                  .untilAsserted(
                      () ->
                          assertThat(registry.get("smtp.server.connections.active").gauge().value())
                              .isZero());
              assertThat(
                      registry.get("smtp.server.connections").tag("outcome", "accepted").counter().count())
                  .isEqualTo(1);
              assertThat(
                      registry.get("smtp.server.commands")
                          .tags("command", "EHLO", "status", "2xx")
                          .counter()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry.get("smtp.server.commands")
                          .tags("command", "RCPT", "status", "5xx")
                          .counter()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry.get("smtp.server.messages").tag("outcome", "accepted").counter().count())
                  .isEqualTo(1);
              assertThat(
                      registry.get("smtp.server.message.size")
                          .tag("outcome", "accepted")
                          .summary()
                          .totalAmount())
                  .isEqualTo("hello\r\n".length());
              assertThat(
                      registry.get("smtp.server.transaction.duration")
                          .tag("outcome", "accepted")
                          .timer()
                          .count())
                  .isEqualTo(1);
            });
  }

  @Test
  void metricsBackOffWithoutAMeterRegistry() {
    runner.run(
        context -> {
          assertThat(context).doesNotHaveBean(SmtpServerMeterBinder.class);
          assertThat(context.getBean(SmtpServer.class).config().observer())
              .isSameAs(SmtpServerObserver.NONE);
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
              assertThat(context.getBean(SmtpServer.class).config().observer()).isSameAs(own);
            });
  }

  static class Accepting {
    @SmtpListener(SmtpEvent.MESSAGE)
    void message(byte[] body) {}
  }
}
