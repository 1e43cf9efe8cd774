package io.smtpprotocol.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smtpprotocol.client.MailEnvelope;
import io.smtpprotocol.client.MessageContent;
import io.smtpprotocol.client.SmtpClientPool;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.spring.metrics.SmtpClientMeterBinder;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Conditions of {@link SmtpClientMetricsAutoConfiguration} and the meters on real sends. */
class SmtpClientMetricsAutoConfigurationTests {

  private SmtpServer server;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  MetricsAutoConfiguration.class,
                  SmtpClientAutoConfiguration.class,
                  SmtpClientMetricsAutoConfiguration.class));

  @BeforeEach
  void start() {
    server =
        SmtpServer.builder()
            .address(InetAddress.getLoopbackAddress())
            .port(0)
            .domain("mx.test")
            .handler(
                new SmtpHandler() {
                  @Override
                  public CompletionStage<Decision> rcptTo(
                      SessionInfo s, Envelope e, Mailbox to, MailParameters p) {
                    return (to.domain().equals("refused.test")
                            ? Decision.reject()
                            : Decision.accept())
                        .asStage();
                  }

                  @Override
                  public CompletionStage<Decision> message(
                      SessionInfo s, Envelope e, MessageBody body) {
                    try {
                      body.readAllBytes();
                    } catch (IOException ex) {
                      return Decision.reject(451, "4.3.0", "x").asStage();
                    }
                    return Decision.acceptStage();
                  }
                })
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void metersCountThePoolsSends() {
    runner
        .withBean(SimpleMeterRegistry.class)
        .withPropertyValues("smtp.client.host=127.0.0.1", "smtp.client.port=" + server.port())
        .run(
            context -> {
              SmtpClientPool pool = context.getBean(SmtpClientPool.class);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              pool.send(MailEnvelope.of("a@example.com", "b@example.org"), MessageContent.of("x"))
                  .toCompletableFuture()
                  .join();
              pool.send(MailEnvelope.of("a@example.com", "b@refused.test"), MessageContent.of("x"))
                  .handle((r, e) -> e)
                  .toCompletableFuture()
                  .join();

              assertThat(
                      registry.get("smtp.client.messages").tag("outcome", "sent").counter().count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("smtp.client.messages")
                          .tag("outcome", "refused")
                          .counter()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("smtp.client.send.duration")
                          .tag("outcome", "sent")
                          .timer()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("smtp.client.connections")
                          .tag("event", "opened")
                          .counter()
                          .count())
                  .isEqualTo(1);
              await()
                  .atMost(Duration.ofSeconds(5))
                  .untilAsserted(
                      () ->
                          assertThat(
                                  registry
                                      .get("smtp.client.pool.connections")
                                      .tag("state", "idle")
                                      .gauge()
                                      .value())
                              .isEqualTo(1));
              assertThat(registry.get("smtp.client.pool.waiting").gauge().value()).isZero();
              assertThat(
                      registry
                          .get("smtp.client.replies")
                          .tags("command", "RCPT", "status", "5xx")
                          .counter()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("smtp.client.replies")
                          .tags("command", "message", "status", "2xx")
                          .counter()
                          .count())
                  .isEqualTo(1);
              assertThat(
                      registry
                          .get("smtp.client.replies")
                          .tags("command", "greeting", "status", "2xx")
                          .counter()
                          .count())
                  .isEqualTo(1);
            });
  }

  @Test
  void noMetersWithoutARegistry() {
    runner.run(context -> assertThat(context).doesNotHaveBean(SmtpClientMeterBinder.class));
  }

  @Test
  void noMetersWithoutMicrometer() {
    runner
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(context -> assertThat(context).doesNotHaveBean(SmtpClientMeterBinder.class));
  }
}
