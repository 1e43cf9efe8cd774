package io.smtpprotocol.spring.autoconfigure;

import io.smtpprotocol.client.SmtpClient;

/** Changes the auto-configured {@link SmtpClient} before it is built. */
@FunctionalInterface
public interface SmtpClientCustomizer {

  void customize(SmtpClient.Builder builder);
}
