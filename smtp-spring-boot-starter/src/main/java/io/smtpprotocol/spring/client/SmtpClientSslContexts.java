package io.smtpprotocol.spring.client;

import io.netty.handler.ssl.SslContext;
import io.smtpprotocol.tls.SslContexts;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.ssl.SslManagerBundle;

/** The SMTP client's Netty {@link SslContext} from a Spring Boot {@link SslBundle}. */
public final class SmtpClientSslContexts {

  private SmtpClientSslContexts() {}

  /**
   * A client context whose trust store is the bundle's, and whose client certificate is the
   * bundle's key when it has one.
   *
   * @throws org.springframework.boot.ssl.NoSuchSslBundleException when there is no such bundle
   */
  public static SslContext fromBundle(SslBundles bundles, String name) {
    SslBundle bundle = bundles.getBundle(name);
    SslManagerBundle managers = bundle.getManagers();
    boolean hasKey = bundle.getStores().getKeyStore() != null;
    return SslContexts.forClient(
        managers.getTrustManagerFactory(), hasKey ? managers.getKeyManagerFactory() : null);
  }
}
