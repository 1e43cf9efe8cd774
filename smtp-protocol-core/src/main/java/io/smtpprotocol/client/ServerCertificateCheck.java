package io.smtpprotocol.client;

import io.smtpprotocol.tls.TlsInfo;

/**
 * Decides whether to go on with a server after the TLS handshake, from its certificate chain (the
 * seed's {@code secure} event). When set, it replaces the default verification (the JDK's trust
 * store and the host name check) rather than adding to it, so it decides alone.
 */
@FunctionalInterface
public interface ServerCertificateCheck {

  /**
   * @param host the host name the client connected to, or the empty string when unknown
   * @param tls the negotiated session; {@link TlsInfo#peerCertificates()} is the server's chain
   * @return whether to continue
   */
  boolean accept(String host, TlsInfo tls);
}
