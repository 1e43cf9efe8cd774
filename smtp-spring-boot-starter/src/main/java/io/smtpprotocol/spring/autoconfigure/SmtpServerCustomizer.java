package io.smtpprotocol.spring.autoconfigure;

import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.server.SmtpServerBuilder;

/**
 * Customizes the auto-configured {@link SmtpServer} before it is built. Every customizer bean is
 * applied, in {@link org.springframework.core.annotation.Order @Order}, after the {@code
 * smtp.server.*} properties, so a customizer has the last word:
 *
 * <pre>{@code
 * @Bean
 * SmtpServerCustomizer greeting() {
 *   return (builder) -> builder.greeting("at your service");
 * }
 * }</pre>
 */
@FunctionalInterface
public interface SmtpServerCustomizer {

  /** Customizes the builder. */
  void customize(SmtpServerBuilder builder);
}
