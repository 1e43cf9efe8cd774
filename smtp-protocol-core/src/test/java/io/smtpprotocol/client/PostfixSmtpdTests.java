package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.protocol.Extensions;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a private instance of postfix's smtpd with STARTTLS ({@link PostfixInstance}),
 * for a real MTA's replies. Recipients at {@code example.test} are taken and their delivery
 * deferred; the test only needs the SMTP dialogue.
 *
 * <p>Skipped when postfix is missing or the test does not run as root; both fail on CI.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PostfixSmtpdTests {

  private static final long SIZE_LIMIT = 20_000;
  private static final String DOMAIN = PostfixInstance.DOMAIN;
  private static final String SENDER = "sender@example.org";

  @TempDir static Path dir;
  private static PostfixInstance postfix;
  private static final TestPki pki = TestPki.get();

  @BeforeAll
  static void start() throws Exception {
    PostfixInstance.require();
    Path chain = dir.resolve("chain.pem");
    Files.writeString(chain, pki.server.getPrivateKeyPEM() + pki.server.getCertificatePEM());
    Files.setPosixFilePermissions(chain, PosixFilePermissions.fromString("rw-------"));
    postfix =
        PostfixInstance.start(
            dir,
            List.of(
                // nothing leaves: every delivery is deferred in the queue
                "defer_transports = local virtual lmtp smtp relay",
                "message_size_limit = " + SIZE_LIMIT,
                // no permit_mynetworks: a recipient elsewhere is postfix's own relay refusal
                "smtpd_relay_restrictions = reject_unauth_destination",
                "smtpd_recipient_restrictions = check_recipient_access inline:{ { busy@"
                    + DOMAIN
                    + " = 450 4.2.1 Mailbox busy } }",
                "smtpd_tls_security_level = may",
                "smtpd_tls_chain_files = " + chain,
                "smtpd_tls_loglevel = 1",
                "smtpd_timeout = 30s"));
  }

  @AfterAll
  static void stop() {
    if (postfix != null) {
      postfix.close();
    }
  }

  /** postfix's log, for failure messages. */
  private static String log() {
    return postfix.log();
  }

  private static SmtpClient.Builder tlsClient() {
    return Servers.client().sslContext(pki.nettyClientContext()).tlsPolicy(TlsPolicy.REQUIRED);
  }

  @Test
  void ehloShowsWhatPostfixAdvertises() {
    try (SmtpClient client = Servers.client().tlsPolicy(TlsPolicy.NONE).build()) {
      SmtpConnection c = join(client.connect("localhost", postfix.port));
      assertThat(c.greeting().code()).isEqualTo(220);
      assertThat(c.greeting().text()).startsWith("mx." + DOMAIN + " ESMTP Postfix");
      Extensions ext = join(c.prepare());
      assertThat(ext.domain()).isEqualTo("mx." + DOMAIN);
      assertThat(ext.pipelining()).isTrue();
      assertThat(ext.maxSize()).hasValue(SIZE_LIMIT);
      assertThat(ext.startTls()).isTrue();
      assertThat(ext.eightBitMime()).isTrue();
      assertThat(ext.enhancedStatusCodes()).isTrue();
      assertThat(ext.dsn()).isTrue();
      assertThat(ext.smtpUtf8()).isTrue();
      assertThat(ext.chunking()).isTrue();
      assertThat(ext.has("VRFY")).isTrue();
      assertThat(ext.has("ETRN")).isTrue();
      assertThat(ext.authMechanisms()).isEmpty();
      assertThat(c.isTls()).isFalse();
      assertThat(join(c.quit()).code()).isEqualTo(221);
    }
  }

  @Test
  void startTlsRequiredTrustingTheTestCa() {
    try (SmtpClient client = tlsClient().build()) {
      SmtpConnection c = join(client.connect("localhost", postfix.port));
      Extensions ext = join(c.prepare());
      assertThat(c.isTls()).isTrue();
      assertThat(c.tlsInfo()).get().satisfies(t -> assertThat(t.protocol()).startsWith("TLSv1."));
      // the EHLO after the handshake: STARTTLS is no longer offered, the rest is
      assertThat(ext.startTls()).isFalse();
      assertThat(ext.pipelining()).isTrue();
      assertThat(ext.maxSize()).hasValue(SIZE_LIMIT);
      join(c.quit());
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> log().contains("Anonymous TLS connection established from localhost[127.0.0.1]"));
  }

  @Test
  void certificateNotNamingTheHostFailsTheHandshake() throws Exception {
    // postfix's certificate names localhost and 127.0.0.1, not this name for the same address
    InetSocketAddress elsewhere =
        new InetSocketAddress(
            InetAddress.getByAddress("mx.elsewhere.test", new byte[] {127, 0, 0, 1}), postfix.port);
    try (SmtpClient client = tlsClient().build()) {
      SmtpConnection c = join(client.connect(elsewhere));
      assertThatThrownBy(
              () -> join(c.send(MailEnvelope.of(SENDER, "a@" + DOMAIN), MessageContent.of("x"))))
          .isInstanceOf(SmtpConnectionException.class)
          .hasMessageContaining("TLS");
    }
  }

  @Test
  void pipelinedSendIsQueuedByPostfix() {
    try (SmtpClient client = tlsClient().build()) {
      SmtpConnection c = join(client.connect("localhost", postfix.port));
      List<String> queued = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        SendResult r =
            join(
                c.send(
                    MailEnvelope.of(SENDER, "one@" + DOMAIN, "two@" + DOMAIN),
                    MessageContent.of(
                        "Subject: pipelined " + i + "\r\n\r\n.dot line\r\nGr\u00fc\u00dfe\r\n")));
        assertThat(c.extensions().pipelining()).isTrue();
        assertThat(r.accepted()).hasSize(2);
        assertThat(r.recipients())
            .allSatisfy(rr -> assertThat(rr.reply().toString()).isEqualTo("250 2.1.5 Ok"));
        Reply reply = r.message();
        assertThat(reply.code()).isEqualTo(250);
        assertThat(reply.toString()).matches("250 2\\.0\\.0 Ok: queued as [0-9A-Za-z]+");
        Matcher id = Pattern.compile("queued as (\\S+)").matcher(reply.toString());
        assertThat(id.find()).isTrue();
        queued.add(id.group(1));
      }
      assertThat(c.isTls()).isTrue();
      assertThat(c.messagesSent()).isEqualTo(2);
      join(c.quit());
      // postfix's own account of the messages, and no complaint about the pipelining
      for (String id : queued) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    log().contains(id + ": from=<" + SENDER + ">")
                        && log().contains(id + ": to=<two@" + DOMAIN + ">"));
      }
      assertThat(log()).doesNotContain("improper command pipelining");
    }
  }

  @Test
  void recipientsPostfixRefusesCarryItsReplies() {
    try (SmtpClient client = tlsClient().build()) {
      SmtpConnection c = join(client.connect("localhost", postfix.port));
      SendResult r =
          join(
              c.send(
                  MailEnvelope.of(
                      SENDER, "ok@" + DOMAIN, "someone@elsewhere.example", "busy@" + DOMAIN),
                  MessageContent.of("Subject: partly\r\n\r\nx\r\n")));
      assertThat(r.accepted()).extracting(Object::toString).containsExactly("ok@" + DOMAIN);
      assertThat(r.refused()).hasSize(2);
      Reply relay = r.refused().get(0).reply();
      assertThat(relay.toString())
          .isEqualTo("554 5.7.1 <someone@elsewhere.example>: Relay access denied");
      assertThat(relay.isPermanent()).isTrue();
      Reply busy = r.refused().get(1).reply();
      assertThat(busy.toString())
          .isEqualTo("450 4.2.1 <busy@" + DOMAIN + ">: Recipient address rejected: Mailbox busy");
      assertThat(busy.isTransient()).isTrue();
      assertThat(r.message().toString()).startsWith("250 2.0.0 Ok: queued as ");

      // every recipient refused: the send fails with postfix's reply, and the session goes on
      assertThatThrownBy(
              () ->
                  join(
                      c.send(
                          MailEnvelope.of(SENDER, "nobody@elsewhere.example"),
                          MessageContent.of("x"))))
          .isInstanceOfSatisfying(
              SmtpReplyException.class,
              e -> {
                assertThat(e.command()).isEqualTo("RCPT");
                assertThat(e.isLocal()).isFalse();
                assertThat(e.reply().code()).isEqualTo(554);
                assertThat(e.reply().text()).contains("Relay access denied");
              });
      assertThat(join(c.noop()).code()).isEqualTo(250);
      join(c.quit());
    }
  }

  @Test
  void messageOverPostfixSizeLimitIsRefusedBeforeSending() {
    try (SmtpClient client = tlsClient().build()) {
      SmtpConnection c = join(client.connect("localhost", postfix.port));
      byte[] big = big();
      assertThat((long) big.length).isGreaterThan(SIZE_LIMIT);
      assertThatThrownBy(
              () -> join(c.send(MailEnvelope.of(SENDER, "a@" + DOMAIN), MessageContent.of(big))))
          .isInstanceOfSatisfying(
              SmtpReplyException.class,
              e -> {
                assertThat(e.isLocal()).isTrue();
                assertThat(e.command()).isEqualTo("MAIL");
                assertThat(e.reply().code()).isEqualTo(552);
                assertThat(e.reply().text()).contains("exceeds the server's limit " + SIZE_LIMIT);
              });
      // nothing reached postfix: the session is still fresh and a message under the limit goes
      SendResult r =
          join(c.send(MailEnvelope.of(SENDER, "a@" + DOMAIN), MessageContent.of("small\r\n")));
      assertThat(r.message().code()).isEqualTo(250);
      join(c.quit());
    }
    assertThat(log()).doesNotContain("Message size exceeds fixed limit");
  }

  @Test
  void messageOfUnknownSizeOverTheLimitGetsPostfixRefusal() {
    try (SmtpClient client = tlsClient().build()) {
      SmtpConnection c = join(client.connect("localhost", postfix.port));
      MessageContent unknownSize =
          MessageContent.of(new ByteArrayInputStream(big()), -1, MessageContent.Encoding.SEVEN_BIT);
      assertThatThrownBy(() -> join(c.send(MailEnvelope.of(SENDER, "a@" + DOMAIN), unknownSize)))
          .isInstanceOfSatisfying(
              SmtpReplyException.class,
              e -> {
                assertThat(e.isLocal()).isFalse();
                assertThat(e.command()).isEqualTo("message");
                assertThat(e.reply().toString()).isEqualTo("552 5.3.4 Error: message file too big");
              });
      assertThat(join(c.noop()).code()).isEqualTo(250);
      join(c.quit());
    }
  }

  /** A message of 40,000 octets or so, twice postfix's limit. */
  private static byte[] big() {
    return ("Subject: big\r\n\r\n" + ("x".repeat(78) + "\r\n").repeat(500))
        .getBytes(StandardCharsets.US_ASCII);
  }
}
