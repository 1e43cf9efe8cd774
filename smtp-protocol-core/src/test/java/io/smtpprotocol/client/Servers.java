package io.smtpprotocol.client;

import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.server.SmtpServerBuilder;
import java.net.InetAddress;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Our own server on a free loopback port, and a client for it. */
final class Servers {

  private Servers() {}

  static SmtpServerBuilder builder(SmtpHandler handler) {
    return SmtpServer.builder()
        .domain("mx.test")
        .address(InetAddress.getLoopbackAddress())
        .port(0)
        .ioThreads(1)
        .handler(handler);
  }

  static SmtpClient.Builder client() {
    return SmtpClient.builder().ioThreads(1).localHost("client.test");
  }

  /** Joins a stage, failing the test after ten seconds. */
  static <T> T join(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(cause);
    } catch (Exception e) {
      throw new AssertionError("stage did not complete within 10 seconds", e);
    }
  }
}
