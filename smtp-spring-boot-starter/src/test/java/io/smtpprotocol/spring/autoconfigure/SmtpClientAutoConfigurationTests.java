package io.smtpprotocol.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.ClientAuth;
import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.client.MailEnvelope;
import io.smtpprotocol.client.MessageContent;
import io.smtpprotocol.client.SendResult;
import io.smtpprotocol.client.SmtpClient;
import io.smtpprotocol.client.SmtpClientPool;
import io.smtpprotocol.client.SmtpConnectionException;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.server.SmtpServerBuilder;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.SslContexts;
import io.smtpprotocol.tls.TlsMode;
import java.io.IOException;
import java.net.InetAddress;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class SmtpClientAutoConfigurationTests {

  private static final TestPki pki = TestPki.fresh();
  private static final MailEnvelope ENVELOPE =
      MailEnvelope.of("app@example.com", "user@example.org");

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SmtpClientAutoConfiguration.class));

  private final Kept kept = new Kept();
  private SmtpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Keeps each message's session and body. */
  static final class Kept implements SmtpHandler {
    record Message(SessionInfo session, String body) {}

    final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<Decision> message(
        SessionInfo session, Envelope envelope, MessageBody body) {
      try {
        messages.add(
            new Message(
                session, new String(body.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)));
        return Decision.acceptStage();
      } catch (IOException e) {
        return Decision.reject(451, "4.3.0", "x").asStage();
      }
    }

    Message take() throws InterruptedException {
      Message m = messages.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("a message within 10 seconds").isNotNull();
      return m;
    }
  }

  private SmtpServer start(SmtpServerBuilder builder) {
    server =
        builder
            .address(InetAddress.getLoopbackAddress())
            .port(0)
            .domain("mx.test")
            .handler(kept)
            .build()
            .start();
    return server;
  }

  private static java.util.function.Supplier<io.netty.handler.ssl.SslContext> serverContext() {
    try {
      io.netty.handler.ssl.SslContext context =
          SslContexts.forServer(pki.server.toKeyManagerFactory(), null, ClientAuth.NONE);
      return () -> context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static SendResult send(SmtpClientPool pool) {
    return pool.send(ENVELOPE, MessageContent.of("Subject: hi\r\n\r\nhello\r\n"))
        .toCompletableFuture()
        .join();
  }

  @Test
  void clientIsAutoConfiguredAndThePoolOnlyWithAHost() {
    runner.run(
        context -> {
          assertThat(context).hasSingleBean(SmtpClient.class);
          assertThat(context).doesNotHaveBean(SmtpClientPool.class);
        });
    runner
        .withPropertyValues("smtp.client.host=localhost", "smtp.client.pool.max-connections=3")
        .run(
            context ->
                assertThat(context.getBean(SmtpClientPool.class).maxConnections()).isEqualTo(3));
  }

  @Test
  void clientBacksOffWhenTheApplicationDefinesOne() {
    SmtpClient own = SmtpClient.builder().ioThreads(1).build();
    try {
      runner
          .withBean(SmtpClient.class, () -> own)
          .withPropertyValues("smtp.client.host=localhost")
          .run(
              context -> {
                assertThat(context.getBean(SmtpClient.class)).isSameAs(own);
                assertThat(context).hasSingleBean(SmtpClientPool.class);
              });
    } finally {
      own.close();
    }
  }

  @Test
  void poolBacksOffWhenTheApplicationDefinesOne() {
    runner
        .withPropertyValues("smtp.client.host=localhost")
        .withUserConfiguration(OwnPool.class)
        .run(
            context ->
                assertThat(context).getBeans(SmtpClientPool.class).containsOnlyKeys("myPool"));
  }

  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class OwnPool {
    @org.springframework.context.annotation.Bean
    SmtpClientPool myPool(SmtpClient client) {
      return SmtpClientPool.builder(client, "elsewhere.test", 2525).build();
    }
  }

  @Test
  void clientCanBeSwitchedOff() {
    runner
        .withPropertyValues("smtp.client.enabled=false", "smtp.client.host=localhost")
        .run(
            context ->
                assertThat(context)
                    .doesNotHaveBean(SmtpClient.class)
                    .doesNotHaveBean(SmtpClientPool.class));
  }

  @Test
  void usernameWithoutPasswordFailsStartUp() {
    runner
        .withPropertyValues("smtp.client.username=alice")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("smtp.client.password"));
  }

  @Test
  void poolSendsWithTheConfiguredNameAndCredentials() throws Exception {
    start(
        SmtpServer.builder()
            .authenticator(Authenticator.ofPasswords(Map.of("alice", "wonderland")))
            .allowInsecureAuth(true)
            .authRequired(true));
    runner
        .withPropertyValues(
            "smtp.client.host=127.0.0.1",
            "smtp.client.port=" + server.port(),
            "smtp.client.local-host=app.test",
            "smtp.client.username=alice",
            "smtp.client.password=wonderland",
            "smtp.client.mechanism=PLAIN",
            "smtp.client.allow-insecure-auth=true")
        .run(
            context -> {
              assertThat(send(context.getBean(SmtpClientPool.class)).accepted()).hasSize(1);
              Kept.Message m = kept.take();
              assertThat(m.session().hello().domain()).isEqualTo("app.test");
              assertThat(m.session().authenticatedUser()).isEqualTo("alice");
              assertThat(m.body()).isEqualTo("Subject: hi\r\n\r\nhello\r\n");
            });
    // closed with the context: the pooled connection goes away
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.activeSessions() == 0);
  }

  @Test
  void customizersChangeTheClient() throws Exception {
    start(SmtpServer.builder());
    runner
        .withPropertyValues("smtp.client.host=127.0.0.1", "smtp.client.port=" + server.port())
        .withBean(SmtpClientCustomizer.class, () -> builder -> builder.localHost("customized.test"))
        .run(
            context -> {
              send(context.getBean(SmtpClientPool.class));
              assertThat(kept.take().session().hello().domain()).isEqualTo("customized.test");
            });
  }

  @Test
  void sslBundleVerifiesTheServerOverRequiredStartTls() throws Exception {
    start(SmtpServer.builder().tls(TlsMode.STARTTLS, serverContext()));
    KeyStore trust = pki.trustStore();
    SslBundle bundle = SslBundle.of(SslStoreBundle.of(null, null, trust));
    ApplicationContextRunner tls =
        runner
            .withBean(SslBundles.class, () -> new DefaultSslBundleRegistry("mail", bundle))
            .withPropertyValues(
                "smtp.client.host=localhost",
                "smtp.client.port=" + server.port(),
                "smtp.client.ssl.policy=required");
    tls.withPropertyValues("smtp.client.ssl.bundle=mail")
        .run(
            context -> {
              send(context.getBean(SmtpClientPool.class));
              assertThat(kept.take().session().isTls()).isTrue();
            });
    // without the bundle the JDK's trust store does not know the test authority
    tls.run(
        context ->
            assertThat(
                    context
                        .getBean(SmtpClientPool.class)
                        .send(ENVELOPE, MessageContent.of("x"))
                        .toCompletableFuture())
                .failsWithin(Duration.ofSeconds(10))
                .withThrowableThat()
                .havingRootCause()
                .isInstanceOf(java.security.cert.CertPathBuilderException.class));
    assertThat(kept.messages).isEmpty();
  }

  @Test
  void missingSslBundleFailsStartUp() {
    runner
        .withBean(SslBundles.class, DefaultSslBundleRegistry::new)
        .withPropertyValues("smtp.client.ssl.bundle=nope")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("nope"));
  }

  @Test
  void implicitTlsMode() throws Exception {
    start(SmtpServer.builder().tls(TlsMode.IMPLICIT, serverContext()));
    KeyStore trust = pki.trustStore();
    runner
        .withBean(
            SslBundles.class,
            () ->
                new DefaultSslBundleRegistry(
                    "mail", SslBundle.of(SslStoreBundle.of(null, null, trust))))
        .withPropertyValues(
            "smtp.client.host=localhost",
            "smtp.client.port=" + server.port(),
            "smtp.client.ssl.bundle=mail",
            "smtp.client.ssl.mode=implicit")
        .run(
            context -> {
              send(context.getBean(SmtpClientPool.class));
              assertThat(kept.take().session().isTls()).isTrue();
            });
  }

  @Test
  void sendFailsClearlyWhenNothingListens() {
    runner
        .withPropertyValues(
            "smtp.client.host=127.0.0.1", "smtp.client.port=1", "smtp.client.connect-timeout=2s")
        .run(
            context ->
                assertThat(
                        context
                            .getBean(SmtpClientPool.class)
                            .send(ENVELOPE, MessageContent.of("x"))
                            .toCompletableFuture())
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableThat()
                    .havingCause()
                    .isInstanceOf(SmtpConnectionException.class));
  }
}
