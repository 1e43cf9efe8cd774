package io.smtpprotocol.spring;

import io.smtpprotocol.testing.TestPki;
import java.security.KeyStore;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;

/** Spring SSL bundles made of the core test jar's {@link TestPki} certificates. */
public final class TestSslBundles {

  private static final String PASSWORD = "secret";

  private TestSslBundles() {}

  /** A bundle with the PKI's server key and chain, trusting its root. */
  public static SslBundle serverBundle(TestPki pki) {
    return serverBundle(pki, SslOptions.NONE);
  }

  /** A bundle with the PKI's server key and chain, trusting its root, with options. */
  public static SslBundle serverBundle(TestPki pki, SslOptions options) {
    try {
      KeyStore keys = pki.server.toKeyStore(PASSWORD.toCharArray());
      return SslBundle.of(SslStoreBundle.of(keys, PASSWORD, pki.trustStore()), null, options);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
