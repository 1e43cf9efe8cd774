package io.smtpprotocol.testing;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.smtpprotocol.tls.SslContexts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * Certificates made at test time, valid from yesterday to tomorrow: a root CA, and issued by it a
 * server certificate for {@code localhost} and {@code 127.0.0.1}, one for another host name ({@code
 * mx.elsewhere.test}) and a client certificate ({@code CN=client.test}). Nothing is written to disk
 * unless asked.
 *
 * <p>{@link #get()} is one PKI per test JVM (key generation is the slow part); {@link #fresh()} an
 * independent one, for rotation and for "signed by someone else". Shared with the other modules
 * through this module's test jar; they add {@code netty-pkitesting} with test scope.
 */
public final class TestPki {

  /** The root that issued the others; the client contexts trust it. */
  public final X509Bundle ca;

  /** {@code CN=localhost}, for {@code localhost} and {@code 127.0.0.1}. */
  public final X509Bundle server;

  /** A server certificate for {@code mx.elsewhere.test} only, for name checks. */
  public final X509Bundle otherHost;

  /** {@code CN=client.test}, for client authentication. */
  public final X509Bundle client;

  private TestPki() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    CertificateBuilder base =
        new CertificateBuilder()
            .ecp256()
            .notBefore(now.minus(1, ChronoUnit.DAYS))
            .notAfter(now.plus(1, ChronoUnit.DAYS));
    ca = base.copy().subject("CN=Test Root CA").setIsCertificateAuthority(true).buildSelfSigned();
    server =
        base.copy()
            .subject("CN=localhost")
            .addSanDnsName("localhost")
            .addSanIpAddress("127.0.0.1")
            .addExtendedKeyUsageServerAuth()
            .buildIssuedBy(ca);
    otherHost =
        base.copy()
            .subject("CN=mx.elsewhere.test")
            .addSanDnsName("mx.elsewhere.test")
            .addExtendedKeyUsageServerAuth()
            .buildIssuedBy(ca);
    client =
        base.copy().subject("CN=client.test").addExtendedKeyUsageClientAuth().buildIssuedBy(ca);
  }

  /** One PKI per test JVM. */
  public static TestPki get() {
    return Holder.PKI;
  }

  /** A new, independent PKI (its own root). */
  public static TestPki fresh() {
    try {
      return new TestPki();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class Holder {
    static final TestPki PKI;

    static {
      try {
        PKI = new TestPki();
      } catch (Exception e) {
        throw new ExceptionInInitializerError(e);
      }
    }
  }

  /**
   * A server context for {@link #server}, built by {@link SslContexts}, asking for no client
   * certificate.
   */
  public SslContext serverContext() {
    return serverContext(server, ClientAuth.NONE);
  }

  /** A server context for {@link #server} that trusts the root for client certificates. */
  public SslContext serverContext(ClientAuth clientAuth) {
    return serverContext(server, clientAuth);
  }

  /** A server context presenting {@code identity}, trusting the root for client certificates. */
  public SslContext serverContext(X509Bundle identity, ClientAuth clientAuth) {
    try {
      return SslContexts.forServer(
          identity.toKeyManagerFactory(), ca.toTrustManagerFactory(), clientAuth);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JDK server context presenting {@link #server}, for scripted servers and other libraries. */
  public SSLContext jdkServerContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(server.toKeyManagerFactory().getKeyManagers(), null, null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JDK client context that trusts the root and presents no certificate. */
  public SSLContext clientContext() {
    return clientContext(null);
  }

  /** A JDK client context that trusts the root and presents {@code identity} when asked. */
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

  /** A Netty client context (for {@code SmtpClient}) that trusts the root, presenting nothing. */
  public SslContext nettyClientContext() {
    return nettyClientContext(null);
  }

  /** A Netty client context that trusts the root, presenting {@code identity} when not null. */
  public SslContext nettyClientContext(@Nullable X509Bundle identity) {
    try {
      return SslContexts.forClient(
          ca.toTrustManagerFactory(), identity == null ? null : identity.toKeyManagerFactory());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A PKCS12 key store (no password) holding the root as the trusted entry {@code ca}. */
  public KeyStore trustStore() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca.getCertificate());
      return trust;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the root certificate as PEM to {@code dir/ca.pem}, for external clients. */
  public Path caPem(Path dir) throws IOException {
    return Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM());
  }
}
