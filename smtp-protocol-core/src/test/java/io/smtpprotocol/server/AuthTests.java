package io.smtpprotocol.server;

import static io.smtpprotocol.server.TestAuthenticator.PASSWORD;
import static io.smtpprotocol.server.TestAuthenticator.USER;
import static io.smtpprotocol.server.TestAuthenticator.b64;
import static io.smtpprotocol.server.TestAuthenticator.plain;
import static io.smtpprotocol.server.TestAuthenticator.unb64;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContext;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.testing.RawClient;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.TlsMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AUTH (RFC 4954) over STARTTLS: the exchanges of every mechanism and the command's rules. */
class AuthTests {

  private static final TestPki pki = TestPki.get();

  private final TestAuthenticator authenticator = new TestAuthenticator();
  private final RecordingObserver observer = new RecordingObserver();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private volatile Decision authDecision = Decision.accept();
  private final RecordingHandler handler =
      new RecordingHandler() {
        @Override
        public CompletionStage<Decision> auth(
            SessionInfo session, String mechanism, String identity) {
          events.add("auth " + mechanism + " " + identity + " " + session.authenticatedUser());
          return authDecision.asStage();
        }

        @Override
        public CompletionStage<Decision> mailFrom(
            SessionInfo session, ReversePath from, MailParameters parameters) {
          events.add("mail " + session.authenticatedUser() + " " + parameters.auth().orElse("-"));
          return Decision.acceptStage();
        }

        @Override
        public CompletionStage<Decision> rcptTo(
            SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
          events.add("rcpt " + session.authenticatedUser());
          return Decision.acceptStage();
        }

        @Override
        public CompletionStage<Decision> data(SessionInfo session, Envelope envelope) {
          events.add("data " + session.authenticatedUser());
          return Decision.acceptStage();
        }
      };
  @AutoClose private SmtpServer server;

