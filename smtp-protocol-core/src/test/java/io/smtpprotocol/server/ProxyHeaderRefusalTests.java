package io.smtpprotocol.server;

import static io.smtpprotocol.server.ProxyHeaders.v1;
import static io.smtpprotocol.server.ProxyHeaders.v2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.smtpprotocol.testing.RawClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A listener behind a proxy closes every connection that does not begin with a good PROXY header
 * from a trusted peer, without a greeting, and counts it; nothing is logged above DEBUG.
 */
@Timeout(30)
class ProxyHeaderRefusalTests {

  private final RecordingHandler handler = new RecordingHandler();
  private SmtpServer server;

  private void start(List<String> trusted, Duration headerTimeout) {
    server =
        TestServers.builder(handler)
            .proxyProtocol(trusted)
            .proxyHeaderTimeout(headerTimeout)
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private long refused() {
    return server.proxyProtocol().refused();
  }

  @Test
  void goodHeaderFromAnUntrustedPeerIsClosedWithoutGreeting() throws Exception {
    start(List.of("10.0.0.0/8"), Duration.ofSeconds(5));
    try (LogCapture log = new LogCapture(ProxyProtocol.class);
        RawClient c = new RawClient(server.port())) {
      c.sendBytes(v1("PROXY TCP4 192.0.2.10 198.51.100.1 40001 25"));
      assertThat(c.closedByServer()).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> refused() == 1);
      assertThat(log.warnings()).isEmpty();
    }
    assertThat(server.activeSessions()).isZero();
  }

  @Test
  void plainSmtpClientIsClosedWithoutGreeting() throws Exception {
    // the header timeout is long: the first octet that cannot begin a header is enough
    start(List.of("127.0.0.1"), Duration.ofMinutes(5));
    try (RawClient c = new RawClient(server.port())) {
      c.send("EHLO x\r\n");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(refused()).isEqualTo(1);
  }

  @Test
  void clientWaitingForAGreetingIsClosedWhenTheHeaderTimeoutPasses() throws Exception {
    start(List.of("127.0.0.1"), Duration.ofMillis(200));
    try (RawClient c = new RawClient(server.port())) {
      assertThat(c.closedByServer()).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> refused() == 1);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("truncated")
  void truncatedHeaderIsClosedWhenTheHeaderTimeoutPasses(String name, byte[] part)
      throws Exception {
    start(List.of("127.0.0.1"), Duration.ofMillis(200));
    try (LogCapture log = new LogCapture(ProxyProtocol.class);
        RawClient c = new RawClient(server.port())) {
      c.sendBytes(part);
      assertThat(c.closedByServer()).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> refused() == 1);
      assertThat(log.warnings()).isEmpty();
    }
  }

  static Stream<Arguments> truncated() {
    byte[] v1 = v1("PROXY TCP4 192.0.2.10 198.51.100.1 40001 25");
    byte[] v2 = v2("192.0.2.10", 40001, "198.51.100.1", 25);
    return Stream.of(
        Arguments.of("v1 without its CRLF", Arrays.copyOf(v1, v1.length - 2)),
        Arguments.of("v1 cut after PROXY", Arrays.copyOf(v1, 5)),
        Arguments.of("v2 signature only", Arrays.copyOf(v2, 12)),
        Arguments.of("v2 without its last address octet", Arrays.copyOf(v2, v2.length - 1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void malformedHeaderIsClosedWithoutGreeting(String name, byte[] header) throws Exception {
    start(List.of("127.0.0.1"), Duration.ofMinutes(5));
    try (LogCapture log = new LogCapture(ProxyProtocol.class);
        RawClient c = new RawClient(server.port())) {
      // with a command behind it, as a client that believes it was greeted would send
      c.sendBytes(ProxyHeaders.concat(header, "EHLO x\r\n".getBytes(StandardCharsets.US_ASCII)));
      assertThat(c.closedByServer()).isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> refused() == 1);
      assertThat(log.warnings()).isEmpty();
    }
    assertThat(handler.messages).isEmpty();
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("v1 bad address", v1("PROXY TCP4 192.0.2.300 198.51.100.1 40001 25")),
        Arguments.of("v1 IPv6 address as TCP4", v1("PROXY TCP4 2001:db8::1 198.51.100.1 40001 25")),
        Arguments.of("v1 port out of range", v1("PROXY TCP4 192.0.2.10 198.51.100.1 70000 25")),
        Arguments.of("v1 unknown protocol", v1("PROXY TCP5 192.0.2.10 198.51.100.1 40001 25")),
        Arguments.of("v1 missing port", v1("PROXY TCP4 192.0.2.10 198.51.100.1 40001")),
        Arguments.of("v1 lower case", v1("proxy TCP4 192.0.2.10 198.51.100.1 40001 25")),
        Arguments.of("v1 host name", v1("PROXY TCP4 client.example 198.51.100.1 40001 25")),
        Arguments.of("v2 version 3", v2(0x31, ProxyHeaders.TCP4, new byte[12])),
        Arguments.of("v2 unknown command", v2(0x2F, ProxyHeaders.TCP4, new byte[12])),
        Arguments.of("v2 unknown family", v2(ProxyHeaders.PROXY, 0x41, new byte[12])),
        Arguments.of(
            "v2 TCP4 with a short address block",
            v2(ProxyHeaders.PROXY, ProxyHeaders.TCP4, new byte[4])),
        Arguments.of(
            "v2 signature with one wrong octet",
            corrupt(v2("192.0.2.10", 1, "198.51.100.1", 25), 7)));
  }

  @Test
  void overLongV1LineIsClosedWithoutWaitingForItsEnd() throws Exception {
    start(List.of("127.0.0.1"), Duration.ofMinutes(5));
    try (RawClient c = new RawClient(server.port())) {
      c.send("PROXY TCP4 " + "1".repeat(200));
      assertThat(c.closedByServer()).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> refused() == 1);
  }

  @Test
  void v2HeaderAnnouncingMoreThanTheTlvLimitIsClosed() throws Exception {
    start(List.of("127.0.0.1"), Duration.ofMinutes(5));
    // a TCP4 block followed by TLVs beyond the limit, announced in full and sent in part
    int length = 12 + ProxyProtocol.MAX_TLV_SIZE + 1024;
    ByteBuffer header = ByteBuffer.allocate(16 + ProxyProtocol.MAX_TLV_SIZE + 512);
    header
        .put(ProxyHeaders.V2_SIGNATURE)
        .put((byte) ProxyHeaders.PROXY)
        .put((byte) ProxyHeaders.TCP4);
    header.putShort((short) length);
    try (RawClient c = new RawClient(server.port())) {
      c.sendBytes(header.array());
      assertThat(c.closedByServer()).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> refused() == 1);
  }

  @Test
  void secondHeaderAfterTheFirstIsAnSmtpCommand() throws Exception {
    start(List.of("127.0.0.1"), Duration.ofMinutes(5));
    try (RawClient c = new RawClient(server.port())) {
      c.sendBytes(v1("PROXY TCP4 192.0.2.10 198.51.100.1 40001 25"));
      assertThat(c.reply().code()).isEqualTo(220);
      // a client cannot name itself through the proxy: the line is just an unknown command
      assertThat(c.command("PROXY TCP4 203.0.113.1 198.51.100.1 1 25").code()).isEqualTo(500);
    }
    assertThat(refused()).isZero();
  }

  private static byte[] corrupt(byte[] header, int index) {
    byte[] copy = header.clone();
    copy[index] ^= 0x01;
    return copy;
  }
}
