package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.testing.RawClient;
import io.smtpprotocol.testing.Requirements;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * XCLIENT as Postfix's XCLIENT_README describes it: its examples, who may send it, what it changes
 * for the handler, and the replies to everything else. The session's answers go through the session
 * harness, its client connecting from 127.0.0.1; the AUTH budget across connections and Python's
 * smtplib through a started server.
 */
class XclientTests {

  private static final String KEYWORD = "XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT";
  private static final String GREETING = "220 mx.test ESMTP ready";

  /**
   * Records the connect events, answered later (after the method returned: from another thread on a
   * started server, from {@link Later} under the session harness); refuses 192.0.2.66.
   */
  static final class Handler extends RecordingHandler {
    final BlockingQueue<SessionInfo> connects = new LinkedBlockingQueue<>();
    final Later later = new Later();
    volatile boolean harnessed;

    @Override
    public CompletionStage<Decision> connect(SessionInfo session) {
      connects.add(session);
      boolean refused = address(session).equals("192.0.2.66");
      Supplier<Decision> answer =
          () -> refused ? Decision.reject(554, "5.7.1", "Not from there") : Decision.accept();
      return harnessed ? later.supply(answer) : CompletableFuture.supplyAsync(answer);
    }
  }

  /** Counts the commands as the metrics see them, as {@code "XCLIENT:220"}. */
  static final class Commands implements SmtpServerObserver {
    final List<String> answered = new CopyOnWriteArrayList<>();

    @Override
    public void command(String verb, int replyCode) {
      answered.add(verb + ":" + replyCode);
    }
  }

  @TempDir Path dir;

