package io.smtpprotocol.spring.autoconfigure;

import io.smtpprotocol.client.SmtpClientPool;
import io.smtpprotocol.spring.client.SmtpClientMailSender;
import jakarta.mail.internet.MimeMessage;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.mail.MailSender;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * {@link EnableAutoConfiguration Auto-configuration} for a {@link JavaMailSender} backed by the
 * SMTP client's pool, when Spring's mail support and Jakarta Mail are on the class path and {@code
 * smtp.client.host} is set. It runs before Spring Boot's own mail sender auto-configuration, which
 * then backs off (it is conditional on a missing {@link MailSender}); {@code
 * smtp.client.mail-sender.enabled=false} leaves Spring Boot's in place.
 */
@AutoConfiguration(
    after = SmtpClientAutoConfiguration.class,
    beforeName = "org.springframework.boot.mail.autoconfigure.MailSenderAutoConfiguration")
@ConditionalOnClass({JavaMailSender.class, MimeMessage.class, SmtpClientPool.class})
@ConditionalOnBooleanProperty(name = "smtp.client.mail-sender.enabled", matchIfMissing = true)
public final class SmtpClientMailSenderAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean(MailSender.class)
  @ConditionalOnBean(SmtpClientPool.class)
  SmtpClientMailSender smtpClientMailSender(SmtpClientPool pool, SmtpClientProperties properties) {
    return new SmtpClientMailSender(pool, properties.mailSender().timeout());
  }
}
