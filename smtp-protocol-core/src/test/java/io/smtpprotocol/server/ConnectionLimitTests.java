package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.smtpprotocol.testing.RawClient;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class ConnectionLimitTests {

  @AutoClose private SmtpServer server;

  @Test
  void connectionBeyondTheTotalIsRefusedWith421AndClosed() throws Exception {
    server = TestServers.start(new RecordingHandler(), Limits.DEFAULTS.withMaxConnections(2));
    try (RawClient a = RawClient.greeted(server.port());
        RawClient b = RawClient.greeted(server.port())) {
      try (RawClient c = new RawClient(server.port())) {
        assertThat(c.reply().line()).isEqualTo("421 4.7.0 Too many connections, try again later");
        assertThat(c.closedByServer()).isTrue();
      }
      a.command("QUIT");
      await().atMost(Duration.ofSeconds(5)).until(() -> server.activeSessions() == 1);
      try (RawClient d = RawClient.greeted(server.port())) {
        assertThat(d.command("NOOP").code()).isEqualTo(250);
      }
      assertThat(b.command("NOOP").code()).isEqualTo(250);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.activeSessions() == 0);
  }

  @Test
  void connectionBeyondThePerAddressLimitIsRefusedButOtherAddressesGetIn() throws Exception {
    server =
        TestServers.builder(new RecordingHandler())
            .limits(Limits.DEFAULTS.withMaxConnections(10).withMaxConnectionsPerIp(2))
            .build()
            .start();
    InetAddress other = InetAddress.getByName("127.0.0.2"); // loopback too, another client address
    try (RawClient a = RawClient.greeted(server.port());
        RawClient b = RawClient.greeted(server.port())) {
      try (RawClient c = new RawClient(server.port())) {
        assertThat(c.reply().line()).startsWith("421 4.7.0 ");
        assertThat(c.closedByServer()).isTrue();
      }
      try (RawClient d = new RawClient(server.port(), 10_000, other)) {
        assertThat(d.reply().code()).isEqualTo(220);
      }
      assertThat(a.command("NOOP").code()).isEqualTo(250);
      assertThat(b.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void refusedConnectionsAreNotCounted() throws Exception {
    server = TestServers.start(new RecordingHandler(), Limits.DEFAULTS.withMaxConnections(1));
    try (RawClient a = RawClient.greeted(server.port())) {
      for (int i = 0; i < 5; i++) {
        try (RawClient c = new RawClient(server.port())) {
          assertThat(c.reply().code()).isEqualTo(421);
        }
      }
      assertThat(server.activeSessions()).isEqualTo(1);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.activeSessions() == 0);
    try (RawClient a = RawClient.greeted(server.port())) {
      assertThat(a.command("NOOP").code()).isEqualTo(250);
    }
  }
}
