package io.smtpprotocol.handler;

import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.tls.TlsInfo;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What is known of one connection. A new value is made for every change (greeting, TLS, AUTH);
 * handlers see a snapshot.
 *
 * @param id a short identifier, unique within the server, for logs
 * @param remoteAddress the client's address (a socket address, or a domain socket path)
 * @param localAddress the address the client connected to
 * @param connectedAt when the connection was accepted
 * @param hello the accepted HELO/EHLO/LHLO, or {@code null} before one
 * @param tls the negotiated TLS, or {@code null} on a plaintext connection
 * @param authenticatedUser the identity AUTH established, or {@code null}
 */
public record SessionInfo(
    String id,
    SocketAddress remoteAddress,
    SocketAddress localAddress,
    Instant connectedAt,
    Command.@Nullable Hello hello,
    @Nullable TlsInfo tls,
    @Nullable String authenticatedUser) {

  /** This session with an accepted greeting. */
  public SessionInfo withHello(Command.@Nullable Hello hello) {
    return new SessionInfo(id, remoteAddress, localAddress, connectedAt, hello, tls, authenticatedUser);
  }

  /** This session after a TLS handshake. */
  public SessionInfo withTls(@Nullable TlsInfo tls) {
    return new SessionInfo(id, remoteAddress, localAddress, connectedAt, hello, tls, authenticatedUser);
  }

  /** This session after a successful AUTH. */
  public SessionInfo withAuthenticatedUser(@Nullable String user) {
    return new SessionInfo(id, remoteAddress, localAddress, connectedAt, hello, tls, user);
  }

  /** This session seen from another client address (PROXY protocol). */
  public SessionInfo withRemoteAddress(SocketAddress remote) {
    return new SessionInfo(id, remote, localAddress, connectedAt, hello, tls, authenticatedUser);
  }

  /** Whether the connection is encrypted. */
  public boolean isTls() {
    return tls != null;
  }

  /** Whether AUTH succeeded. */
  public boolean isAuthenticated() {
    return authenticatedUser != null;
  }

  /** The client's IP socket address, empty for a domain socket. */
  public Optional<InetSocketAddress> remoteInetAddress() {
    return remoteAddress instanceof InetSocketAddress a ? Optional.of(a) : Optional.empty();
  }
}
