package io.smtpprotocol.handler;

import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.tls.TlsInfo;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What is known of one connection. The engine makes a new value for every change (greeting, TLS,
 * AUTH); handlers see a snapshot. An application makes one with the constructor, for example to
 * call its handler in a unit test.
 *
 * <p>A trusted proxy that sends XCLIENT replaces the client's attributes: the remote and local
 * address, the greeting, the authenticated user and the client's host name are then the ones it
 * named.
 *
 * @param id a short identifier, unique within the server, for logs
 * @param remoteAddress the client's address (a socket address, or a domain socket path); after
 *     XCLIENT {@code ADDR=[UNAVAILABLE]} an unresolved address named {@code unknown}
 * @param localAddress the address the client connected to
 * @param connectedAt when the connection was accepted
 * @param hello the accepted HELO/EHLO/LHLO, or {@code null} before one
 * @param tls the negotiated TLS, or {@code null} on a plaintext connection
 * @param authenticatedUser the identity AUTH established (or XCLIENT {@code LOGIN} named), or
 *     {@code null}
 * @param clientName the client's host name as an XCLIENT proxy named it ({@code NAME}), or {@code
 *     null}: the engine looks up no names itself, and an unavailable name is null too
 */
public record SessionInfo(
    String id,
    SocketAddress remoteAddress,
    SocketAddress localAddress,
    Instant connectedAt,
    Command.@Nullable Hello hello,
    @Nullable TlsInfo tls,
    @Nullable String authenticatedUser,
    @Nullable String clientName) {

  /** A session whose client has no host name (none was named by XCLIENT). */
  public SessionInfo(
      String id,
      SocketAddress remoteAddress,
      SocketAddress localAddress,
      Instant connectedAt,
      Command.@Nullable Hello hello,
      @Nullable TlsInfo tls,
      @Nullable String authenticatedUser) {
    this(id, remoteAddress, localAddress, connectedAt, hello, tls, authenticatedUser, null);
  }

  /** Whether the connection is encrypted. */
  public boolean isTls() {
    return tls != null;
  }

  /** Whether AUTH succeeded. */
  public boolean isAuthenticated() {
    return authenticatedUser != null;
  }

  /** The client's IP socket address, empty for a domain socket or an unknown address. */
  public Optional<InetSocketAddress> remoteInetAddress() {
    return remoteAddress instanceof InetSocketAddress a && !a.isUnresolved()
        ? Optional.of(a)
        : Optional.empty();
  }
}
