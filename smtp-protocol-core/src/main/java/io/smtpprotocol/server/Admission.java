package io.smtpprotocol.server;

import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.server.SmtpServerObserver.ConnectionOutcome;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Whether a new connection is served, and its place in the server's connection limits and
 * connection metrics from then until it closes.
 */
final class Admission {

  private final SessionHost host;
  private final SmtpServerObserver observer;
  private @Nullable InetAddress ip;
  private boolean counted;
  private boolean opened;

  Admission(SessionHost host) {
    this.host = host;
    this.observer = host.observer();
  }

  /** The reply refusing a connection from {@code remote}, or null: it is admitted and counted. */
  @Nullable Reply admit(SocketAddress remote) {
    InetAddress ip = remote instanceof InetSocketAddress a ? a.getAddress() : null;
    this.ip = ip;
    if (!host.acceptsSessions()) {
      return Replies.SERVICE_SHUTTING_DOWN;
    }
    if (!host.acquire(ip)) {
      observer.connectionOpened(ConnectionOutcome.LIMITED);
      return Replies.TOO_MANY_CONNECTIONS;
    }
    counted = true;
    return null;
  }

  /** The client's address, or null (a Unix socket). */
  @Nullable InetAddress address() {
    return ip;
  }

  /** The application refused the connection. */
  void rejected() {
    observer.connectionOpened(ConnectionOutcome.REJECTED);
  }

  /** The greeting went out: the connection is open. */
  void opened() {
    opened = true;
    observer.connectionOpened(ConnectionOutcome.ACCEPTED);
  }

  /** The connection is gone. */
  void closed() {
    if (counted) {
      counted = false;
      host.release(ip);
    }
    if (opened) {
      observer.connectionClosed();
    }
  }
}
