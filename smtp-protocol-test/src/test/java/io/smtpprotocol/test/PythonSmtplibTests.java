package io.smtpprotocol.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.testing.Requirements;
import io.smtpprotocol.tls.TlsMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Python's smtplib as the sender: TLS, AUTH, and the scripted faults as smtplib reports them. */
class PythonSmtplibTests {

  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration PROCESS_TIMEOUT = Duration.ofSeconds(30);

  @RegisterExtension
  static SmtpTestServer smtp = SmtpTestServer.builder().user("alice", "pa55").build();

  @TempDir static Path dir;
  static Path script;
  static Path cafile;

  @BeforeAll
  static void files() throws IOException {
    Requirements.tool("python3");
    try (InputStream in = PythonSmtplibTests.class.getResourceAsStream("/smtplib_sender.py")) {
      script = dir.resolve("smtplib_sender.py");
      Files.copy(in, script);
    }
    cafile = Files.writeString(dir.resolve("ca.pem"), smtp.trustedCertificatePem());
  }

  @Test
  void startTlsAndLoginAreRecordedOnTheMessage() throws Exception {
    List<String> out =
        run(
            "--mode",
            "starttls",
            "--cafile",
            cafile.toString(),
            "--user",
            "alice",
            "--password",
            "pa55");

    assertThat(out)
        .hasSize(2)
        .contains("sent")
        .anySatisfy(l -> assertThat(l).startsWith("tls TLSv1."));
    ReceivedMessage m = smtp.takeMessage(WAIT);
    assertThat(m.isTls()).isTrue();
    assertThat(m.authenticatedUser()).contains("alice");
    assertThat(m.helo()).isEqualTo("py.test");
    assertThat(m.subject()).isEqualTo("from smtplib");
    assertThat(m.text()).isEqualTo("Hello from Python.");
  }

  @Test
  void implicitTlsWorksWithSmtpSsl() throws Exception {
    try (SmtpTestServer smtps = SmtpTestServer.builder().tls(TlsMode.IMPLICIT).build().start()) {
      Path ca = Files.writeString(dir.resolve("smtps-ca.pem"), smtps.trustedCertificatePem());

      List<String> out = run(smtps, "--mode", "implicit", "--cafile", ca.toString());

      assertThat(out).hasSize(2).contains("sent");
      assertThat(smtps.takeMessage(WAIT).isTls()).isTrue();
    }
  }

  @Test
  void aScripted451IsAnSmtpDataError() throws Exception {
    smtp.replyToMessage(1, 451, "4.3.0", "Try again later");

    assertThat(run()).containsExactly("error SMTPDataError 451 4.3.0 Try again later");
    assertThat(smtp.messages()).isEmpty();
  }

  @Test
  void aRejectedRecipientIsRefused() throws Exception {
    smtp.rejectRecipient("bob@example.com");

    assertThat(run()).containsExactly("error SMTPRecipientsRefused 550 5.1.1 No such user");
  }

  @Test
  void aDroppedConnectionIsServerDisconnected() throws Exception {
    smtp.dropConnectionDuringData(1);

    assertThat(run()).singleElement().asString().startsWith("error SMTPServerDisconnected");
    assertThat(smtp.messages()).isEmpty();
  }

  @Test
  void aRefusedStartTlsIsAResponseError() throws Exception {
    smtp.refuseStartTls();

    assertThat(run("--mode", "starttls", "--cafile", cafile.toString()))
        .containsExactly("error SMTPResponseException 454 4.7.0 TLS not available");
  }

  @Test
  void aWrongPasswordIsAnAuthenticationError() throws Exception {
    // smtplib tries CRAM-MD5, PLAIN and LOGIN in turn; each gets 535
    assertThat(
            run(
                "--mode",
                "starttls",
                "--cafile",
                cafile.toString(),
                "--user",
                "alice",
                "--password",
                "nope"))
        .filteredOn(l -> l.startsWith("error"))
        .singleElement()
        .asString()
        .startsWith("error SMTPAuthenticationError 535");
  }

  private static List<String> run(String... args) throws Exception {
    return run(smtp, args);
  }

  private static List<String> run(SmtpTestServer server, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of("python3", script.toString(), "--port", String.valueOf(server.port())));
    command.addAll(List.of(args));
    Path output = Files.createTempFile(dir, "smtplib", ".out");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
    process.getOutputStream().close();
    if (!process.waitFor(PROCESS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      throw new AssertionError(
          "smtplib did not finish within " + PROCESS_TIMEOUT + ": " + Files.readString(output));
    }
    List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(String.join("\n", lines)).isZero();
    return lines;
  }
}
