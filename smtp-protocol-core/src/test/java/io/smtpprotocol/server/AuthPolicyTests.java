package io.smtpprotocol.server;

import static io.smtpprotocol.server.TestAuthenticator.PASSWORD;
import static io.smtpprotocol.server.TestAuthenticator.USER;
import static io.smtpprotocol.server.TestAuthenticator.b64;
import static io.smtpprotocol.server.TestAuthenticator.plain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import io.netty.handler.ssl.SslContext;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.testing.RawClient;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.TlsMode;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * When AUTH is offered, required or refused, failure limits and what is logged. Plaintext sessions
 * go through the session harness; those after STARTTLS or across connections through a started
 * server.
 */
class AuthPolicyTests {

  private static final TestPki pki = TestPki.get();

  private final TestAuthenticator authenticator = new TestAuthenticator();
  private final List<String> commandHook = new CopyOnWriteArrayList<>();
  private final RecordingHandler handler =
      new RecordingHandler() {
        @Override
        public CompletionStage<Optional<Reply>> command(
            SessionInfo session, String verb, String argument) {
          commandHook.add(verb + " " + argument);
          return CompletableFuture.completedStage(Optional.empty());
        }
      };
  private SmtpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private SmtpServerBuilder builder(UnaryOperator<SmtpServerBuilder> options) {
    SslContext context = pki.serverContext();
    return options.apply(
        SmtpServer.builder()
            .domain("mx.test")
            .port(0)
            .handler(handler)
            .tls(TlsMode.STARTTLS, () -> context)
            .authenticator(authenticator)
            .authMechanisms(List.of("PLAIN", "LOGIN")));
  }

  /** A started server: for the tests that need TLS or more than one connection. */
  private void start(UnaryOperator<SmtpServerBuilder> options) {
    server = builder(options).build().start();
  }

  /** A plaintext session through the session harness, greeted. */
  private SessionHarness plaintext(UnaryOperator<SmtpServerBuilder> options) {
    return SessionHarness.greeted(builder(options));
  }

  private RawClient ehlo() throws Exception {
    RawClient c = RawClient.greeted(server.port());
    assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
    return c;
  }

  private RawClient secured() throws Exception {
    RawClient c = ehlo();
    assertThat(c.command("STARTTLS").code()).isEqualTo(220);
    c.handshake(pki.clientContext());
    assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
    return c;
  }

