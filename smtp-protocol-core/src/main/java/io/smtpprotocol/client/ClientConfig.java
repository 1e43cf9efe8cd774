package io.smtpprotocol.client;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** What a client's connections are set to, fixed when the client is built. */
record ClientConfig(
    Duration connectTimeout,
    Duration greetingTimeout,
    Duration commandTimeout,
    Duration dataInitiationTimeout,
    Duration dataBlockTimeout,
    Duration finalTimeout,
    @Nullable String localHost,
    TlsPolicy tlsPolicy,
    boolean implicitTls,
    @Nullable ServerCertificateCheck certificateCheck,
    @Nullable Credentials credentials,
    boolean allowInsecureAuth,
    boolean chunking,
    boolean lmtp,
    @Nullable ReplyObserver replyObserver,
    int maxReplyLines,
    int maxReplyLineLength,
    int maxPendingCommands) {

  /** The STARTTLS policy of {@code prepare()}: none over implicit TLS. */
  TlsPolicy startTlsPolicy() {
    return implicitTls ? TlsPolicy.NONE : tlsPolicy;
  }

  /** The EHLO name: the configured one, else the local address as an address literal. */
  String ehloName(@Nullable SocketAddress local) {
    if (localHost != null) {
      return localHost;
    }
    if (local instanceof InetSocketAddress inet && inet.getAddress() != null) {
      String literal = inet.getAddress().getHostAddress();
      int zone = literal.indexOf('%');
      if (zone >= 0) {
        literal = literal.substring(0, zone);
      }
      return inet.getAddress() instanceof Inet6Address
          ? "[IPv6:" + literal + "]"
          : "[" + literal + "]";
    }
    return "localhost";
  }
}
