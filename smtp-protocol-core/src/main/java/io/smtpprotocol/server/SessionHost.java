package io.smtpprotocol.server;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import io.smtpprotocol.auth.SaslMechanism;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.protocol.Reply;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * What a session needs from its server. {@link #of(SmtpServer)} is the running server; a test gives
 * a session a host of its own and runs it in an {@code EmbeddedChannel}.
 */
interface SessionHost {

  ServerConfig config();

  /** The application's handler. */
  SmtpHandler handler();

  /** Receives events for metrics. */
  SmtpServerObserver observer();

  HandlerOverrides overrides();

  Reply greetingReply();

  Reply heloReply();

  /** The EHLO reply on a plaintext connection, or on an encrypted one. */
  Reply ehloReply(boolean tls);

  /** The offered SASL mechanism of this name (upper case), or null. */
  @Nullable SaslMechanism mechanism(String name);

  /** Whether AUTH is offered: some mechanism is (resolved once, when the server was built). */
  boolean authEnabled();

  SslHandler newSslHandler(Channel ch, boolean startTls);

  /** Whether new sessions are served (false while the server drains or stops). */
  boolean acceptsSessions();

  /** Where handler methods run. */
  Executor executor();

  WarningLimiter warnings();

  AddressFailures authFailures();

  /** The peers allowed to send XCLIENT (parsed once by the running server). */
  default TrustedAddresses xclientClients() {
    return TrustedAddresses.of(config().xclientClients());
  }

  String nextSessionId();

  /** Counts a new connection; false when a limit is reached (nothing is then counted). */
  boolean acquire(@Nullable InetAddress ip);

  void release(@Nullable InetAddress ip);

  /**
   * The info of a session that begins on {@code ch}, with the next session id; its remote address
   * is the client a PROXY header named, if any.
   */
  default SessionInfo newSessionInfo(Channel ch) {
    SocketAddress remote = ProxyProtocol.remoteAddress(ch);
    SocketAddress local = ch.localAddress();
    InetSocketAddress none = new InetSocketAddress(0);
    return new SessionInfo(
        nextSessionId(),
        remote == null ? none : remote,
        local == null ? none : local,
        Instant.now(),
        null,
        null,
        null);
  }

  static SessionHost of(SmtpServer server) {
    return new SessionHost() {
      @Override
      public ServerConfig config() {
        return server.config();
      }

      @Override
      public SmtpHandler handler() {
        return server.parts().handler();
      }

      @Override
      public SmtpServerObserver observer() {
        return server.parts().observer();
      }

      @Override
      public HandlerOverrides overrides() {
        return server.overrides();
      }

      @Override
      public Reply greetingReply() {
        return server.greetingReply();
      }

      @Override
      public Reply heloReply() {
        return server.heloReply();
      }

      @Override
      public Reply ehloReply(boolean tls) {
        return server.ehloReply(tls);
      }

      @Override
      public @Nullable SaslMechanism mechanism(String name) {
        return server.mechanism(name);
      }

      @Override
      public boolean authEnabled() {
        return server.authEnabled();
      }

      @Override
      public SslHandler newSslHandler(Channel ch, boolean startTls) {
        return server.newSslHandler(ch, startTls);
      }

      @Override
      public boolean acceptsSessions() {
        return server.acceptsSessions();
      }

      @Override
      public Executor executor() {
        return server.executor();
      }

      @Override
      public WarningLimiter warnings() {
        return server.warnings();
      }

      @Override
      public AddressFailures authFailures() {
        return server.authFailures();
      }

      @Override
      public TrustedAddresses xclientClients() {
        return server.xclientClients();
      }

      @Override
      public String nextSessionId() {
        return server.nextSessionId();
      }

      @Override
      public boolean acquire(@Nullable InetAddress ip) {
        return server.acquire(ip);
      }

      @Override
      public void release(@Nullable InetAddress ip) {
        server.release(ip);
      }
    };
  }
}