  private final Handler handler = new Handler();
  private SmtpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A session from {@link SessionHarness#CLIENT}, greeted, through the session harness. */
  private SessionHarness harnessed(SmtpServerBuilder builder) {
    handler.harnessed = true;
    SessionHarness c = new SessionHarness(builder, handler.later);
    assertThat(c.reply().line()).isEqualTo(GREETING);
    return c;
  }

  private SessionHarness trustedClient() {
    return harnessed(TestServers.builder(handler).xclient(List.of("127.0.0.0/8")));
  }

  private static String address(SessionInfo session) {
    return session.remoteInetAddress().map(a -> a.getAddress().getHostAddress()).orElse("none");
  }

  private static void sendMessage(SessionHarness c) {
    assertThat(c.command("MAIL FROM:<wietse@porcupine.org>").code()).isEqualTo(250);
    assertThat(c.command("RCPT TO:<user@example.com>").code()).isEqualTo(250);
    assertThat(c.command("DATA").code()).isEqualTo(354);
    assertThat(c.command("Subject: xclient\r\n\r\nmessage content\r\n.").code()).isEqualTo(250);
  }

  // ------------------------------------------------------------ Postfix's examples

  @Test
  void postfixFirstExampleGreetsAnewAndTheHandlerSeesTheNamedClient() throws Exception {
    try (SessionHarness c = trustedClient()) {
      assertThat(c.command("EHLO client.example.com").lines()).contains(KEYWORD);
      assertThat(c.command("XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2").line())
          .isEqualTo(GREETING);
      // 168.100.189.2 is not trusted: XCLIENT is no longer offered to it
      assertThat(c.command("EHLO spike.porcupine.org").lines()).doesNotContain(KEYWORD);
      sendMessage(c);
    }
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(address(m.session())).isEqualTo("168.100.189.2");
    assertThat(m.session().clientName()).isEqualTo("spike.porcupine.org");
    assertThat(m.session().hello()).isEqualTo(new Command.Ehlo("spike.porcupine.org"));
    // the client kept the connection's port: ADDR alone changes only the address
    assertThat(m.session().remoteInetAddress().orElseThrow().getPort())
        .isEqualTo(handler.connects.poll().remoteInetAddress().orElseThrow().getPort());
  }

  @Test
  void postfixSecondExampleSendsXclientBeforeEhlo() throws Exception {
    try (SessionHarness c = trustedClient()) {
      assertThat(c.command("XCLIENT NAME=hamster.porcupine.org ADDR=168.100.189.8").line())
          .isEqualTo(GREETING);
      assertThat(c.command("EHLO hamster.porcupine.org").code()).isEqualTo(250);
      sendMessage(c);
    }
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(address(m.session())).isEqualTo("168.100.189.8");
    assertThat(m.session().clientName()).isEqualTo("hamster.porcupine.org");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[UNAVAILABLE]", "[TEMPUNAVAIL]", "[tempunavail]"})
  void unavailableNameLeavesTheClientWithoutAName(String name) throws Exception {
    try (SessionHarness c = trustedClient()) {
      assertThat(c.command("XCLIENT NAME=spike.porcupine.org").code()).isEqualTo(220);
      assertThat(c.command("XCLIENT NAME=" + name + " ADDR=168.100.189.2").code()).isEqualTo(220);
      c.ehlo();
      sendMessage(c);
    }
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.session().clientName()).isNull();
    assertThat(address(m.session())).isEqualTo("168.100.189.2");
  }

  @Test
  void ipv6AddressAndPortReplaceTheClientsAddress() throws Exception {
    try (SessionHarness c = trustedClient()) {
      assertThat(c.command("XCLIENT ADDR=IPV6:2001:db8::1 PORT=4242").code()).isEqualTo(220);
      c.ehlo();
      sendMessage(c);
    }
    InetSocketAddress remote = handler.takeMessage().session().remoteInetAddress().orElseThrow();
    assertThat(remote.getAddress()).isEqualTo(InetAddress.getByName("2001:db8::1"));
    assertThat(remote.getPort()).isEqualTo(4242);
  }

  @Test
  void unavailableAddressIsUnknownToTheHandler() throws Exception {
    try (SessionHarness c = trustedClient()) {
      assertThat(c.command("XCLIENT ADDR=[UNAVAILABLE] PORT=[UNAVAILABLE]").code()).isEqualTo(220);
      // no address, so no longer trusted
      assertThat(c.command("XCLIENT NAME=x.example").line()).startsWith("550 5.7.0");
      c.ehlo();
      sendMessage(c);
    }
    SessionInfo session = handler.takeMessage().session();
    assertThat(session.remoteInetAddress()).isEmpty();
    assertThat(session.remoteAddress())
        .isEqualTo(InetSocketAddress.createUnresolved(XclientStep.UNKNOWN, 0));
  }

  @Test
  void xtextEncodedValuesAreDecoded() throws Exception {
    try (SessionHarness c = trustedClient()) {
      String line = "XCLIENT NAME=mail+2Dgw.example.org LOGIN=alice+2Bsales+20(proxy)@example.org";
      assertThat(c.command(line).code()).isEqualTo(220);
      c.ehlo();
      sendMessage(c);
    }
    SessionInfo session = handler.takeMessage().session();
    assertThat(session.clientName()).isEqualTo("mail-gw.example.org");
    assertThat(session.authenticatedUser()).isEqualTo("alice+sales (proxy)@example.org");
  }

  @Test
  void destinationAddressAndPortReplaceTheLocalAddress() throws Exception {
    try (SessionHarness c = trustedClient()) {
      assertThat(c.command("XCLIENT DESTADDR=192.0.2.25 DESTPORT=25 PORT=40000").code())
          .isEqualTo(220);
      c.ehlo();
      sendMessage(c);
    }
    SessionInfo session = handler.takeMessage().session();
    assertThat(session.localAddress()).isEqualTo(new InetSocketAddress("192.0.2.25", 25));
    assertThat(session.remoteAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 40000));
  }

  // ------------------------------------------------------------ the session starts over

  @Test
  void withoutHeloTheClientMustGreetAgain() throws Exception {
    try (SessionHarness c = trustedClient()) {
      c.ehlo();
      assertThat(c.command("XCLIENT ADDR=127.0.0.9").code()).isEqualTo(220);
      assertThat(c.command("MAIL FROM:<a@example.org>").line()).startsWith("503 5.5.1");
      c.ehlo();
      sendMessage(c);
    }
    assertThat(handler.takeMessage().session().hello()).isEqualTo(new Command.Ehlo("client.test"));
  }