  @Test
  void authIsNeitherAdvertisedNorAcceptedBeforeTls() throws Exception {
    try (SessionHarness c = plaintext(b -> b)) {
      assertThat(c.command("EHLO client.test").lines()).noneMatch(l -> l.startsWith("AUTH"));
      RawClient.WireReply refused = c.command("AUTH PLAIN " + plain(PASSWORD));
      assertThat(refused.code()).isEqualTo(538);
      assertThat(refused.last())
          .isEqualTo("5.7.11 Encryption required for requested authentication mechanism");
      assertThat(c.command("AUTH LOGIN").code()).isEqualTo(538);
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
    assertThat(authenticator.threads).isEmpty();
  }

  @Test
  void insecureAuthWhenAllowedIsAdvertisedAndWorksWithoutTls() throws Exception {
    try (SessionHarness c = plaintext(b -> b.allowInsecureAuth(true))) {
      assertThat(c.command("EHLO client.test").lines()).contains("AUTH PLAIN LOGIN");
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(235);
    }
  }

  @Test
  void authRequiredRefusesMailBeforeAuthWith530() throws Exception {
    start(b -> b.authRequired(true));
    try (RawClient c = secured()) {
      RawClient.WireReply refused = c.command("MAIL FROM:<a@example.com>");
      assertThat(refused.code()).isEqualTo(530);
      assertThat(refused.last()).isEqualTo("5.7.0 Authentication required");
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(235);
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    }
  }

  @Test
  void tlsRequiredRefusesAuthBeforeStartTls() throws Exception {
    try (SessionHarness c = plaintext(b -> b.tlsRequired(true).allowInsecureAuth(true))) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).lines())
          .containsExactly("5.7.0 Must issue a STARTTLS command first");
    }
  }

  @Test
  void lastAllowedFailureGets421AndTheConnectionCloses() throws Exception {
    start(b -> b.authFailureDelay(Duration.ZERO).maxAuthFailures(3));
    try (RawClient c = secured()) {
      assertThat(c.command("AUTH PLAIN " + plain("one")).code()).isEqualTo(535);
      assertThat(c.command("AUTH LOGIN").code()).isEqualTo(334);
      assertThat(c.command(b64(USER)).code()).isEqualTo(334);
      assertThat(c.command(b64("two")).code()).isEqualTo(535);
      assertThat(c.command("AUTH PLAIN " + plain("three")).code()).isEqualTo(535);
      RawClient.WireReply bye = c.reply();
      assertThat(bye.code()).isEqualTo(421);
      assertThat(bye.last()).startsWith("4.7.0 Too many failed authentication attempts");
      assertThat(c.closedByServer()).isTrue();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.activeSessions() == 0);
  }

  @Test
  void failuresFromOneAddressAcrossConnectionsUseUpItsBudget() throws Exception {
    RecordingObserver observer = new RecordingObserver();
    start(
        b ->
            b.authFailureDelay(Duration.ZERO)
                .maxAuthFailures(2)
                .authFailuresPerAddress(5, Duration.ofMinutes(10))
                .observer(observer));
    // five wrong guesses spread over three connections, as parallel guessers would
    int guesses = 0;
    for (int connection = 0; connection < 3 && guesses < 5; connection++) {
      try (RawClient c = secured()) {
        for (int i = 0; i < 2 && guesses < 5; i++) {
          assertThat(c.command("AUTH PLAIN " + plain("guess" + guesses++)).code()).isEqualTo(535);
        }
      }
    }
    try (RawClient c = secured()) {
      RawClient.WireReply refused = c.command("AUTH PLAIN " + plain(PASSWORD));
      assertThat(refused.code()).isEqualTo(454);
      assertThat(refused.last())
          .startsWith("4.7.0 Too many failed authentications from your address");
      // the rest of the session is unaffected
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
    assertThat(observer.events).contains("auth:throttled");
  }

  @Test
  void successfulAuthenticationsDoNotCountAgainstTheAddress() throws Exception {
    start(b -> b.authFailureDelay(Duration.ZERO).authFailuresPerAddress(1, Duration.ofMinutes(10)));
    for (int i = 0; i < 3; i++) {
      try (RawClient c = secured()) {
        assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(235);
      }
    }
  }

  @Test
  void cancelledExchangesAreNotCountedAsFailedAttempts() throws Exception {
    start(b -> b.authFailureDelay(Duration.ZERO).maxAuthFailures(1));
    try (RawClient c = secured()) {
      assertThat(c.command("AUTH LOGIN").code()).isEqualTo(334);
      assertThat(c.command("*").code()).isEqualTo(501);
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(235);
    }
  }

  @Test
  void replyToAFailedAttemptWaitsLongerAfterEachFailure() throws Exception {
    start(b -> b.authFailureDelay(Duration.ofMillis(150)).maxAuthFailures(5));
    try (RawClient c = secured()) {
      long t0 = System.nanoTime();
      assertThat(c.command("AUTH PLAIN " + plain("one")).code()).isEqualTo(535);
      long t1 = System.nanoTime();
      assertThat(c.command("AUTH PLAIN " + plain("two")).code()).isEqualTo(535);
      long t2 = System.nanoTime();
      // lower bounds only: the replies are scheduled 150 ms and then 300 ms later
      assertThat(Duration.ofNanos(t1 - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
      assertThat(Duration.ofNanos(t2 - t1)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      // commands pipelined meanwhile wait their turn
      c.send("AUTH PLAIN " + plain(PASSWORD) + "\r\nNOOP\r\n");
      assertThat(c.reply().code()).isEqualTo(235);
      assertThat(c.reply().code()).isEqualTo(250);
    }
  }

  @Test
  void withoutAnAuthenticatorAuthIsNotImplementedAndTheMailParameterUnknown() throws Exception {
    SmtpServerBuilder builder = SmtpServer.builder().domain("mx.test").port(0).handler(handler);
    try (SessionHarness c = SessionHarness.greeted(builder)) {
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(502);
      assertThat(c.command("MAIL FROM:<a@example.com> AUTH=<>").code()).isEqualTo(555);
    }
  }

  @Test
  void authPayloadsAreNeverLoggedNorShownToTheCommandHook() throws Exception {
    List<String> lines;
    try (LogCapture transcript = new LogCapture("io.smtpprotocol.transcript", Level.DEBUG)) {
      start(b -> b);
      try (RawClient c = secured()) {
        assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(235);
      }
      try (RawClient c = secured()) {
        assertThat(c.command("AUTH LOGIN").code()).isEqualTo(334);
        assertThat(c.command(b64(USER)).code()).isEqualTo(334);
        assertThat(c.command(b64(PASSWORD)).code()).isEqualTo(235);
        assertThat(c.command("QUIT").code()).isEqualTo(221);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> server.activeSessions() == 0);
      lines = transcript.messages();
    }
    assertThat(lines).anyMatch(l -> l.contains("C: AUTH PLAIN ****"));
    assertThat(lines).anyMatch(l -> l.contains("C: ****"));
    assertThat(lines).anyMatch(l -> l.contains("S: 334 ****"));
    assertThat(lines).anyMatch(l -> l.contains("QUIT"));
    assertThat(String.join("\n", lines))
        .doesNotContain(plain(PASSWORD))
        .doesNotContain(b64(USER))
        .doesNotContain(b64(PASSWORD))
        .doesNotContain(PASSWORD);
    assertThat(commandHook)
        .isNotEmpty()
        .noneMatch(l -> l.startsWith("AUTH") || l.contains(b64(PASSWORD)));
  }
}
