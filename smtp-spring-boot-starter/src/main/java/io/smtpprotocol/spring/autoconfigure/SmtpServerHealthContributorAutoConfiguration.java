package io.smtpprotocol.spring.autoconfigure;

import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.spring.health.SmtpServerHealthIndicator;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for the SMTP server's health contributor,
 * named {@code smtp}.
 */
@AutoConfiguration(after = SmtpServerAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(SmtpServer.class)
@ConditionalOnEnabledHealthIndicator("smtp")
public final class SmtpServerHealthContributorAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(name = {"smtpHealthIndicator", "smtpHealthContributor"})
  SmtpServerHealthIndicator smtpHealthIndicator(ObjectProvider<SmtpServer> server) {
    return new SmtpServerHealthIndicator(server::getIfUnique);
  }
}
