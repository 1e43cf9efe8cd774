package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.testing.Requirements;
import io.smtpprotocol.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against Python's aiosmtpd with STARTTLS required and AUTH PLAIN/LOGIN (skipped when
 * python3 or aiosmtpd is missing).
 */
class AiosmtpdTests {

  /** The Python that has aiosmtpd: Debian's (python3-aiosmtpd), or -Dtool.aiosmtpd-python. */
  private static final String PYTHON =
      System.getProperty("tool.aiosmtpd-python", "/usr/bin/python3");

  @TempDir static Path dir;
  private static Peer server;
  private static Path out;
  private static final TestPki pki = TestPki.get();

  @BeforeAll
  static void start() throws Exception {
    Requirements.require(Peer.installed(PYTHON), "python3 (" + PYTHON + ")");
    Process probe = new ProcessBuilder(PYTHON, "-c", "import aiosmtpd").start();
    Requirements.require(probe.waitFor() == 0, "python3-aiosmtpd (for " + PYTHON + ")");
    Path script = dir.resolve("aiosmtpd_server.py");
    try (InputStream in = AiosmtpdTests.class.getResourceAsStream("/client/aiosmtpd_server.py")) {
      Files.copy(in, script);
    }
    Path cert = Files.writeString(dir.resolve("cert.pem"), pki.server.getCertificatePEM());
    Path key = Files.writeString(dir.resolve("key.pem"), pki.server.getPrivateKeyPEM());
    out = Files.createDirectories(dir.resolve("out"));
    int port = Peer.freePort();
    server =
        Peer.start(
            List.of(
                PYTHON,
                script.toString(),
                Integer.toString(port),
                cert.toString(),
                key.toString(),
                out.toString()),
            port,
            dir,
            "READY");
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static SmtpClient.Builder client() {
    return Servers.client().sslContext(pki.nettyClientContext()).tlsPolicy(TlsPolicy.REQUIRED);
  }

  private static String message(int n) throws IOException {
    Path file = out.resolve("message-" + n + ".txt");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file));
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private static int count() throws IOException {
    try (var files = Files.list(out)) {
      return (int) files.filter(f -> f.toString().endsWith(".txt")).count();
    }
  }

  @Test
  void sendsOverStartTlsWithAuthPlainAndLogin() throws Exception {
    for (String mechanism : List.of("PLAIN", "LOGIN")) {
      try (SmtpClient client =
          client().credentials(new Credentials("alice", "wonderland", mechanism)).build()) {
        SmtpConnection c = join(client.connect("localhost", server.port));
        SendResult r =
            join(
                c.send(
                    MailEnvelope.of("alice@example.com", "bob@example.org", "carol@example.org"),
                    MessageContent.of("Subject: via " + mechanism + "\r\n\r\n.hidden dot\r\n")));
        assertThat(c.isTls()).isTrue();
        assertThat(c.authenticatedUser()).contains("alice");
        assertThat(r.accepted()).hasSize(2);
        assertThat(r.message().text()).isEqualTo("kept");
        join(c.quit());
        int n = count();
        String kept = message(n);
        assertThat(kept)
            .contains("MAIL FROM alice@example.com\n")
            .contains("RCPT TO bob@example.org\nRCPT TO carol@example.org\n")
            .contains("TLS True\nAUTH True\n")
            .contains("Subject: via " + mechanism + "\r\n\r\n.hidden dot\r\n")
            .doesNotContain("..hidden");
      }
    }
  }

  @Test
  void wrongPasswordIsTheServersPermanentRefusal() {
    try (SmtpClient client = client().credentials(Credentials.of("alice", "wrong")).build()) {
      SmtpConnection c = join(client.connect("localhost", server.port));
      assertThatThrownBy(
              () ->
                  join(
                      c.send(
                          MailEnvelope.of("a@example.com", "b@example.org"),
                          MessageContent.of("x"))))
          .isInstanceOfSatisfying(
              SmtpReplyException.class,
              e -> {
                assertThat(e.command()).isEqualTo("AUTH");
                assertThat(e.reply().code()).isEqualTo(535);
              });
    }
  }

  @Test
  void withoutStartTlsTheServerRefusesAndTheClientSaysWhy() {
    try (SmtpClient client = Servers.client().tlsPolicy(TlsPolicy.NONE).build()) {
      SmtpConnection c = join(client.connect("localhost", server.port));
      assertThatThrownBy(
              () ->
                  join(
                      c.send(
                          MailEnvelope.of("a@example.com", "b@example.org"),
                          MessageContent.of("x"))))
          .isInstanceOfSatisfying(
              SmtpReplyException.class, e -> assertThat(e.reply().code()).isEqualTo(530));
    }
  }

  @Test
  void internationalAddressesWithSmtpUtf8() throws Exception {
    try (SmtpClient client = client().credentials(Credentials.of("alice", "wonderland")).build()) {
      SmtpConnection c = join(client.connect("localhost", server.port));
      join(
          c.send(
              MailEnvelope.of("alice@example.com", "jürgen@bücher.example"),
              MessageContent.of("Grüße\r\n")));
      assertThat(c.extensions().smtpUtf8()).isTrue();
      join(c.quit());
      assertThat(message(count())).contains("RCPT TO jürgen@bücher.example\n");
    }
  }
}
