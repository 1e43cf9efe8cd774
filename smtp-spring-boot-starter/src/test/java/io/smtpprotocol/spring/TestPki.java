package io.smtpprotocol.spring;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.security.KeyStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;

/** A certificate authority with a server and a client certificate, made at test time. */
public final class TestPki {

  private static final String PASSWORD = "secret";

  public final X509Bundle ca;
  public final X509Bundle server;
  public final X509Bundle client;

  private TestPki() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    CertificateBuilder base =
        new CertificateBuilder()
            .ecp256()
            .notBefore(now.minus(1, ChronoUnit.DAYS))
            .notAfter(now.plus(1, ChronoUnit.DAYS));
    ca = base.copy().subject("CN=Test CA").setIsCertificateAuthority(true).buildSelfSigned();
    server =
        base.copy()
            .subject("CN=localhost")
            .addSanDnsName("localhost")
            .addSanIpAddress("127.0.0.1")
            .addExtendedKeyUsageServerAuth()
            .buildIssuedBy(ca);
    client =
        base.copy().subject("CN=client.test").addExtendedKeyUsageClientAuth().buildIssuedBy(ca);
  }

  /** A new, independent authority and certificates. */
  public static TestPki create() {
    try {
      return new TestPki();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An SSL bundle with the server's key and chain, trusting this authority. */
  public SslBundle serverBundle() {
    return serverBundle(SslOptions.NONE);
  }

  /** An SSL bundle with the server's key and chain, trusting this authority, with options. */
  public SslBundle serverBundle(SslOptions options) {
    try {
      KeyStore keys = server.toKeyStore(PASSWORD.toCharArray());
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.getCertificate());
      return SslBundle.of(SslStoreBundle.of(keys, PASSWORD, trust), null, options);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client context trusting this authority, presenting {@code identity} when asked. */
  public SSLContext clientContext(@Nullable X509Bundle identity) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      KeyManagerFactory keys = identity == null ? null : identity.toKeyManagerFactory();
      context.init(
          keys == null ? null : keys.getKeyManagers(),
          ca.toTrustManagerFactory().getTrustManagers(),
          null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
