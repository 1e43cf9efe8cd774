package io.smtpprotocol.server;

import io.netty.handler.ssl.SslContext;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.tls.TlsMode;
import java.net.InetAddress;
import java.time.Duration;

/** Servers for in-process tests: loopback only, a free port, few threads. */
final class TestServers {

  private TestServers() {}

  static SmtpServerBuilder builder(SmtpHandler handler) {
    return SmtpServer.builder()
        .domain("mx.test")
        .address(InetAddress.getLoopbackAddress())
        .port(0)
        .ioThreads(2)
        .handler(handler);
  }

  static SmtpServer start(SmtpHandler handler) {
    return builder(handler).build().start();
  }

  static SmtpServer start(SmtpHandler handler, Limits limits) {
    return builder(handler).limits(limits).build().start();
  }

  /** TLS in the given mode with AUTH required, checked by {@link TestAuthenticator}. */
  static SmtpServer startTlsWithAuth(
      SmtpHandler handler, SmtpServerObserver observer, TlsMode mode, SslContext context) {
    return builder(handler)
        .observer(observer)
        .tls(mode, () -> context)
        .authenticator(new TestAuthenticator())
        .authRequired(true)
        .authFailureDelay(Duration.ofMillis(50))
        .build()
        .start();
  }
}
