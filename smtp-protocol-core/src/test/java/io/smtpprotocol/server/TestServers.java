package io.smtpprotocol.server;

import io.smtpprotocol.handler.SmtpHandler;
import java.net.InetAddress;

/** Servers for in-process tests: loopback only, a free port, few threads. */
final class TestServers {

  private TestServers() {}

  static SmtpServer.Builder builder(SmtpHandler handler) {
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
}
