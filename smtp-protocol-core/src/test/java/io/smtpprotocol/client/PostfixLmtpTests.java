package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.server.SmtpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our LMTP server as the final hop of a real MTA: a private postfix instance ({@link
 * PostfixInstance}) takes a message for three recipients at {@code example.test} over SMTP and
 * delivers it through its {@code lmtp} transport ({@code local_transport}) to our server, over TCP
 * and over a Unix domain socket. Postfix's queue log must show each recipient's own outcome from
 * the one transaction: delivered, deferred on a 4xx, bounced on a 5xx.
 *
 * <p>Skipped when postfix is missing or the test does not run as root; both fail on CI.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PostfixLmtpTests {

  private static final String DOMAIN = PostfixInstance.DOMAIN;
  private static final String SENDER = "sender@example.org";
  private static final String OK = "ok@" + DOMAIN;
  private static final String BUSY = "busy@" + DOMAIN;
  private static final String NOBODY = "nobody@" + DOMAIN;

  @TempDir Path dir;

  /** A message as the handler received it. */
  private record Received(List<String> recipients, String body) {}

  /** Delivers to {@code ok}, says {@code busy} is full, knows no one else; records each message. */
  private static final class Mailboxes implements SmtpHandler {
    final BlockingQueue<Received> messages = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<List<Decision>> lmtpMessage(
        SessionInfo session, Envelope envelope, MessageBody body) {
      String text;
      try {
        text = new String(body.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return CompletableFuture.completedStage(
            List.of(Decision.reject(451, "4.3.0", "body failed")));
      }
      messages.add(
          new Received(envelope.mailboxes().stream().map(Mailbox::address).toList(), text));
      return CompletableFuture.completedStage(
          envelope.mailboxes().stream()
              .map(
                  m ->
                      switch (m.localPart()) {
                        case "ok" -> Decision.accept(250, "2.1.5 Delivered to " + m.address());
                        case "busy" -> Decision.reject(452, "4.2.2", "Mailbox full");
                        default -> Decision.reject(550, "5.1.1", "No such mailbox");
                      })
              .toList());
    }
  }

  @BeforeEach
  void require() {
    PostfixInstance.require();
  }

  @Test
  void postfixDeliversOverTcpWithAnOutcomePerRecipient() throws Exception {
    Mailboxes handler = new Mailboxes();
    try (SmtpServer server = Servers.builder(handler).lmtp(true).build().start()) {
      String relay = "127.0.0.1[127.0.0.1]:" + server.port();
      deliver(handler, "inet:[127.0.0.1]:" + server.port(), relay);
    }
  }

  @Test
  void postfixDeliversOverAUnixSocketWithAnOutcomePerRecipient() throws Exception {
    Mailboxes handler = new Mailboxes();
    Path socket = dir.resolve("lmtp.sock");
    try (SmtpServer server =
        SmtpServer.builder()
            .domain("mx.test")
            .unixSocket(socket)
            .ioThreads(1)
            .lmtp(true)
            .handler(handler)
            .build()
            .start()) {
      // postfix's lmtp client runs as the postfix account, which must be able to write to it
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
      // postfix names a Unix socket peer by its own host name
      deliver(handler, "unix:" + socket, "mx." + DOMAIN + "[" + socket + "]");
    }
  }

  /**
   * Starts postfix with {@code local_transport = lmtp:<nexthop>}, sends it the message, and checks
   * its log and what our server received.
   */
  private void deliver(Mailboxes handler, String nexthop, String relay) throws Exception {
    try (PostfixInstance postfix =
            PostfixInstance.start(
                dir,
                List.of(
                    // every recipient at example.test goes to our server
                    "local_transport = lmtp:" + nexthop,
                    // nothing leaves the machine: the bounce to the sender fails at once
                    "default_transport = error:no delivery outside " + DOMAIN,
                    "relay_transport = error:no delivery outside " + DOMAIN,
                    "lmtp_connect_timeout = 10s",
                    "lmtp_data_done_timeout = 30s"));
        SmtpClient client = Servers.client().tlsPolicy(TlsPolicy.NONE).build()) {
      SendResult sent =
          join(
              client.send(
                  "127.0.0.1",
                  postfix.port,
                  MailEnvelope.of(SENDER, OK, BUSY, NOBODY),
                  MessageContent.of("Subject: three mailboxes\r\n\r\none message\r\n")));
      assertThat(sent.accepted()).hasSize(3);
      Matcher queued = Pattern.compile("queued as (\\w+)").matcher(sent.message().toString());
      assertThat(queued.find()).as(sent.message().toString()).isTrue();
      String id = queued.group(1);

      List<Pattern> outcomes =
          List.of(
              outcome(id, OK, relay, "2.1.5", "sent", "250 2.1.5 Delivered to " + OK),
              outcome(id, BUSY, relay, "4.2.2", "deferred", said(relay, "452 4.2.2 Mailbox full")),
              outcome(
                  id, NOBODY, relay, "5.1.1", "bounced", said(relay, "550 5.1.1 No such mailbox")));
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () -> {
                String log = postfix.log();
                for (Pattern p : outcomes) {
                  assertThat(log).containsPattern(p);
                }
              });
      String log = postfix.log();

      // one transaction for the three recipients; the deferred one is not retried this soon
      Received received = handler.messages.poll(5, TimeUnit.SECONDS);
      assertThat(received).as("the message our server received" + log).isNotNull();
      // postfix's queue manager sorts a message's recipients
      assertThat(received.recipients()).containsExactlyInAnyOrder(OK, BUSY, NOBODY);
      assertThat(received.body())
          .contains("Subject: three mailboxes\r\n")
          .endsWith("\r\none message\r\n");
      assertThat(handler.messages).isEmpty();
    }
  }

  /** postfix's queue log line for one recipient of message {@code id}. */
  private static Pattern outcome(
      String id, String to, String relay, String dsn, String status, String text) {
    return Pattern.compile(
        Pattern.quote(id + ": to=<" + to + ">, relay=" + relay + ", ")
            + "delay=[\\d.]+, delays=[\\d./]+, "
            + Pattern.quote("dsn=" + dsn + ", status=" + status + " (" + text + ")")
            + "$",
        Pattern.MULTILINE);
  }

  /** How postfix quotes a refusal after the final dot. */
  private static String said(String relay, String reply) {
    return "host "
        + relay.replaceFirst(":\\d+$", "")
        + " said: "
        + reply
        + " (in reply to end of DATA command)";
  }
}