  @Test
  void heloAndProtoBecomeTheSessionsGreeting() throws Exception {
    try (SessionHarness c = trustedClient()) {
      c.ehlo();
      assertThat(c.command("XCLIENT HELO=client.example.org PROTO=ESMTP").code()).isEqualTo(220);
      // the greeting XCLIENT named stands: ESMTP parameters are taken without a new EHLO
      assertThat(c.command("MAIL FROM:<a@example.org> SIZE=100").code()).isEqualTo(250);
      assertThat(c.command("RSET").code()).isEqualTo(250);
      assertThat(c.command("XCLIENT HELO=old.example.org PROTO=smtp").code()).isEqualTo(220);
      assertThat(c.command("MAIL FROM:<a@example.org> SIZE=100").code()).isEqualTo(555);
      sendMessage(c);
    }
    assertThat(handler.takeMessage().session().hello())
        .isEqualTo(new Command.Helo("old.example.org"));
  }

  @Test
  void loginNamesTheUserAndALaterXclientWithoutItForgetsHim() throws Exception {
    try (SessionHarness c = trustedClient()) {
      assertThat(c.command("XCLIENT LOGIN=alice").code()).isEqualTo(220);
      c.ehlo();
      sendMessage(c);
      // a second XCLIENT from the still trusted client works
      assertThat(c.command("XCLIENT NAME=relay.example.org").code()).isEqualTo(220);
      c.ehlo();
      sendMessage(c);
    }
    assertThat(handler.takeMessage().session().authenticatedUser()).isEqualTo("alice");
    SessionInfo second = handler.takeMessage().session();
    assertThat(second.authenticatedUser()).isNull();
    assertThat(second.clientName()).isEqualTo("relay.example.org");
  }

  @Test
  void onceTheAddressLeavesTheTrustedOnesXclientIsRefused() throws Exception {
    try (SessionHarness c = trustedClient()) {
      assertThat(c.command("XCLIENT HELO=spike.porcupine.org PROTO=ESMTP").code()).isEqualTo(220);
      // as in Postfix, a greeting the second XCLIENT leaves out would be forgotten
      assertThat(
              c.command(
                      "XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2"
                          + " HELO=spike.porcupine.org PROTO=ESMTP")
                  .code())
          .isEqualTo(220);
      assertThat(c.command("XCLIENT ADDR=127.0.0.1").line())
          .isEqualTo("550 5.7.0 Insufficient authorization");
      sendMessage(c);
    }
    SessionInfo session = handler.takeMessage().session();
    assertThat(address(session)).isEqualTo("168.100.189.2");
    assertThat(session.hello()).isEqualTo(new Command.Ehlo("spike.porcupine.org"));
  }

