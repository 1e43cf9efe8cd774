package io.smtpprotocol.server;

import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.tls.TlsInfo;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * The changes the engine makes to what it knows of a session: each makes a new {@link SessionInfo}
 * (handlers keep the snapshots they were given). They live here rather than on the record, where an
 * application could make a session look proxied or authenticated to itself.
 */
final class SessionInfos {

  private SessionInfos() {}

  /** After an accepted HELO, EHLO or LHLO. */
  static SessionInfo greeted(SessionInfo s, Command.Hello hello) {
    return new SessionInfo(
        s.id(),
        s.remoteAddress(),
        s.localAddress(),
        s.connectedAt(),
        hello,
        s.tls(),
        s.authenticatedUser(),
        s.clientName());
  }

  /**
   * After a TLS handshake on STARTTLS: the client must start again, greeting and AUTH forgotten.
   */
  static SessionInfo encrypted(SessionInfo s, TlsInfo tls) {
    return new SessionInfo(
        s.id(),
        s.remoteAddress(),
        s.localAddress(),
        s.connectedAt(),
        null,
        tls,
        null,
        s.clientName());
  }

  /** After a successful AUTH. */
  static SessionInfo authenticated(SessionInfo s, String user) {
    return new SessionInfo(
        s.id(),
        s.remoteAddress(),
        s.localAddress(),
        s.connectedAt(),
        s.hello(),
        s.tls(),
        user,
        s.clientName());
  }

  /**
   * The client's attributes as a trusted XCLIENT proxy named them (an attribute it did not name
   * arrives here as it was).
   */
  static SessionInfo namedByProxy(
      SessionInfo s,
      SocketAddress remote,
      SocketAddress local,
      @Nullable String clientName,
      Command.@Nullable Hello hello,
      @Nullable String user) {
    return new SessionInfo(
        s.id(), remote, local, s.connectedAt(), hello, s.tls(), user, clientName);
  }
}
