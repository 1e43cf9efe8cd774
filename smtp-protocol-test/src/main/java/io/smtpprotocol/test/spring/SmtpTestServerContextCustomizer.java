package io.smtpprotocol.test.spring;

import io.smtpprotocol.test.SmtpTestServer;
import io.smtpprotocol.tls.TlsMode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.MapPropertySource;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.MergedContextConfiguration;

/**
 * Starts the server before the context refreshes, registers it as a bean, puts its address in front
 * of the application's properties, and stops it when the context closes. Equal settings give equal
 * customizers, so Spring's context cache shares the context and its server.
 */
final class SmtpTestServerContextCustomizer implements ContextCustomizer {

  static final String BEAN_NAME = "smtpTestServer";
  static final String BUNDLE = "smtp-test-server";
  static final String PROPERTY_SOURCE = "smtpTestServer";

  private final Settings settings;

  SmtpTestServerContextCustomizer(Settings settings) {
    this.settings = settings;
  }

  @Override
  public void customizeContext(
      ConfigurableApplicationContext context, MergedContextConfiguration config) {
    SmtpTestServer server = settings.build().start();
    context.getBeanFactory().registerSingleton(BEAN_NAME, server);
    context.addApplicationListener(new StopOnClose(context, server));
    context
        .getEnvironment()
        .getPropertySources()
        .addFirst(new MapPropertySource(PROPERTY_SOURCE, properties(server)));
  }

  private Map<String, Object> properties(SmtpTestServer server) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("spring.mail.host", server.host());
    p.put("spring.mail.port", server.port());
    p.put(
        "spring.ssl.bundle.pem." + BUNDLE + ".truststore.certificate",
        server.trustedCertificatePem());
    if (settings.tls() == TlsMode.IMPLICIT) {
      p.put("spring.mail.ssl.enabled", true);
      p.put("spring.mail.ssl.bundle", BUNDLE);
    }
    // the project's own client (smtp-spring-boot-starter), configured alike
    p.put("smtp.client.host", server.host());
    p.put("smtp.client.port", server.port());
    p.put("smtp.client.ssl.bundle", BUNDLE);
    p.put(
        "smtp.client.ssl.mode",
        switch (settings.tls()) {
          case IMPLICIT -> "implicit";
          case STARTTLS -> "starttls";
          case NONE -> "none";
        });
    if (!settings.users().isEmpty()) {
      String first = settings.users().get(0);
      p.put("spring.mail.username", Settings.name(first));
      p.put("spring.mail.password", Settings.password(first));
      p.put("smtp.client.username", Settings.name(first));
      p.put("smtp.client.password", Settings.password(first));
    }
    return p;
  }

  @Override
  public boolean equals(@Nullable Object other) {
    return other instanceof SmtpTestServerContextCustomizer c && c.settings.equals(settings);
  }

  @Override
  public int hashCode() {
    return settings.hashCode();
  }

  private static final class StopOnClose implements ApplicationListener<ContextClosedEvent> {
    private final ConfigurableApplicationContext context;
    private final SmtpTestServer server;

    StopOnClose(ConfigurableApplicationContext context, SmtpTestServer server) {
      this.context = context;
      this.server = server;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
      if (event.getApplicationContext() == context) {
        server.close();
      }
    }
  }
}
