package io.smtpprotocol.server;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.smtpprotocol.tls.SslContexts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Certificates made at test time: a root CA, a server certificate for {@code localhost} and
 * {@code 127.0.0.1}, and a client certificate. Nothing is written to disk unless asked.
 */
final class TestPki {

  final X509Bundle ca;
  final X509Bundle server;
  final X509Bundle client;

  private TestPki() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    CertificateBuilder base =
        new CertificateBuilder().ecp256().notBefore(now.minus(1, ChronoUnit.DAYS)).notAfter(now.plus(1, ChronoUnit.DAYS));
    ca = base.copy().subject("CN=Test Root CA").setIsCertificateAuthority(true).buildSelfSigned();
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

  /** A new, independent PKI (for rotation tests). */
  static TestPki fresh() {
    try {
      return new TestPki();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** One PKI per test JVM: key generation is the slow part. */
  static TestPki get() {
    return Holder.PKI;
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

  /** The server's context, built by {@link SslContexts}. */
  SslContext serverContext() {
    return serverContext(ClientAuth.NONE);
  }

  SslContext serverContext(ClientAuth clientAuth) {
    try {
      return SslContexts.forServer(server.toKeyManagerFactory(), ca.toTrustManagerFactory(), clientAuth);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client context that trusts the test CA and presents no certificate. */
  SSLContext clientContext() {
    return clientContext(null);
  }

  /** A client context that trusts the test CA and presents {@code identity} when asked. */
  SSLContext clientContext(X509Bundle identity) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      KeyManagerFactory kmf = identity == null ? null : identity.toKeyManagerFactory();
      context.init(
          kmf == null ? null : kmf.getKeyManagers(), ca.toTrustManagerFactory().getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes the CA certificate as PEM into {@code dir}, for external clients. */
  Path caPem(Path dir) throws IOException {
    return Files.writeString(dir.resolve("ca.pem"), ca.getCertificatePEM());
  }
}
