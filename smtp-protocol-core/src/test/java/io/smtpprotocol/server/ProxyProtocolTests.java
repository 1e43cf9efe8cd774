package io.smtpprotocol.server;

import static io.smtpprotocol.server.ProxyHeaders.concat;
import static io.smtpprotocol.server.ProxyHeaders.v1;
import static io.smtpprotocol.server.ProxyHeaders.v2;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.testing.RawClient;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.TlsMode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A listener behind a proxy: the client a PROXY header (v1 or v2) names is the session's remote
 * address everywhere, and the input after the header is the session's.
 */
@Timeout(30)
class ProxyProtocolTests {

  private static final TestPki pki = TestPki.get();

  private final Sessions handler = new Sessions();
  private SmtpServer server;

  /** Records the session at every EHLO. */
  static final class Sessions extends RecordingHandler {
    final BlockingQueue<SessionInfo> greeted = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<Decision> greeting(SessionInfo session, Command.Hello hello) {
      greeted.add(session);
      return Decision.acceptStage();
    }

    SessionInfo take() throws InterruptedException {
      SessionInfo s = greeted.poll(5, TimeUnit.SECONDS);
      if (s == null) {
        throw new AssertionError("no EHLO reached the handler within 5 seconds");
      }
      return s;
    }
  }

