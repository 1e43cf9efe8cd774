package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against postfix's smtp-sink, started by the test (skipped when postfix is missing).
 */
class SmtpSinkTests {

  /** Postfix's smtp-sink: on the PATH (or -Dtool.smtp-sink), else where Debian puts it. */
  private static final String SINK =
      Requirements.hasTool("smtp-sink")
          ? Requirements.tool("smtp-sink").toString()
          : "/usr/sbin/smtp-sink";

  @TempDir Path dir;
  @AutoClose private final Closer closing = new Closer();
  private SmtpClient client;

  @BeforeEach
  void client() {
    Requirements.require(Peer.installed(SINK), "postfix smtp-sink (" + SINK + ")");
    client = Servers.client().build();
    closing.add(client);
  }

  private Peer sink(String... options) throws IOException {
    // smtp-sink drops to nobody: let it reach the dump directory
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    Path dumps = Files.createDirectories(dir.resolve("dumps"));
    Files.setPosixFilePermissions(dumps, PosixFilePermissions.fromString("rwxrwxrwx"));
    int port = Peer.freePort();
    List<String> command = new ArrayList<>(List.of(SINK, "-u", "nobody", "-d", dumps + "/%H%M%S."));
    command.addAll(List.of(options));
    command.addAll(List.of("127.0.0.1:" + port, "32"));
    Peer peer = Peer.start(command, port, dir, null);
    closing.add(peer);
    return peer;
  }

  private List<String> dumps() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("dumps"))) {
      List<String> all = new ArrayList<>();
      for (Path f : files.toList()) {
        all.add(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1));
      }
      return all;
    }
  }

  @Test
  void pipelinedMessagesReachTheSink() throws Exception {
    Peer sink = sink();
    SmtpConnection c = join(client.connect("127.0.0.1", sink.port));
    join(c.prepare());
    assertThat(c.extensions().pipelining()).isTrue();

    for (int i = 0; i < 3; i++) {
      SendResult r =
          join(
              c.send(
                  MailEnvelope.of("sender@example.com", "one@example.org", "two@example.org"),
                  MessageContent.of("Subject: " + i + "\r\n\r\n.dot line " + i + "\r\n")));
      assertThat(r.accepted()).hasSize(2);
      assertThat(r.message().code()).isEqualTo(250);
    }
    join(c.quit());

    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dumps().size() == 3);
    assertThat(dumps())
        .allSatisfy(d -> assertThat(d).contains("sender@example.com").contains("two@example.org"))
        .anySatisfy(d -> assertThat(d).contains("\n.dot line 1").doesNotContain("..dot"));
  }

  @Test
  void manyConnectionsSendConcurrently() throws Exception {
    Peer sink = sink();
    List<CompletableFuture<SendResult>> sends = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sends.add(
          client
              .send(
                  "127.0.0.1",
                  sink.port,
                  MailEnvelope.of("s@example.com", "r" + i + "@example.org"),
                  MessageContent.of("m" + i))
              .toCompletableFuture());
    }
    for (CompletableFuture<SendResult> s : sends) {
      assertThat(join(s).message().code()).isEqualTo(250);
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> dumps().size() == 10);
  }

  @Test
  void withoutPipeliningTheClientWaitsForEachReply() throws Exception {
    Peer sink = sink("-p");
    SmtpConnection c = join(client.connect("127.0.0.1", sink.port));
    SendResult r =
        join(
            c.send(
                MailEnvelope.of("s@example.com", "a@example.org", "b@example.org"),
                MessageContent.of("x")));
    assertThat(c.extensions().pipelining()).isFalse();
    assertThat(r.accepted()).hasSize(2);
  }

  @Test
  void softRejectedRecipientIsATransientRefusal() throws Exception {
    Peer sink = sink("-r", "rcpt");
    SmtpConnection c = join(client.connect("127.0.0.1", sink.port));
    assertThatThrownBy(
            () ->
                join(
                    c.send(
                        MailEnvelope.of("s@example.com", "a@example.org"), MessageContent.of("x"))))
        .isInstanceOfSatisfying(
            SmtpReplyException.class,
            e -> {
              assertThat(e.command()).isEqualTo("RCPT");
              assertThat(e.isTransient()).isTrue();
            });
    // RSET followed the failed transaction; the session goes on
    Reply noop = join(c.noop());
    assertThat(noop.code()).isEqualTo(250);
  }

  @Test
  void sinkThatHangsUpAtDataFailsTheSend() throws Exception {
    Peer sink = sink("-q", "data");
    SmtpConnection c = join(client.connect("127.0.0.1", sink.port));
    assertThatThrownBy(
            () ->
                join(
                    c.send(
                        MailEnvelope.of("s@example.com", "a@example.org"), MessageContent.of("x"))))
        .isInstanceOf(SmtpConnectionException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void lmtpGivesOneReplyPerRecipient() throws Exception {
    Peer sink = sink("-L");
    SmtpClient lmtp = Servers.client().lmtp(true).build();
    closing.add(lmtp);
    SmtpConnection c = join(lmtp.connect("127.0.0.1", sink.port));
    SendResult r =
        join(
            c.send(
                MailEnvelope.of("s@example.com", "a@example.org", "b@example.org", "c@example.org"),
                MessageContent.of("x")));
    assertThat(r.recipients())
        .hasSize(3)
        .allSatisfy(rr -> assertThat(rr.reply().code()).isEqualTo(250));
    assertThat(r.message().code()).isEqualTo(250);
  }
}
