package io.smtpprotocol.client;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.smtpprotocol.tls.SslContexts;
import io.smtpprotocol.tls.TlsInfo;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * A client's TLS side: its SSL context, the handlers made from it, and the server certificate
 * check.
 */
final class ClientTls {

  private final SslContext context;
  private final @Nullable ServerCertificateCheck check;
  private final Duration handshakeTimeout;

  /**
   * @param context the caller's client context; by default the JDK's trust store, or trust in every
   *     certificate when {@code check} decides instead
   */
  ClientTls(
      @Nullable SslContext context,
      @Nullable ServerCertificateCheck check,
      Duration handshakeTimeout) {
    if (context == null) {
      context = check != null ? SslContexts.forClientTrustingAll() : SslContexts.forClient();
    }
    this.context = context;
    this.check = check;
    this.handshakeTimeout = handshakeTimeout;
  }

  /** A handler for a connection to {@code host:port} ({@code host} empty when not known). */
  SslHandler newHandler(Channel ch, String host, int port) {
    SSLEngine engine =
        host.isEmpty() ? context.newEngine(ch.alloc()) : context.newEngine(ch.alloc(), host, port);
    if (check == null) {
      // the JDK's host name verification (RFC 6125), as HTTPS does
      SSLParameters parameters = engine.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      engine.setSSLParameters(parameters);
    }
    SslHandler handler = new SslHandler(engine);
    handler.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
    return handler;
  }

  /** Whether the caller's check, if there is one, accepts the server's certificate. */
  boolean accepts(String host, TlsInfo info) {
    return check == null || check.accept(host, info);
  }
}
