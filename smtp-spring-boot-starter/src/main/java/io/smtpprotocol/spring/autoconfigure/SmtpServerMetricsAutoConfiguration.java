package io.smtpprotocol.spring.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.spring.metrics.SmtpServerMeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the SMTP server's Micrometer meters
 * ({@link SmtpServerMeterBinder}), set as the auto-configured server's observer.
 */
@AutoConfiguration(
    after = {
      MetricsAutoConfiguration.class,
      CompositeMeterRegistryAutoConfiguration.class,
      SmtpServerAutoConfiguration.class
    })
@ConditionalOnClass({MeterRegistry.class, MetricsAutoConfiguration.class})
@ConditionalOnBean({MeterRegistry.class, SmtpServer.class})
public final class SmtpServerMetricsAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  SmtpServerMeterBinder smtpServerMeterBinder() {
    return new SmtpServerMeterBinder();
  }

  @Bean
  SmtpServerCustomizer smtpServerMeterBinderCustomizer(SmtpServerMeterBinder meterBinder) {
    return (builder) -> builder.observer(meterBinder);
  }
}
