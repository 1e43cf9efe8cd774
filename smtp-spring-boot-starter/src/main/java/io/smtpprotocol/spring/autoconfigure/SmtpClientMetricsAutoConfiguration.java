package io.smtpprotocol.spring.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.smtpprotocol.client.SmtpClient;
import io.smtpprotocol.client.SmtpClientPool;
import io.smtpprotocol.spring.metrics.SmtpClientMeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the SMTP client's Micrometer meters
 * ({@link SmtpClientMeterBinder}), which the auto-configured pool reports to.
 */
@AutoConfiguration(
    after = {
      MetricsAutoConfiguration.class,
      CompositeMeterRegistryAutoConfiguration.class,
      SmtpClientAutoConfiguration.class
    })
@ConditionalOnClass({MeterRegistry.class, MetricsAutoConfiguration.class, SmtpClient.class})
@ConditionalOnBean({MeterRegistry.class, SmtpClient.class})
public final class SmtpClientMetricsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  SmtpClientMeterBinder smtpClientMeterBinder(ObjectProvider<SmtpClientPool> pool) {
    return new SmtpClientMeterBinder(pool::getIfAvailable);
  }

  @Bean
  SmtpClientCustomizer smtpClientMeterBinderCustomizer(SmtpClientMeterBinder meterBinder) {
    return (builder) -> builder.replyObserver(meterBinder);
  }
}