  @BeforeEach
  void start() {
    SslContext context = pki.serverContext();
    server =
        SmtpServer.builder()
            .domain("mx.test")
            .port(0)
            .handler(handler)
            .observer(observer)
            .tls(TlsMode.STARTTLS, () -> context)
            .authenticator(authenticator)
            .authMechanisms(List.of("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "SCRAM-SHA-256"))
            .authFailureDelay(java.time.Duration.ZERO)
            .build()
            .start();
  }

  /** Connected, upgraded to TLS and greeted with EHLO. */
  private RawClient secured() throws Exception {
    RawClient c = RawClient.greeted(server.port());
    assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
    assertThat(c.command("STARTTLS").code()).isEqualTo(220);
    c.handshake(pki.clientContext());
    assertThat(c.command("EHLO client.test").lines())
        .contains("AUTH PLAIN LOGIN CRAM-MD5 XOAUTH2 SCRAM-SHA-256");
    return c;
  }

  @Test
  void plainWithInitialResponseAuthenticates() throws Exception {
    try (RawClient c = secured()) {
      RawClient.WireReply ok = c.command("AUTH PLAIN " + plain(PASSWORD));
      assertThat(ok.code()).isEqualTo(235);
      assertThat(ok.last()).isEqualTo("2.7.0 Authentication successful");
    }
    assertThat(observer.events).containsExactly("tls:true", "auth:PLAIN:true");
    assertThat(events).containsExactly("auth PLAIN alice null");
  }

  @Test
  void plainWithoutInitialResponseGetsAnEmptyChallenge() throws Exception {
    try (RawClient c = secured()) {
      RawClient.WireReply challenge = c.command("AUTH PLAIN");
      assertThat(challenge.code()).isEqualTo(334);
      assertThat(challenge.last()).isEmpty();
      assertThat(c.command(plain(PASSWORD)).code()).isEqualTo(235);
    }
  }

  @Test
  void loginExchangeAsksForUserAndPassword() throws Exception {
    try (RawClient c = secured()) {
      RawClient.WireReply user = c.command("AUTH LOGIN");
      assertThat(user.code()).isEqualTo(334);
      assertThat(unb64(user.last())).isEqualTo("Username:");
      RawClient.WireReply password = c.command(b64(USER));
      assertThat(unb64(password.last())).isEqualTo("Password:");
      assertThat(c.command(b64(PASSWORD)).code()).isEqualTo(235);
    }
  }

  @Test
  void anEqualsSignIsAnEmptyInitialResponse() throws Exception {
    try (RawClient c = secured()) {
      RawClient.WireReply password = c.command("AUTH LOGIN =");
      assertThat(unb64(password.last())).isEqualTo("Password:");
      assertThat(c.command(b64(PASSWORD)).lines())
          .containsExactly("5.7.8 Authentication credentials invalid");
    }
  }

  @Test
  void cramMd5DigestOfTheServersChallengeAuthenticates() throws Exception {
    try (RawClient c = secured()) {
      RawClient.WireReply challenge = c.command("AUTH CRAM-MD5");
      assertThat(challenge.code()).isEqualTo(334);
      String text = unb64(challenge.last());
      assertThat(text).matches("<[0-9]+\\.[0-9]+@mx\\.test>");
      Mac mac = Mac.getInstance("HmacMD5");
      mac.init(new SecretKeySpec(PASSWORD.getBytes(StandardCharsets.UTF_8), "HmacMD5"));
      String digest =
          HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.US_ASCII)));
      assertThat(c.command(b64(USER + " " + digest)).code()).isEqualTo(235);
    }
  }

  @Test
  void xoauth2TokenAuthenticates() throws Exception {
    try (RawClient c = secured()) {
      String ir =
          b64("user=" + USER + "\u0001auth=Bearer " + TestAuthenticator.TOKEN + "\u0001\u0001");
      assertThat(c.command("AUTH XOAUTH2 " + ir).code()).isEqualTo(235);
    }
  }

  @Test
  void xoauth2RefusedTokenGetsAnErrorChallengeThen535() throws Exception {
    try (RawClient c = secured()) {
      String ir = b64("user=" + USER + "\u0001auth=Bearer expired\u0001\u0001");
      RawClient.WireReply error = c.command("AUTH XOAUTH2 " + ir);
      assertThat(error.code()).isEqualTo(334);
      assertThat(unb64(error.last())).contains("\"status\":\"401\"");
      assertThat(c.command("").code()).isEqualTo(535);
    }
  }

  @Test
  void longXoauth2InitialResponseFitsTheAuthLineLimitWhileOtherLinesKeepTheirs() throws Exception {
    try (RawClient c = secured()) {
      String ir = b64("user=" + USER + "\u0001auth=Bearer " + "x".repeat(6000) + "\u0001\u0001");
      assertThat(("AUTH XOAUTH2 " + ir).length()).isGreaterThan(8000);
      RawClient.WireReply refused = c.command("AUTH XOAUTH2 " + ir);
      assertThat(refused.code()).isEqualTo(334); // a token was read and checked, then refused
      assertThat(c.command("").code()).isEqualTo(535);
      assertThat(c.command("NOOP " + "x".repeat(1500)).lines())
          .containsExactly("5.5.6 Line too long");
      assertThat(c.command("AUTH PLAIN " + "A".repeat(12_300)).lines())
          .containsExactly("5.5.6 Line too long");
      assertThat(c.command("AUTH PLAIN").code()).isEqualTo(334);
      assertThat(c.command("A".repeat(12_300)).lines()).containsExactly("5.5.6 Line too long");
      assertThat(c.command("NOOP " + "x".repeat(1500)).lines())
          .containsExactly("5.5.6 Line too long");
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(235);
    }
  }

  @Test
  void scramSha256ExchangeAuthenticatesAndTheServerProvesItKnowsTheCredential() throws Exception {
    try (RawClient c = secured()) {
      String clientNonce = "fyko+d2lbbFgONRv9qkxdawL";
      String clientFirstBare = "n=" + USER + ",r=" + clientNonce;
      RawClient.WireReply first = c.command("AUTH SCRAM-SHA-256 " + b64("n,," + clientFirstBare));
      assertThat(first.code()).isEqualTo(334);
      String serverFirst = unb64(first.last());
      assertThat(serverFirst).startsWith("r=" + clientNonce);
      String[] attrs = serverFirst.split(",");
      String nonce = attrs[0].substring(2);
      byte[] salt = Base64.getDecoder().decode(attrs[1].substring(2));
      int iterations = Integer.parseInt(attrs[2].substring(2));

      byte[] salted =
          SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
              .generateSecret(new PBEKeySpec(PASSWORD.toCharArray(), salt, iterations, 256))
              .getEncoded();
      byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.UTF_8));
      byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
      String withoutProof = "c=biws,r=" + nonce;
      byte[] authMessage =
          (clientFirstBare + "," + serverFirst + "," + withoutProof)
              .getBytes(StandardCharsets.UTF_8);
      byte[] signature = hmac(storedKey, authMessage);
      byte[] proof = new byte[clientKey.length];
      for (int i = 0; i < proof.length; i++) {
        proof[i] = (byte) (clientKey[i] ^ signature[i]);
      }
      RawClient.WireReply last =
          c.command(b64(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)));
      assertThat(last.code()).isEqualTo(334);
      byte[] serverKey = hmac(salted, "Server Key".getBytes(StandardCharsets.UTF_8));
      String expected = "v=" + Base64.getEncoder().encodeToString(hmac(serverKey, authMessage));
      assertThat(unb64(last.last())).isEqualTo(expected);
      assertThat(c.command("").code()).isEqualTo(235);
    }
    assertThat(events).containsExactly("auth SCRAM-SHA-256 alice null");
  }

  private static byte[] hmac(byte[] key, byte[] data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  @Test
  void wrongPasswordIsRefusedWith535() throws Exception {
    try (RawClient c = secured()) {
      assertThat(c.command("AUTH PLAIN " + plain("wrong")).lines())
          .containsExactly("5.7.8 Authentication credentials invalid");
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(235);
    }
    assertThat(observer.events).containsExactly("tls:true", "auth:PLAIN:false", "auth:PLAIN:true");
  }

  @Test
  void starCancelsTheExchangeWith501() throws Exception {
    try (RawClient c = secured()) {
      assertThat(c.command("AUTH LOGIN").code()).isEqualTo(334);
      assertThat(c.command("*").code()).isEqualTo(501);
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void responseThatIsNotBase64IsRefusedWith501_5_5_2() throws Exception {
    try (RawClient c = secured()) {
      assertThat(c.command("AUTH PLAIN not*base64").lines())
          .containsExactly("5.5.2 Cannot Base64-decode client response");
      assertThat(c.command("AUTH LOGIN").code()).isEqualTo(334);
      assertThat(c.command("%%%").lines())
          .containsExactly("5.5.2 Cannot Base64-decode client response");
      assertThat(c.command("NOOP").code()).isEqualTo(250);
    }
  }

  @Test
  void unknownMechanismIsRefusedWith504() throws Exception {
    try (RawClient c = secured()) {
      assertThat(c.command("AUTH DIGEST-MD5").lines())
          .containsExactly("5.5.4 Unrecognized authentication type");
    }
  }

  @Test
  void secondAuthIsRefusedWith503() throws Exception {
    try (RawClient c = secured()) {
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(235);
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).lines())
          .containsExactly("5.5.1 Already authenticated");
    }
  }

  @Test
  void authInsideAMailTransactionIsRefusedWith503() throws Exception {
    try (RawClient c = secured()) {
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).lines())
          .containsExactly("5.5.1 AUTH not permitted during a mail transaction");
    }
  }

  @Test
  void authBeforeEhloIsRefusedWith503() throws Exception {
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(503);
    }
  }

  @Test
  void pipelinedAuthAndTransactionAreAnsweredInOrder() throws Exception {
    try (RawClient c = secured()) {
      c.send(
          "AUTH PLAIN "
              + plain(PASSWORD)
              + "\r\n"
              + "MAIL FROM:<a@example.com>\r\n"
              + "RCPT TO:<b@example.com>\r\n"
              + "DATA\r\n");
      assertThat(c.reply().code()).isEqualTo(235);
      assertThat(c.reply().code()).isEqualTo(250);
      assertThat(c.reply().code()).isEqualTo(250);
      assertThat(c.reply().code()).isEqualTo(354);
      assertThat(c.command("body\r\n.").code()).isEqualTo(250);
    }
    assertThat(handler.takeMessage().session().authenticatedUser()).isEqualTo(USER);
  }

  @Test
  void pipelinedResponsesOfAnExchangeAreReadInTurn() throws Exception {
    try (RawClient c = secured()) {
      c.send("AUTH LOGIN\r\n" + b64(USER) + "\r\n" + b64(PASSWORD) + "\r\nNOOP\r\n");
      assertThat(c.reply().code()).isEqualTo(334);
      assertThat(c.reply().code()).isEqualTo(334);
      assertThat(c.reply().code()).isEqualTo(235);
      assertThat(c.reply().code()).isEqualTo(250);
    }
  }

  @Test
  void authenticatedIdentityReachesEveryLaterEvent() throws Exception {
    try (RawClient c = secured()) {
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(235);
      assertThat(c.command("MAIL FROM:<alice@example.com> AUTH=alice+2Bmail@example.com").code())
          .isEqualTo(250);
      assertThat(c.command("RCPT TO:<b@example.com>").code()).isEqualTo(250);
      assertThat(c.command("DATA").code()).isEqualTo(354);
      assertThat(c.command("hi\r\n.").code()).isEqualTo(250);
      assertThat(c.command("RSET").code()).isEqualTo(250);
      assertThat(c.command("EHLO again.test").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<alice@example.com>").code()).isEqualTo(250);
    }
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.session().authenticatedUser()).isEqualTo(USER);
    assertThat(m.envelope().parameters().auth()).contains("alice+mail@example.com");
    assertThat(events)
        .containsExactly(
            "auth PLAIN alice null",
            "mail alice alice+mail@example.com",
            "rcpt alice",
            "data alice",
            "mail alice -");
  }

  @Test
  void authMailParameterOfAnUnauthenticatedClientIsNotTrusted() throws Exception {
    try (RawClient c = secured()) {
      assertThat(c.command("MAIL FROM:<a@example.com> AUTH=e+3Dmc2@example.com").code())
          .isEqualTo(250);
      assertThat(c.command("RSET").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<a@example.com> AUTH=bad+zz").code()).isEqualTo(501);
    }
    assertThat(events).containsExactly("mail null <>");
  }

  @Test
  void handlerRejectingTheIdentityGives535AndNoIdentity() throws Exception {
    authDecision = Decision.reject();
    try (RawClient c = secured()) {
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(535);
      assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
    }
    assertThat(events).containsExactly("auth PLAIN alice null", "mail null -");
    assertThat(observer.events).containsExactly("tls:true", "auth:PLAIN:false");
  }

  @Test
  void failingAuthenticatorGives454AndRunsOffTheEventLoop() throws Exception {
    try (RawClient c = secured()) {
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(235);
    }
    authenticator.failure = new IllegalStateException("directory down");
    try (LogCapture log = new LogCapture(SmtpSession.class);
        RawClient c = secured()) {
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).lines())
          .containsExactly("4.7.0 Temporary authentication failure");
      assertThat(c.command("NOOP").code()).isEqualTo(250);
      assertThat(log.warnings())
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getFormattedMessage()).startsWith("SMTP authenticator failed");
                assertThat(e.getThrowableProxy().getMessage()).isEqualTo("directory down");
              });
    }
    assertThat(authenticator.threads).hasSize(2).allMatch(name -> name.startsWith("smtp-handler"));
  }

  @Test
  void startTlsForgetsAnEarlierAuthentication() throws Exception {
    server.close();
    SslContext context = pki.serverContext();
    server =
        SmtpServer.builder()
            .domain("mx.test")
            .port(0)
            .handler(handler)
            .tls(TlsMode.STARTTLS, () -> context)
            .authenticator(authenticator)
            .allowInsecureAuth(true)
            .authRequired(true)
            .build()
            .start();
    try (RawClient c = RawClient.greeted(server.port())) {
      assertThat(c.command("EHLO client.test").lines())
          .contains("STARTTLS", "AUTH SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5 XOAUTH2");
      assertThat(c.command("AUTH PLAIN " + plain(PASSWORD)).code()).isEqualTo(235);
      assertThat(c.command("STARTTLS").code()).isEqualTo(220);
      c.handshake(pki.clientContext());
      assertThat(c.command("EHLO client.test").code()).isEqualTo(250);
      assertThat(c.command("MAIL FROM:<a@example.com>").lines())
          .containsExactly("5.7.0 Authentication required");
    }
  }
}
