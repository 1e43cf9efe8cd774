package io.smtpprotocol.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.auth.AuthSettings;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.server.Limits;
import io.smtpprotocol.server.ServerConfig;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.spring.context.SmtpServerLifecycle;
import io.smtpprotocol.spring.context.SmtpServerPortInUseException;
import io.smtpprotocol.spring.listener.SmtpEvent;
import io.smtpprotocol.spring.listener.SmtpListener;
import io.smtpprotocol.testing.RawClient;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.JRE;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.util.unit.DataSize;

/** Conditions, properties, customizers and back-off of {@link SmtpServerAutoConfiguration}. */
class SmtpServerAutoConfigurationTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SmtpServerAutoConfiguration.class))
          .withPropertyValues("smtp.server.port=0", "smtp.server.address=127.0.0.1");

  private static int port(AssertableApplicationContext context) {
    return context.getEnvironment().getRequiredProperty("local.smtp.server.port", Integer.class);
  }

  @Test
  void serverStartsWithTheContextAndPublishesItsPort() {
    runner
        .withPropertyValues("smtp.server.domain=mx.test")
        .run(
            context -> {
              assertThat(context)
                  .hasSingleBean(SmtpServer.class)
                  .hasSingleBean(SmtpServerLifecycle.class)
                  .hasSingleBean(SmtpHandler.class);
              SmtpServer server = context.getBean(SmtpServer.class);
              assertThat(server.isRunning()).isTrue();
              assertThat(port(context)).isEqualTo(server.port()).isPositive();
              try (RawClient c = new RawClient(port(context))) {
                assertThat(c.reply().toString()).isEqualTo("220 mx.test ESMTP ready");
              }
            });
  }

  @Test
  void propertiesDefaultToPort2525AndTheCoreLimits() {
    SmtpServerProperties defaults =
        Binder.get(new StandardEnvironment())
            .bindOrCreate("smtp.server", SmtpServerProperties.class);
    assertThat(defaults.port()).isEqualTo(2525);
    assertThat(defaults.enabled()).isTrue();
    assertThat(defaults.maxMessageSize()).isEqualTo(DataSize.ofMegabytes(10));
    assertThat(defaults.maxMessageSize().toBytes()).isEqualTo(Limits.DEFAULTS.maxMessageSize());
    assertThat(defaults.maxRecipients()).isEqualTo(Limits.DEFAULTS.maxRecipients());
    assertThat(defaults.maxLineLength()).isEqualTo(Limits.DEFAULTS.maxLineLength());
    assertThat(defaults.maxConnections()).isEqualTo(Limits.DEFAULTS.maxConnections());
    assertThat(defaults.maxConnectionsPerIp()).isEqualTo(Limits.DEFAULTS.maxConnectionsPerIp());
    assertThat(defaults.idleTimeout()).isEqualTo(Limits.DEFAULTS.idleTimeout());
    assertThat(defaults.writeBufferSize().toBytes()).isEqualTo(Limits.DEFAULTS.writeBufferSize());
    assertThat(defaults.maxMessagesPerSession()).isEqualTo(Limits.DEFAULTS.maxMessagesPerSession());
    assertThat(defaults.requiretls()).isFalse();
    assertThat(defaults.dsn()).isFalse();
    assertThat(defaults.lmtp()).isFalse();
    assertThat(defaults.auth().maxFailuresPerAddress())
        .isEqualTo(AuthSettings.NONE.maxAddressFailures());
    assertThat(defaults.auth().failureWindow()).isEqualTo(AuthSettings.NONE.addressFailureWindow());
    assertThat(defaults.lenientLineEndings()).isFalse();
    assertThat(defaults.acceptedDomains()).isNull();
    assertThat(defaults.xclient().enabled()).isFalse();
    assertThat(defaults.ioThreads()).isZero();
    assertThat(defaults.handlerThreads()).isEqualTo(256);
  }

  @Test
  void serverIsNotConfiguredWhenDisabled() {
    runner
        .withPropertyValues("smtp.server.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .doesNotHaveBean(SmtpServer.class)
                    .doesNotHaveBean(SmtpServerLifecycle.class)
                    .doesNotHaveBean(SmtpHandler.class));
  }

  @Test
  void propertiesConfigureTheServer() {
    runner
        .withPropertyValues(
            "smtp.server.domain=mx.example.com",
            "smtp.server.max-message-size=2MB",
            "smtp.server.max-recipients=3",
            "smtp.server.max-line-length=2000",
            "smtp.server.max-connections=10",
            "smtp.server.max-connections-per-ip=2",
            "smtp.server.idle-timeout=30s",
            "smtp.server.write-buffer-size=16KB",
            "smtp.server.max-messages-per-session=5",
            "smtp.server.requiretls=true",
            "smtp.server.dsn=true",
            "smtp.server.lmtp=true",
            "smtp.server.lenient-line-endings=true",
            "smtp.server.accepted-domains=example.com, Example.ORG",
            "smtp.server.xclient.trusted-clients=10.0.0.0/8, unix",
            "smtp.server.io-threads=1",
            "smtp.server.handler-threads=16")
        .run(
            context -> {
              ServerConfig config = context.getBean(SmtpServer.class).config();
              assertThat(config.address()).isEqualTo(InetAddress.getByName("127.0.0.1"));
              assertThat(config.port()).isZero();
              assertThat(config.domain()).isEqualTo("mx.example.com");
              assertThat(config.lenientLineEndings()).isTrue();
              assertThat(config.unixSocket()).isNull();
              assertThat(config.acceptedDomains())
                  .containsExactlyInAnyOrder("example.com", "example.org");
              assertThat(config.xclientClients()).containsExactly("10.0.0.0/8", "unix");
              assertThat(config.ioThreads()).isEqualTo(1);
              assertThat(config.handlerThreads()).isEqualTo(16);
              Limits limits = config.limits();
              assertThat(limits.maxMessageSize()).isEqualTo(2L * 1024 * 1024);
              assertThat(limits.maxRecipients()).isEqualTo(3);
              assertThat(limits.maxLineLength()).isEqualTo(2000);
              assertThat(limits.maxConnections()).isEqualTo(10);
              assertThat(limits.maxConnectionsPerIp()).isEqualTo(2);
              assertThat(limits.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
              assertThat(limits.writeBufferSize()).isEqualTo(16 * 1024);
              assertThat(limits.maxMessagesPerSession()).isEqualTo(5);
              assertThat(config.requireTls()).isTrue();
              assertThat(config.dsn()).isTrue();
              assertThat(config.lmtp()).isTrue();
            });
  }

  @Test
  void limitsFromPropertiesApplyOnTheWire() {
    runner
        .withPropertyValues("smtp.server.max-message-size=1KB", "smtp.server.max-recipients=1")
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                c.reply();
                assertThat(c.command("EHLO client.test").lines()).contains("SIZE 1024");
                assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<c@example.com>").toString())
                    .isEqualTo("452 4.5.3 Too many recipients");
              }
            });
  }

  @Test
  void acceptedDomainsFromPropertiesApplyOnTheWire() {
    runner
        .withPropertyValues("smtp.server.accepted-domains=example.com")
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                c.reply();
                c.command("EHLO client.test");
                assertThat(c.command("MAIL FROM:<a@other.test>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<b@other.test>").toString())
                    .isEqualTo("550 5.1.1 No such mailbox here: domain not served");
                assertThat(c.command("RCPT TO:<b@EXAMPLE.com>").code()).isEqualTo(250);
              }
            });
  }

  @Test
  void xclientIsOffWithoutTrustedClients() {
    runner.run(
        context -> {
          assertThat(context.getBean(SmtpServer.class).config().xclientClients()).isEmpty();
          try (RawClient c = new RawClient(port(context))) {
            c.reply();
            assertThat(c.command("EHLO client.test").toString()).doesNotContain("XCLIENT");
            assertThat(c.command("XCLIENT ADDR=192.0.2.7").toString())
                .isEqualTo("550 5.7.0 Insufficient authorization");
          }
        });
  }

  @Test
  void xclientFromTrustedClientsApplyOnTheWire() {
    runner
        .withPropertyValues("smtp.server.xclient.trusted-clients=127.0.0.1")
        .withBean(SessionListener.class)
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                c.reply();
                assertThat(c.command("EHLO client.test").lines())
                    .contains("XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT");
                assertThat(c.command("XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2").code())
                    .isEqualTo(220);
                c.command("EHLO spike.porcupine.org");
                assertThat(c.command("MAIL FROM:<wietse@porcupine.org>").code()).isEqualTo(250);
              }
              SessionInfo session =
                  context.getBean(SessionListener.class).senders.poll(5, TimeUnit.SECONDS);
              assertThat(session.remoteInetAddress().orElseThrow().getAddress())
                  .isEqualTo(InetAddress.getByName("168.100.189.2"));
              assertThat(session.clientName()).isEqualTo("spike.porcupine.org");
            });
  }

  @Test
  void startUpFailsOnATrustedClientThatIsNoAddress() {
    runner
        .withPropertyValues("smtp.server.xclient.trusted-clients=relay.example.com")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("relay.example.com"));
  }

  static class SessionListener {
    final BlockingQueue<SessionInfo> senders = new LinkedBlockingQueue<>();

    @SmtpListener(SmtpEvent.MAIL_FROM)
    void sender(SessionInfo session) {
      senders.add(session);
    }
  }

  @Test
  void customizersAreAppliedInOrderAfterTheProperties() {
    runner
        .withPropertyValues("smtp.server.domain=mx.properties")
        .withUserConfiguration(Customizers.class)
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                assertThat(c.reply().toString()).isEqualTo("220 mx.customized ESMTP second");
              }
            });
  }

  @Test
  void serverBacksOffWhenUserDefinesSmtpServerBean() {
    runner
        .withUserConfiguration(OwnServer.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(SmtpServer.class);
              SmtpServer server = context.getBean(SmtpServer.class);
              assertThat(server).isSameAs(context.getBean("ownServer"));
              assertThat(server.isRunning()).isTrue();
              try (RawClient c = new RawClient(server.port())) {
                assertThat(c.reply().toString()).isEqualTo("220 mx.own ESMTP ready");
              }
            });
  }

  @Test
  void handlerBacksOffWhenUserDefinesSmtpHandlerBean() {
    runner
        .withUserConfiguration(OwnHandler.class)
        .run(
            context -> {
              assertThat(context).hasSingleBean(SmtpHandler.class);
              OwnHandler.Recording handler = context.getBean(OwnHandler.Recording.class);
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                assertThat(c.mail("a@example.com", "b@example.com", "hello").code()).isEqualTo(250);
              }
              assertThat(handler.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("b@example.com");
            });
  }

  @Test
  void lifecycleBacksOffWhenUserDefinesOne() {
    runner
        .withBean(
            "ownLifecycle",
            SmtpServerLifecycle.class,
            () -> new SmtpServerLifecycle(() -> null, Duration.ZERO))
        .run(
            context -> {
              assertThat(context).hasSingleBean(SmtpServerLifecycle.class);
              assertThat(context.getBean(SmtpServerLifecycle.class).server()).isNull();
              assertThat(context.getEnvironment().getProperty("local.smtp.server.port")).isNull();
            });
  }

  @Test
  void shutdownTimeoutFollowsTheLifecycleTimeoutPerShutdownPhase() {
    runner
        .withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=7s")
        .run(
            context ->
                assertThat(context.getBean(SmtpServerLifecycle.class))
                    .hasFieldOrPropertyWithValue("shutdownTimeout", Duration.ofSeconds(7)));
    runner.run(
        context ->
            assertThat(context.getBean(SmtpServerLifecycle.class))
                .hasFieldOrPropertyWithValue("shutdownTimeout", Duration.ofSeconds(30)));
  }

  @Test
  void startUpFailsNamingThePortWhenItIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      runner
          .withPropertyValues("smtp.server.port=" + taken.getLocalPort())
          .run(
              context -> {
                Throwable failure = context.getStartupFailure();
                while (failure != null && !(failure instanceof SmtpServerPortInUseException)) {
                  failure = failure.getCause();
                }
                assertThat(failure)
                    .isInstanceOf(SmtpServerPortInUseException.class)
                    .hasMessage(
                        "SMTP server could not start: port "
                            + taken.getLocalPort()
                            + " is already in use");
              });
    }
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void unixSocketReplacesTcp(@TempDir Path dir) {
    Path socket = dir.resolve("smtp.sock");
    runner
        .withPropertyValues("smtp.server.unix-socket=" + socket, "smtp.server.domain=mx.local")
        .run(
            context -> {
              assertThat(context.getBean(SmtpServer.class).config().unixSocket()).isEqualTo(socket);
              assertThat(context.getEnvironment().getProperty("local.smtp.server.port")).isNull();
              try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                ByteBuffer greeting = ByteBuffer.allocate(64);
                while (greeting.position() < 2 || greeting.get(greeting.position() - 1) != '\n') {
                  if (channel.read(greeting) < 0) {
                    break;
                  }
                }
                assertThat(
                        new String(
                            greeting.array(), 0, greeting.position(), StandardCharsets.US_ASCII))
                    .isEqualTo("220 mx.local ESMTP ready\r\n");
              }
            });
  }

  @Test
  void listenersRunOnTheServersPoolByDefault() {
    runner
        .withPropertyValues("spring.threads.virtual.enabled=false")
        .withBean(ThreadRecorder.class)
        .run(
            context ->
                assertThat(handlerThread(context))
                    .startsWith("smtp-handler")
                    .doesNotEndWith(" virtual"));
  }

  @Test
  @EnabledForJreRange(max = JRE.JAVA_20)
  void virtualThreadsNeedJava21() {
    runner
        .withPropertyValues("spring.threads.virtual.enabled=true")
        .withBean(ThreadRecorder.class)
        .run(
            context ->
                assertThat(handlerThread(context))
                    .startsWith("smtp-handler")
                    .doesNotEndWith(" virtual"));
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_21)
  void listenersRunOnVirtualThreadsWhenEnabled() {
    runner
        .withPropertyValues("spring.threads.virtual.enabled=true")
        .withBean(ThreadRecorder.class)
        .run(
            context ->
                assertThat(handlerThread(context))
                    .startsWith("smtp-handler-")
                    .endsWith(" virtual"));
  }

  /** The thread a MAIL listener ran on (" virtual" appended for a virtual thread). */
  private static @Nullable String handlerThread(AssertableApplicationContext context)
      throws Exception {
    try (RawClient c = RawClient.afterEhlo(port(context))) {
      c.command("MAIL FROM:<a@example.com>");
    }
    return context.getBean(ThreadRecorder.class).threads.poll(5, TimeUnit.SECONDS);
  }

  // ------------------------------------------------------------------ configurations

  @Configuration(proxyBeanMethods = false)
  static class Customizers {
    @Bean
    @Order(2)
    SmtpServerCustomizer second() {
      return builder -> builder.greeting("second");
    }

    @Bean
    @Order(1)
    SmtpServerCustomizer first() {
      return builder -> builder.greeting("first").domain("mx.customized");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnServer {
    @Bean
    SmtpServer ownServer() {
      return SmtpServer.builder()
          .domain("mx.own")
          .address(InetAddress.getLoopbackAddress())
          .port(0)
          .build();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnHandler {
    static class Recording implements SmtpHandler {
      final BlockingQueue<String> messages = new LinkedBlockingQueue<>();

      @Override
      public CompletionStage<Decision> message(
          SessionInfo session, Envelope envelope, MessageBody body) {
        try {
          body.transferTo(OutputStream.nullOutputStream());
        } catch (java.io.IOException e) {
          return Decision.reject(451, "4.3.0", "failed").asStage();
        }
        messages.add(envelope.mailboxes().get(0).address());
        return Decision.acceptStage();
      }
    }

    @Bean
    Recording ownHandler() {
      return new Recording();
    }
  }

  static class ThreadRecorder {
    final BlockingQueue<String> threads = new LinkedBlockingQueue<>();

    @SmtpListener(SmtpEvent.MAIL_FROM)
    void sender() {
      Thread t = Thread.currentThread();
      threads.add(t.getName() + (isVirtual(t) ? " virtual" : ""));
    }

    private static boolean isVirtual(Thread t) {
      try {
        return (boolean) Thread.class.getMethod("isVirtual").invoke(t);
      } catch (ReflectiveOperationException e) {
        return false;
      }
    }
  }
}
