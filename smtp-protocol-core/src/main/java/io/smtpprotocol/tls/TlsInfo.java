package io.smtpprotocol.tls;

import java.security.Principal;
import java.security.cert.Certificate;
import java.util.List;
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
}
