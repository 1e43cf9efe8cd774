package io.smtpprotocol.spring.autoconfigure;

import io.netty.handler.ssl.ClientAuth;
import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.auth.SaslMechanism;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.server.Limits;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.server.SmtpServerBuilder;
import io.smtpprotocol.spring.context.SmtpServerLifecycle;
import io.smtpprotocol.spring.listener.SmtpListenerMethodProcessor;
import io.smtpprotocol.spring.ssl.SmtpSslContextSupplier;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.thread.Threading;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.Environment;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.util.unit.DataSize;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for an {@link SmtpServer} that starts with the
 * application, answers through {@code @SmtpListener} methods and drains on shutdown.
 *
 * <p>The server and the listener handler are made when the server starts, after every singleton
 * exists, so that all listener methods are known by then. An application's own {@link SmtpServer}
 * or {@link SmtpHandler} bean replaces the auto-configured one. TLS comes from the SSL bundle named
 * by {@code smtp.server.ssl.bundle}; an {@link Authenticator} bean turns AUTH on, and {@link
 * SaslMechanism} beans add mechanisms of the application's own to the built-in ones.
 */
@AutoConfiguration(after = SslAutoConfiguration.class)
@ConditionalOnClass(SmtpServer.class)
@ConditionalOnBooleanProperty(name = "smtp.server.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SmtpServerProperties.class)
public final class SmtpServerAutoConfiguration {

  private static final String SHUTDOWN_TIMEOUT_PROPERTY =
      "spring.lifecycle.timeout-per-shutdown-phase";

  @Bean
  @ConditionalOnMissingBean
  static SmtpListenerMethodProcessor smtpListenerMethodProcessor() {
    return new SmtpListenerMethodProcessor();
  }

  @Bean(SmtpListenerMethodProcessor.HANDLER_BEAN_NAME)
  @Lazy
  @ConditionalOnMissingBean
  SmtpHandler smtpListenerHandler(SmtpListenerMethodProcessor processor) {
    return processor.handler();
  }

  @Bean
  @Lazy
  @ConditionalOnMissingBean
  SmtpServer smtpServer(
      SmtpServerProperties properties,
      ObjectProvider<SmtpHandler> handler,
      ObjectProvider<SmtpServerCustomizer> customizers,
      ObjectProvider<SslBundles> sslBundles,
      ObjectProvider<Authenticator> authenticator,
      ObjectProvider<SaslMechanism> saslMechanisms,
      Environment environment) {
    SmtpServerBuilder builder = SmtpServer.builder();
    PropertyMapper map = PropertyMapper.get();
    map.from(properties.address()).to(builder::address);
    builder.port(properties.port());
    map.from(properties.domain()).to(builder::domain);
    map.from(properties.unixSocket()).to(builder::unixSocket);
    builder.limits(limits(properties));
    builder.lenientLineEndings(properties.lenientLineEndings());
    builder.requireTls(properties.requiretls());
    builder.dsn(properties.dsn());
    builder.lmtp(properties.lmtp());
    List<String> xclientClients = properties.xclient().trustedClients();
    if (xclientClients != null && !xclientClients.isEmpty()) {
      builder.xclient(xclientClients);
    }
    map.from(properties.acceptedDomains()).to(builder::acceptedDomains);
    builder.ioThreads(properties.ioThreads());
    builder.handlerThreads(properties.handlerThreads());
    builder.handler(handler.getObject());
    tls(builder, properties, sslBundles);
    proxyProtocol(builder, properties.proxyProtocol());
    auth(builder, properties.auth(), authenticator.getIfUnique());
    saslMechanisms.orderedStream().forEach(builder::saslMechanism);
    if (Threading.VIRTUAL.isActive(environment)) {
      builder.handlerExecutor(virtualThreads());
    }
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  private static void tls(
      SmtpServerBuilder builder,
      SmtpServerProperties properties,
      ObjectProvider<SslBundles> sslBundles) {
    SmtpServerProperties.Ssl ssl = properties.ssl();
    if (!ssl.enabled()) {
      if (properties.tlsRequired()) {
        throw new IllegalStateException(
            "smtp.server.tls-required=true needs TLS: set smtp.server.ssl.bundle");
      }
      return;
    }
    SslBundles bundles = sslBundles.getIfAvailable();
    if (bundles == null) {
      throw new IllegalStateException(
          "smtp.server.ssl.bundle is set, but the application has no SslBundles bean");
    }
    builder.tls(
        ssl.mode(),
        new SmtpSslContextSupplier(
            bundles,
            Objects.requireNonNull(ssl.bundle(), "smtp.server.ssl.bundle"), // enabled() says set
            clientAuth(ssl.clientAuth())));
    builder.tlsRequired(properties.tlsRequired());
  }

  private static void proxyProtocol(
      SmtpServerBuilder builder, SmtpServerProperties.ProxyProtocol proxy) {
    if (!proxy.enabled()) {
      return;
    }
    List<String> trusted = proxy.trustedProxies();
    if (trusted == null || trusted.isEmpty()) {
      throw new IllegalStateException(
          "smtp.server.proxy-protocol.enabled=true needs the proxies' addresses: set"
              + " smtp.server.proxy-protocol.trusted-proxies (IP addresses or CIDR blocks)");
    }
    try {
      builder.proxyProtocol(trusted).proxyHeaderTimeout(proxy.headerTimeout());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("smtp.server.proxy-protocol: " + e.getMessage(), e);
    }
  }

  private static ClientAuth clientAuth(SmtpServerProperties.ClientAuth auth) {
    return switch (auth) {
      case NONE -> ClientAuth.NONE;
      case WANT -> ClientAuth.OPTIONAL;
      case NEED -> ClientAuth.REQUIRE;
    };
  }

  private static void auth(
      SmtpServerBuilder builder,
      SmtpServerProperties.Auth auth,
      @Nullable Authenticator authenticator) {
    if (authenticator == null) {
      if (auth.required()) {
        throw new IllegalStateException(
            "smtp.server.auth.required=true needs an Authenticator bean");
      }
      return;
    }
    builder.authenticator(authenticator);
    builder.authRequired(auth.required());
    builder.allowInsecureAuth(auth.allowInsecure());
    builder.authFailuresPerAddress(auth.maxFailuresPerAddress(), auth.failureWindow());
    List<String> mechanisms = auth.mechanisms();
    if (mechanisms != null && !mechanisms.isEmpty()) {
      builder.authMechanisms(mechanisms);
    }
  }

  private static Limits limits(SmtpServerProperties properties) {
    DataSize size = properties.maxMessageSize();
    return Limits.DEFAULTS
        .withMaxMessageSize(size.toBytes())
        .withMaxRecipients(properties.maxRecipients())
        .withMaxLineLength(properties.maxLineLength())
        .withMaxConnections(properties.maxConnections())
        .withMaxConnectionsPerIp(properties.maxConnectionsPerIp())
        .withIdleTimeout(properties.idleTimeout())
        .withWriteBufferSize(Math.toIntExact(properties.writeBufferSize().toBytes()))
        .withMaxMessagesPerSession(properties.maxMessagesPerSession());
  }

  private static SimpleAsyncTaskExecutor virtualThreads() {
    // Unbounded on purpose: a limit would block the event loop that submits. Each session waits
    // for one decision at a time, so max-connections bounds the threads anyway.
    SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("smtp-handler-");
    executor.setVirtualThreads(true);
    return executor;
  }

  @Bean
  @ConditionalOnMissingBean
  SmtpServerLifecycle smtpServerLifecycle(
      ObjectProvider<SmtpServer> server, Environment environment) {
    Duration timeout =
        Binder.get(environment)
            .bind(SHUTDOWN_TIMEOUT_PROPERTY, Duration.class)
            .orElse(Duration.ofSeconds(30));
    return new SmtpServerLifecycle(server::getIfUnique, timeout);
  }
}
