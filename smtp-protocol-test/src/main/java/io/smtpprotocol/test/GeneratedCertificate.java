package io.smtpprotocol.test;

import io.netty.handler.ssl.SslContext;
import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import io.smtpprotocol.tls.SslContexts;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A certificate for the server's name, {@code localhost}, {@code 127.0.0.1} and {@code ::1}, issued
 * by a root made for it alone; both are made when a test server is built and kept by that server
 * only. Clients trust the root. Nothing is written to disk.
 */
final class GeneratedCertificate {

  private final X509Bundle root;
  private final X509Bundle server;
  private final SslContext serverContext;

  private GeneratedCertificate(X509Bundle root, X509Bundle server) throws Exception {
    this.root = root;
    this.server = server;
    this.serverContext = SslContexts.forServer(server.toKeyManagerFactory());
  }

  static GeneratedCertificate create(String hostName) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    try {
      CertificateBuilder base =
          new CertificateBuilder()
              .ecp256()
              .notBefore(now.minus(1, ChronoUnit.DAYS))
              .notAfter(now.plus(30, ChronoUnit.DAYS));
      X509Bundle root =
          base.copy()
              .subject("CN=smtp-protocol test server root")
              .setIsCertificateAuthority(true)
              .buildSelfSigned();
      CertificateBuilder builder =
          base.copy()
              .subject("CN=" + hostName)
              .addSanDnsName(hostName)
              .addSanIpAddress("127.0.0.1")
              .addSanIpAddress("::1")
              .addExtendedKeyUsageServerAuth();
      if (!hostName.equals("localhost")) {
        builder.addSanDnsName("localhost");
      }
      return new GeneratedCertificate(root, builder.buildIssuedBy(root));
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate the test server certificate", e);
    }
  }

  SslContext serverContext() {
    return serverContext;
  }

  /** The server's certificate. */
  X509Certificate certificate() {
    return server.getCertificate();
  }

  /** The root that issued it, which clients trust. */
  X509Certificate root() {
    return root.getCertificate();
  }

  /** The root in PEM. */
  String rootPem() {
    return root.getCertificatePEM();
  }

  /** A key store holding the root as a trusted entry; its password is empty. */
  KeyStore trustStore() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("smtp-test-server-root", root.getCertificate());
      return store;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the trust store", e);
    }
  }

  /** A client context that trusts the root only. */
  SSLContext clientContext() {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the client SSL context", e);
    }
  }
}