  @Test
  void theConnectEventDecidesAgainOnTheNamedClient() throws Exception {
    try (SessionHarness c = trustedClient()) {
      assertThat(c.command("XCLIENT ADDR=192.0.2.66").line()).isEqualTo("554 5.7.1 Not from there");
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(handler.connects.poll(5, TimeUnit.SECONDS)).isNotNull();
    assertThat(address(handler.connects.poll(5, TimeUnit.SECONDS))).isEqualTo("192.0.2.66");
  }

  @Test
  void pipelinedCommandsAfterXclientWaitForTheNewGreeting() throws Exception {
    try (SessionHarness c = trustedClient()) {
      c.write(
          "XCLIENT NAME=relay.example.org ADDR=192.0.2.7\r\n"
              + "EHLO relay.example.org\r\n"
              + "MAIL FROM:<a@example.org>\r\n"
              + "RCPT TO:<b@example.com>\r\n"
              + "DATA\r\n");
      assertThat(c.reply().line()).isEqualTo(GREETING);
      assertThat(c.reply().lines()).first().isEqualTo("mx.test");
      assertThat(c.reply().line()).startsWith("250 2.1.0");
      assertThat(c.reply().line()).startsWith("250 2.1.5");
      assertThat(c.reply().code()).isEqualTo(354);
      assertThat(c.command("Subject: p\r\n\r\nbody\r\n.").code()).isEqualTo(250);
    }
    assertThat(address(handler.takeMessage().session())).isEqualTo("192.0.2.7");
    assertThat(address(handler.connects.poll(5, TimeUnit.SECONDS))).isEqualTo("127.0.0.1");
    assertThat(address(handler.connects.poll(5, TimeUnit.SECONDS))).isEqualTo("192.0.2.7");
  }

  // ------------------------------------------------------------ refusals

  @Test
  void untrustedClientIsRefusedAndNotOfferedXclient() throws Exception {
    try (SessionHarness c =
        harnessed(TestServers.builder(handler).xclient(List.of("10.0.0.0/8")))) {
      assertThat(c.ehlo().lines()).doesNotContain(KEYWORD);
      assertThat(c.command("XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2").line())
          .isEqualTo("550 5.7.0 Insufficient authorization");
      sendMessage(c);
    }
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(address(m.session())).isEqualTo("127.0.0.1");
    assertThat(m.session().clientName()).isNull();
  }

  @Test
  void withoutXclientEveryoneIsRefused() throws Exception {
    try (SessionHarness c = harnessed(TestServers.builder(handler))) {
      assertThat(c.ehlo().text()).doesNotContain("XCLIENT");
      assertThat(c.command("XCLIENT ADDR=192.0.2.7").line())
          .isEqualTo("550 5.7.0 Insufficient authorization");
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "XCLIENT",
        "XCLIENT ",
        "XCLIENT NAME",
        "XCLIENT NAME=",
        "XCLIENT =spike.porcupine.org",
        "XCLIENT REVERSE_NAME=spike.porcupine.org",
        "XCLIENT NAME=spike.porcupine.org FOO=bar",
        "XCLIENT NAME=bad!name.example",
        "XCLIENT NAME=168.100.189.2",
        "XCLIENT NAME=-dash.example",
        "XCLIENT ADDR=168.100.189.256",
        "XCLIENT ADDR=168.100.189",
        "XCLIENT ADDR=010.1.1.1",
        "XCLIENT ADDR=2001:db8::1",
        "XCLIENT ADDR=IPV6:168.100.189.2",
        "XCLIENT ADDR=IPV6:2001:db8:::1",
        "XCLIENT ADDR=spike.porcupine.org",
        "XCLIENT ADDR=[TEMPUNAVAIL]",
        "XCLIENT DESTADDR=[168.100.189.2]",
        "XCLIENT PORT=65536",
        "XCLIENT PORT=-1",
        "XCLIENT PORT=25a",
        "XCLIENT DESTPORT=123456",
        "XCLIENT PROTO=LMTP",
        "XCLIENT PROTO=[UNAVAILABLE]",
        "XCLIENT HELO=two+20words",
        "XCLIENT LOGIN=alice+0D+0AMAIL",
        "XCLIENT LOGIN=alice+zz",
        "XCLIENT LOGIN=a=b",
      })
  void malformedXclientGets501AndChangesNothing(String line) throws Exception {
    try (SessionHarness c = trustedClient()) {
      c.ehlo();
      assertThat(c.command(line).line()).startsWith("501 5.5.4");
      sendMessage(c);
    }
    SessionInfo session = handler.takeMessage().session();
    assertThat(address(session)).isEqualTo("127.0.0.1");
    assertThat(session.hello()).isEqualTo(new Command.Ehlo("client.test"));
  }

  @Test
  void overlongValueGets501() throws Exception {
    try (SessionHarness c = trustedClient()) {
      String label = "a".repeat(60) + ".";
      assertThat(c.command("XCLIENT NAME=" + label.repeat(5) + "example").line())
          .isEqualTo("501 5.5.4 Bad NAME syntax");
    }
  }

  @Test
  void xclientInsideATransactionGets503() throws Exception {
    try (SessionHarness c = trustedClient()) {
      c.ehlo();
      assertThat(c.command("MAIL FROM:<a@example.org>").code()).isEqualTo(250);
      assertThat(c.command("XCLIENT ADDR=192.0.2.7").line())
          .isEqualTo("503 5.5.1 MAIL transaction in progress");
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("RSET").code()).isEqualTo(250);
      assertThat(c.command("XCLIENT ADDR=192.0.2.7").code()).isEqualTo(220);
    }
  }

  // ------------------------------------------------------------ what else follows the client

