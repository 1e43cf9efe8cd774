package io.smtpprotocol.tls;

import java.security.Principal;
import java.security.cert.Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/**
 * What TLS a session negotiated.
 *
 * @param protocol the protocol, for example {@code TLSv1.3}
 * @param cipherSuite the cipher suite
 * @param peerCertificates the client's certificate chain, empty when it sent none
 * @param peerPrincipal the client's subject, or {@code null} when it sent no certificate
 */
public record TlsInfo(
    String protocol,
    String cipherSuite,
    List<Certificate> peerCertificates,
    @Nullable Principal peerPrincipal) {

  public TlsInfo {
    peerCertificates = List.copyOf(peerCertificates);
  }

  /** The details of an established TLS session. */
  public static TlsInfo of(SSLSession session) {
    List<Certificate> chain;
    Principal principal;
    try {
      Certificate[] peer = session.getPeerCertificates();
      chain = peer == null ? List.of() : Arrays.asList(peer);
      principal = session.getPeerPrincipal();
    } catch (SSLPeerUnverifiedException e) {
      chain = List.of();
      principal = null;
    }
    return new TlsInfo(session.getProtocol(), session.getCipherSuite(), chain, principal);
  }

  /** Whether the client presented a certificate. */
  public boolean hasPeerCertificate() {
    return !peerCertificates.isEmpty();
  }
}
