package io.smtpprotocol.spring.ssl;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.smtpprotocol.tls.SslContexts;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslManagerBundle;
import org.springframework.boot.ssl.SslOptions;

/**
 * The SMTP server's Netty {@link SslContext}, made from a Spring Boot {@link SslBundle}: its key
 * and trust managers, enabled protocols and ciphers. When the bundle is updated (for example a
 * renewed certificate) the context is made again, and new connections and STARTTLS handshakes use
 * it without a restart; a bundle update that cannot be made into a context is logged and the
 * previous context kept.
 */
public final class SmtpSslContextSupplier implements Supplier<SslContext> {

  private static final Logger log = LoggerFactory.getLogger(SmtpSslContextSupplier.class);

  private final String bundleName;
  private final ClientAuth clientAuth;
  private volatile SslContext context;

  /**
   * @throws IllegalStateException when no bundle has that name, or it cannot be made into a server
   *     context
   */
  public SmtpSslContextSupplier(SslBundles bundles, String bundleName, ClientAuth clientAuth) {
    this.bundleName = Objects.requireNonNull(bundleName, "bundleName");
    this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
    SslBundle bundle;
    try {
      bundle = bundles.getBundle(bundleName);
    } catch (NoSuchSslBundleException e) {
      throw new IllegalStateException(
          "smtp.server.ssl.bundle names SSL bundle '"
              + bundleName
              + "', which does not exist; define it under spring.ssl.bundle",
          e);
    }
    try {
      this.context = create(bundle);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "SSL bundle '" + bundleName + "' cannot serve SMTP over TLS: " + e.getMessage(), e);
    }
    bundles.addBundleUpdateHandler(bundleName, this::update);
  }

  @Override
  public SslContext get() {
    return context;
  }

  private void update(SslBundle bundle) {
    try {
      context = create(bundle);
      log.info("SSL bundle '{}' updated: new SMTP connections use its new certificate", bundleName);
    } catch (RuntimeException e) {
      log.error(
          "SSL bundle '{}' updated but cannot serve SMTP over TLS; keeping the previous"
              + " certificate",
          bundleName,
          e);
    }
  }

  private SslContext create(SslBundle bundle) {
    SslManagerBundle managers = bundle.getManagers();
    SslOptions options = bundle.getOptions();
    String[] protocols = options.getEnabledProtocols();
    String[] ciphers = options.getCiphers();
    return SslContexts.forServer(
        managers.getKeyManagerFactory(),
        managers.getTrustManagerFactory(),
        clientAuth,
        protocols == null ? SslContexts.DEFAULT_PROTOCOLS : List.of(protocols),
        ciphers == null ? null : Arrays.asList(ciphers),
        SslContexts.defaultProvider());
  }
}