  @Test
  void failedAuthCountsAgainstTheNamedClientsAddress() throws Exception {
    server =
        TestServers.builder(handler)
            .xclient(List.of("127.0.0.1"))
            .authenticator(new TestAuthenticator())
            .allowInsecureAuth(true)
            .authFailureDelay(Duration.ZERO)
            .authFailuresPerAddress(1, Duration.ofMinutes(10))
            .build()
            .start();
    String wrong = "AUTH PLAIN " + plain("guess");
    try (RawClient c = proxiedFor("192.0.2.9")) {
      assertThat(c.command(wrong).code()).isEqualTo(535);
    }
    try (RawClient c = proxiedFor("192.0.2.9")) {
      assertThat(c.command(wrong).code()).isEqualTo(454);
    }
    // neither another client behind the same proxy nor the proxy itself is throttled
    try (RawClient c = proxiedFor("192.0.2.10")) {
      assertThat(c.command("AUTH PLAIN " + plain(TestAuthenticator.PASSWORD)).code())
          .isEqualTo(235);
    }
    try (RawClient c = RawClient.greeted(server.port())) {
      c.ehlo();
      assertThat(c.command("AUTH PLAIN " + plain(TestAuthenticator.PASSWORD)).code())
          .isEqualTo(235);
    }
  }

  private RawClient proxiedFor(String address) throws Exception {
    RawClient c = RawClient.greeted(server.port());
    assertThat(c.command("XCLIENT ADDR=" + address).code()).isEqualTo(220);
    c.ehlo();
    return c;
  }

  private static String plain(String password) {
    byte[] response =
        ("\0" + TestAuthenticator.USER + "\0" + password).getBytes(StandardCharsets.UTF_8);
    return Base64.getEncoder().encodeToString(response);
  }

  @Test
  void transcriptAndMetricsSeeTheXclient() throws Exception {
    Commands commands = new Commands();
    SmtpServerBuilder server =
        TestServers.builder(handler).xclient(List.of("127.0.0.1")).observer(commands);
    try (LogCapture transcript = new LogCapture("io.smtpprotocol.transcript", Level.DEBUG);
        SessionHarness c = harnessed(server)) {
      assertThat(c.command("XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2").code())
          .isEqualTo(220);
      assertThat(c.command("XCLIENT ADDR=192.0.2.1").code()).isEqualTo(550);
      assertThat(c.command("QUIT").code()).isEqualTo(221);
      assertThat(c.closedByServer()).isTrue();
      assertThat(transcript.messages())
          .anyMatch(m -> m.contains("XCLIENT: client /168.100.189.2:"))
          .anyMatch(m -> m.contains("(spike.porcupine.org)"));
    }
    assertThat(commands.answered).containsSubsequence("XCLIENT:220", "XCLIENT:550", "QUIT:221");
  }

  @Test
  void builderRefusesAnEmptyOrMalformedTrustList() {
    assertThatThrownBy(() -> SmtpServer.builder().xclient(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SmtpServer.builder().xclient(List.of("mx.example.com")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("mx.example.com");
    assertThat(SmtpServer.builder().xclient(List.of(" 10.0.0.0/8", "unix")).build().config())
        .extracting(ServerConfig::xclientClients)
        .isEqualTo(List.of("10.0.0.0/8", "unix"));
  }

  // ------------------------------------------------------------ a real client: Python's smtplib

  @Test
  void pythonSmtplibSendsXclientWithDocmd() throws Exception {
    Requirements.tool("python3");
    Path script = dir.resolve("xclient.py");
    Files.writeString(
        script,
        String.join(
            "\n",
            "import smtplib, sys",
            "s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), 'client.example.com', timeout=10)",
            "s.ehlo()",
            "print('offered', s.has_extn('xclient'))",
            "code, text = s.docmd('XCLIENT', 'NAME=spike.porcupine.org ADDR=168.100.189.2')",
            "print('reply', code, text.decode())",
            "s.ehlo('spike.porcupine.org')",
            "body = b'Subject: x\\r\\n\\r\\nhi\\r\\n'",
            "s.sendmail('wietse@porcupine.org', ['user@example.com'], body)",
            "s.quit()",
            "print('done')",
            ""));
    server = TestServers.builder(handler).xclient(List.of("127.0.0.1")).build().start();

    ClientProcess.Result run =
        ClientProcess.run(dir, List.of("python3", script.toString(), "" + server.port()));

    assertThat(run.lines())
        .as(run.describe())
        .containsExactly("offered True", "reply 220 mx.test ESMTP ready", "done");
    SessionInfo session = handler.takeMessage().session();
    assertThat(address(session)).isEqualTo("168.100.189.2");
    assertThat(session.clientName()).isEqualTo("spike.porcupine.org");
  }
}
