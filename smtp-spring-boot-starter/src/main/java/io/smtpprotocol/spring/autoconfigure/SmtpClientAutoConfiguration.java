package io.smtpprotocol.spring.autoconfigure;

import io.smtpprotocol.client.Credentials;
import io.smtpprotocol.client.SmtpClient;
import io.smtpprotocol.client.SmtpClientPool;
import io.smtpprotocol.client.TlsPolicy;
import io.smtpprotocol.spring.client.SmtpClientSslContexts;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.PropertyMapper;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for an {@link SmtpClient} and, when {@code
 * smtp.client.host} is set, an {@link SmtpClientPool} to that server. Both are closed with the
 * context; an application's own bean of either type replaces the auto-configured one.
 */
@AutoConfiguration(after = SslAutoConfiguration.class)
@ConditionalOnClass(SmtpClient.class)
@ConditionalOnBooleanProperty(name = "smtp.client.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SmtpClientProperties.class)
public final class SmtpClientAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  SmtpClient smtpClient(
      SmtpClientProperties properties,
      ObjectProvider<SslBundles> sslBundles,
      ObjectProvider<SmtpClientCustomizer> customizers) {
    SmtpClient.Builder builder =
        SmtpClient.builder()
            .connectTimeout(properties.connectTimeout())
            .greetingTimeout(properties.greetingTimeout())
            .commandTimeout(properties.commandTimeout())
            .dataBlockTimeout(properties.dataTimeout())
            .finalTimeout(properties.finalTimeout())
            .ioThreads(properties.ioThreads())
            .allowInsecureAuth(properties.allowInsecureAuth())
            .chunking(properties.chunking());
    PropertyMapper map = PropertyMapper.get();
    map.from(properties.localHost()).to(builder::localHost);
    SmtpClientProperties.Ssl ssl = properties.ssl();
    switch (ssl.mode()) {
      case IMPLICIT -> builder.implicitTls(true);
      case NONE -> builder.tlsPolicy(TlsPolicy.NONE);
      default -> builder.tlsPolicy(ssl.policy());
    }
    if (ssl.bundle() != null) {
      builder.sslContext(SmtpClientSslContexts.fromBundle(sslBundles.getObject(), ssl.bundle()));
    }
    if (properties.username() != null) {
      if (properties.password() == null) {
        throw new IllegalStateException(
            "smtp.client.username is set but smtp.client.password is not");
      }
      builder.credentials(
          new Credentials(properties.username(), properties.password(), properties.mechanism()));
    }
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return builder.build();
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnProperty(prefix = "smtp.client", name = "host")
  SmtpClientPool smtpClientPool(
      SmtpClient client,
      SmtpClientProperties properties,
      ObjectProvider<SmtpClientPool.Observer> observer) {
    SmtpClientProperties.Pool pool = properties.pool();
    SmtpClientPool.Builder builder =
        SmtpClientPool.builder(
                client,
                // the bean's condition: smtp.client.host is set
                Objects.requireNonNull(properties.host(), "smtp.client.host"),
                properties.port())
            .maxConnections(pool.maxConnections())
            .maxMessagesPerConnection(pool.maxMessagesPerConnection())
            .idleTimeout(pool.idleTimeout())
            .acquireTimeout(pool.acquireTimeout())
            .maxWaiting(pool.maxWaiting());
    observer.ifAvailable(builder::observer);
    return builder.build();
  }
}
