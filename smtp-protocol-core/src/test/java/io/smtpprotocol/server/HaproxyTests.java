package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.client.MailEnvelope;
import io.smtpprotocol.client.MessageContent;
import io.smtpprotocol.client.SendResult;
import io.smtpprotocol.client.SmtpClient;
import io.smtpprotocol.client.SmtpConnection;
import io.smtpprotocol.client.TlsPolicy;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.SslContexts;
import io.smtpprotocol.tls.TlsMode;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real HAProxy in front of the server, with {@code send-proxy} (v1) and {@code send-proxy-v2}: our
 * client's messages arrive with the client's own address and port, over plaintext, STARTTLS and
 * implicit TLS.
 */
@Timeout(60)
class HaproxyTests {

  private static final TestPki pki = TestPki.get();
  private static final RecordingHandler handler = new RecordingHandler();

  private static SmtpServer plain;
  private static SmtpServer startTls;
  private static SmtpServer implicitTls;
  private static HaproxyProcess haproxy;

  /** Route indexes, in the order the routes are given to HAProxy. */
  private static final int V1 = 0;

  private static final int V2 = 1;
  private static final int V2_STARTTLS = 2;
  private static final int V2_IMPLICIT_TLS = 3;

  @BeforeAll
  static void start(@TempDir Path dir) throws Exception {
    HaproxyProcess.require();
    plain = proxied().build().start();
    startTls = proxied().tls(TlsMode.STARTTLS, pki::serverContext).build().start();
    implicitTls = proxied().tls(TlsMode.IMPLICIT, pki::serverContext).build().start();
    haproxy =
        HaproxyProcess.start(
            dir,
            List.of(
                new HaproxyProcess.Route("v1", plain.port(), "send-proxy"),
                new HaproxyProcess.Route("v2", plain.port(), "send-proxy-v2"),
                new HaproxyProcess.Route("v2_starttls", startTls.port(), "send-proxy-v2"),
                new HaproxyProcess.Route("v2_implicit_tls", implicitTls.port(), "send-proxy-v2")));
  }

  private static SmtpServerBuilder proxied() {
    return TestServers.builder(handler).proxyProtocol(List.of("127.0.0.1"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (haproxy != null) {
      haproxy.close();
    }
    for (SmtpServer server : new SmtpServer[] {plain, startTls, implicitTls}) {
      if (server != null) {
        server.close();
      }
    }
  }

  @ParameterizedTest(name = "route {0}")
  @ValueSource(ints = {V1, V2})
  void messageArrivesWithTheClientsOwnPortNotHaproxys(int route) throws Exception {
    try (SmtpClient client = SmtpClient.builder().tlsPolicy(TlsPolicy.NONE).build()) {
      int clientPort = sendThrough(client, route, "plain");
      RecordingHandler.Received m = handler.takeMessage();
      assertThat(m.text()).contains("plain");
      InetSocketAddress remote = (InetSocketAddress) m.session().remoteAddress();
      assertThat(remote.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(remote.getPort()).as(haproxy.output()).isEqualTo(clientPort);
      assertThat(m.session().isTls()).isFalse();
    }
    assertThat(plain.proxyProtocol().refused()).isZero();
  }

  @Test
  void startTlsWorksThroughHaproxy() throws Exception {
    try (SmtpClient client =
        SmtpClient.builder()
            .tlsPolicy(TlsPolicy.REQUIRED)
            .sslContext(SslContexts.forClient(pki.ca.toTrustManagerFactory(), null))
            .build()) {
      int clientPort = sendThrough(client, V2_STARTTLS, "starttls");
      RecordingHandler.Received m = handler.takeMessage();
      assertThat(m.session().isTls()).isTrue();
      assertThat(((InetSocketAddress) m.session().remoteAddress()).getPort()).isEqualTo(clientPort);
    }
  }

  @Test
  void implicitTlsWorksThroughHaproxy() throws Exception {
    try (SmtpClient client =
        SmtpClient.builder()
            .implicitTls(true)
            .sslContext(SslContexts.forClient(pki.ca.toTrustManagerFactory(), null))
            .build()) {
      int clientPort = sendThrough(client, V2_IMPLICIT_TLS, "implicit");
      RecordingHandler.Received m = handler.takeMessage();
      assertThat(m.session().isTls()).isTrue();
      assertThat(((InetSocketAddress) m.session().remoteAddress()).getPort()).isEqualTo(clientPort);
    }
  }

  /** Sends one message through HAProxy's route; returns the client socket's own port. */
  private static int sendThrough(SmtpClient client, int route, String text) throws Exception {
    SmtpConnection connection =
        client
            .connect("127.0.0.1", haproxy.port(route))
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    try {
      int clientPort = ((InetSocketAddress) connection.channel().localAddress()).getPort();
      assertThat(clientPort).isNotEqualTo(haproxy.port(route));
      SendResult result =
          connection
              .send(
                  MailEnvelope.of("a@example.com", "b@example.org"),
                  MessageContent.of("Subject: " + text + "\r\n\r\n" + text + "\r\n"))
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      assertThat(result.message().code()).isEqualTo(250);
      return clientPort;
    } finally {
      connection.close();
    }
  }
}
