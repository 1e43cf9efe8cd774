package io.smtpprotocol.client;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.smtpprotocol.tls.SslContexts;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Certificates made at test time: a CA, a server certificate for localhost, a client one. */
final class Pki {

  final X509Bundle ca;
  final X509Bundle server;
  final X509Bundle otherHost;
  final X509Bundle client;

  private Pki() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    CertificateBuilder base =
        new CertificateBuilder()
            .ecp256()
            .notBefore(now.minus(1, ChronoUnit.DAYS))
            .notAfter(now.plus(1, ChronoUnit.DAYS));
    ca = base.copy().subject("CN=Client Test CA").setIsCertificateAuthority(true).buildSelfSigned();
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
    client = base.copy().subject("CN=client.test").addExtendedKeyUsageClientAuth().buildIssuedBy(ca);
  }

  private static final class Holder {
    static final Pki PKI;

    static {
      try {
        PKI = new Pki();
      } catch (Exception e) {
        throw new ExceptionInInitializerError(e);
      }
    }
  }

  static Pki get() {
    return Holder.PKI;
  }

  SslContext serverContext(X509Bundle identity, ClientAuth clientAuth) {
    try {
      return SslContexts.forServer(identity.toKeyManagerFactory(), ca.toTrustManagerFactory(), clientAuth);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  SslContext serverContext() {
    return serverContext(server, ClientAuth.NONE);
  }

  /** A client context that trusts the test CA, presenting {@code identity} when not null. */
  SslContext clientContext(X509Bundle identity) {
    try {
      return SslContexts.forClient(
          ca.toTrustManagerFactory(), identity == null ? null : identity.toKeyManagerFactory());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JDK server context with the localhost certificate, for scripted servers. */
  javax.net.ssl.SSLContext jdkServerContext() {
    try {
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(server.toKeyManagerFactory().getKeyManagers(), null, null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  SslContext clientContext() {
    return clientContext(null);
  }
}