  private void start(UnaryOperator<SmtpServerBuilder> options) {
    server =
        options
            .apply(TestServers.builder(handler).proxyProtocol(List.of("127.0.0.1")))
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static Stream<Arguments> headers() {
    return Stream.of(
        Arguments.of(
            "v1 TCP4", v1("PROXY TCP4 192.0.2.10 198.51.100.1 40001 25"), "192.0.2.10", 40001),
        Arguments.of(
            "v1 TCP6", v1("PROXY TCP6 2001:db8::10 2001:db8::1 40002 25"), "2001:db8::10", 40002),
        Arguments.of("v1 UNKNOWN", v1("PROXY UNKNOWN"), null, 0),
        Arguments.of("v1 UNKNOWN with addresses", v1("PROXY UNKNOWN ::1 ::1 1 2"), null, 0),
        Arguments.of(
            "v2 PROXY TCP4", v2("192.0.2.20", 40003, "198.51.100.1", 25), "192.0.2.20", 40003),
        Arguments.of(
            "v2 PROXY TCP6", v2("2001:db8::20", 40004, "2001:db8::1", 25), "2001:db8::20", 40004),
        Arguments.of("v2 LOCAL", ProxyHeaders.v2Local(), null, 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("headers")
  void headerNamesTheSessionsRemoteAddress(String name, byte[] header, String client, int port)
      throws Exception {
    // the proxy connects from 127.0.0.2, which no header names
    InetAddress proxy = InetAddress.getByName("127.0.0.2");
    start(b -> b.proxyProtocol(List.of("127.0.0.1", "127.0.0.2")));
    try (RawClient c = new RawClient(server.port(), 10_000, proxy)) {
      c.sendBytes(header);
      assertThat(c.reply().line()).isEqualTo("220 mx.test ESMTP ready");
      c.ehlo();
      InetSocketAddress remote = (InetSocketAddress) handler.take().remoteAddress();
      if (client == null) { // LOCAL and UNKNOWN: the proxy's own connection
        assertThat(remote.getAddress()).isEqualTo(proxy);
      } else {
        assertThat(remote).isEqualTo(new InetSocketAddress(InetAddress.getByName(client), port));
      }
    }
  }

  @Test
  void messageEventAndTranscriptSeeTheProxiedClient() throws Exception {
    start(b -> b);
    try (LogCapture transcript = new LogCapture("io.smtpprotocol.transcript", Level.DEBUG);
        RawClient c = new RawClient(server.port())) {
      c.sendBytes(v1("PROXY TCP4 192.0.2.30 198.51.100.1 40005 25"));
      assertThat(c.reply().code()).isEqualTo(220);
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("hi\r\n.").code()).isEqualTo(250);
      assertThat(handler.takeMessage().session().remoteAddress())
          .isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.30"), 40005));
      assertThat(transcript.messages())
          .anyMatch(m -> m.contains("connected from /192.0.2.30:40005"));
    }
  }

  @Test
  void inputInTheSameWriteAsTheHeaderIsTheFirstCommand() throws Exception {
    start(b -> b);
    try (RawClient c = new RawClient(server.port())) {
      c.sendBytes(concat(v2("192.0.2.40", 40006, "198.51.100.1", 25), bytes("EHLO x\r\n")));
      assertThat(c.reply().code()).isEqualTo(220);
      assertThat(c.reply().lines()).first().isEqualTo("mx.test");
      assertThat(handler.take().remoteAddress())
          .isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.40"), 40006));
    }
  }

  @Test
  void inputBeforeTheGreetingAfterTheHeaderIsStillAnEarlyTalker() throws Exception {
    // the greeting waits a minute, so the command behind the header comes before it
    start(b -> b.limits(Limits.DEFAULTS.withGreetingDelay(Duration.ofSeconds(60))));
    try (RawClient c = new RawClient(server.port())) {
      c.sendBytes(concat(v1("PROXY TCP4 192.0.2.41 198.51.100.1 40007 25"), bytes("EHLO x\r\n")));
      assertThat(c.reply().line()).isEqualTo("554 5.5.0 Protocol error: input before the greeting");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("splitHeaders")
  void headerSentOneOctetPerWriteIsRead(String name, byte[] header) throws Exception {
    start(b -> b);
    try (RawClient c = new RawClient(server.port())) {
      for (byte b : header) {
        c.sendBytes(new byte[] {b});
      }
      assertThat(c.reply().code()).isEqualTo(220);
      c.ehlo();
      assertThat(handler.take().remoteAddress())
          .isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.50"), 40008));
    }
  }

  static Stream<Arguments> splitHeaders() {
    return Stream.of(
        Arguments.of("v1", v1("PROXY TCP4 192.0.2.50 198.51.100.1 40008 25")),
        Arguments.of("v2", v2("192.0.2.50", 40008, "198.51.100.1", 25)));
  }

  @Test
  void headerSplitAtEveryOctetIntoTwoWritesIsRead() throws Exception {
    start(b -> b);
    for (byte[] header :
        List.of(
            v1("PROXY TCP6 2001:db8::51 2001:db8::1 40009 25"),
            v2("2001:db8::51", 40009, "2001:db8::1", 25))) {
      for (int split = 1; split < header.length; split++) {
        try (RawClient c = new RawClient(server.port())) {
          c.sendBytes(java.util.Arrays.copyOfRange(header, 0, split));
          c.sendBytes(
              concat(
                  java.util.Arrays.copyOfRange(header, split, header.length), bytes("EHLO x\r\n")));
          assertThat(c.reply().code()).as("split at %d", split).isEqualTo(220);
          assertThat(c.reply().code()).isEqualTo(250);
          assertThat(handler.take().remoteAddress())
              .isEqualTo(new InetSocketAddress(InetAddress.getByName("2001:db8::51"), 40009));
        }
      }
    }
  }

  @Test
  void perAddressConnectionLimitCountsTheProxiedClient() throws Exception {
    start(b -> b.limits(Limits.DEFAULTS.withMaxConnectionsPerIp(1)));
    try (RawClient first = new RawClient(server.port());
        RawClient second = new RawClient(server.port());
        RawClient other = new RawClient(server.port())) {
      first.sendBytes(v1("PROXY TCP4 192.0.2.60 198.51.100.1 40010 25"));
      assertThat(first.reply().code()).isEqualTo(220);
      second.sendBytes(v2("192.0.2.60", 40011, "198.51.100.1", 25));
      assertThat(second.reply().line())
          .isEqualTo("421 4.7.0 Too many connections, try again later");
      assertThat(second.closedByServer()).isTrue();
      other.sendBytes(v1("PROXY TCP4 192.0.2.61 198.51.100.1 40012 25"));
      assertThat(other.reply().code()).isEqualTo(220);
      assertThat(first.command("NOOP").code()).isEqualTo(250);
      assertThat(other.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void authFailuresCountAgainstTheProxiedClient() throws Exception {
    start(
        b ->
            b.authenticator(new TestAuthenticator())
                .allowInsecureAuth(true)
                .authFailureDelay(Duration.ZERO)
                .authFailuresPerAddress(1, Duration.ofMinutes(10)));
    try (RawClient c = proxied("192.0.2.70", 40013)) {
      assertThat(c.command("AUTH PLAIN " + plain("guess")).code()).isEqualTo(535);
    }
    try (RawClient c = proxied("192.0.2.70", 40014)) {
      assertThat(c.command("AUTH PLAIN " + plain(TestAuthenticator.PASSWORD)).code())
          .isEqualTo(454);
    }
    try (RawClient c = proxied("192.0.2.71", 40015)) {
      assertThat(c.command("AUTH PLAIN " + plain(TestAuthenticator.PASSWORD)).code())
          .isEqualTo(235);
    }
  }

  @Test
  void implicitTlsBeginsAfterAV2Header() throws Exception {
    start(b -> b.tls(TlsMode.IMPLICIT, pki::serverContext));
    try (RawClient c = new RawClient(server.port())) {
      c.sendBytes(v2("192.0.2.80", 40016, "198.51.100.1", 465));
      c.handshake(pki.clientContext());
      assertThat(c.reply().code()).isEqualTo(220);
      c.ehlo();
      SessionInfo session = handler.take();
      assertThat(session.isTls()).isTrue();
      assertThat(session.remoteAddress())
          .isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.80"), 40016));
    }
  }

  @Test
  void startTlsKeepsTheProxiedClient() throws Exception {
    start(b -> b.tls(TlsMode.STARTTLS, pki::serverContext));
    try (RawClient c = proxied("192.0.2.81", 40017)) {
      assertThat(c.command("STARTTLS").code()).isEqualTo(220);
      c.handshake(pki.clientContext());
      c.ehlo();
      handler.take(); // the plaintext EHLO
      SessionInfo session = handler.take();
      assertThat(session.isTls()).isTrue();
      assertThat(session.remoteAddress())
          .isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.81"), 40017));
    }
  }

  @Test
  void builderRefusesAnEmptyOrBadTrustList() {
    assertThatThrownBy(() -> SmtpServer.builder().proxyProtocol(List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("trustedProxies");
    assertThatThrownBy(() -> SmtpServer.builder().proxyProtocol(List.of("proxy.example.com")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxy.example.com");
    assertThatThrownBy(() -> SmtpServer.builder().proxyHeaderTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("proxyHeaderTimeout");
  }

  /** Connects with a v1 header naming this client, reads the greeting and says EHLO. */
  private RawClient proxied(String client, int port) throws Exception {
    RawClient c = new RawClient(server.port());
    c.sendBytes(v1("PROXY TCP4 " + client + " 198.51.100.1 " + port + " 25"));
    assertThat(c.reply().code()).isEqualTo(220);
    c.ehlo();
    return c;
  }

  private static String plain(String password) {
    return Base64.getEncoder()
        .encodeToString(
            ("\0" + TestAuthenticator.USER + "\0" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
