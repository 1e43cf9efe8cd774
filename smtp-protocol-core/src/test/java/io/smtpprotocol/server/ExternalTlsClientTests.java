package io.smtpprotocol.server;

import static io.smtpprotocol.server.TestAuthenticator.PASSWORD;
import static io.smtpprotocol.server.TestAuthenticator.USER;
import static io.smtpprotocol.server.TestAuthenticator.plain;
import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.testing.Requirements;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.TlsMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * STARTTLS, implicit TLS and AUTH with real clients run as processes: {@code openssl s_client},
 * Python {@code smtplib} and {@code swaks}. Each verifies the server certificate against the test
 * CA. The server requires AUTH, so a delivered message proves the client authenticated.
 */
class ExternalTlsClientTests {

  private static final TestPki pki = TestPki.get();

  @TempDir Path dir;

  private static boolean swaksHasTls;

  @BeforeAll
  static void swaksSupport(@TempDir Path tmp) throws Exception {
    swaksHasTls =
        Requirements.hasTool("swaks")
            && ClientProcess.run(tmp, List.of("swaks", "--support"))
                .output()
                .contains("TLS supported");
  }

  private final RecordingHandler handler = new RecordingHandler();
  private final RecordingObserver observer = new RecordingObserver();
  @AutoClose private SmtpServer server;
  private Path caFile;

  @BeforeEach
  void writeCa() throws IOException {
    caFile = pki.caPem(dir);
  }

  private void start(TlsMode mode) {
    server = TestServers.startTlsWithAuth(handler, observer, mode, pki.serverContext());
  }

  private void assertDeliveredByAlice() throws InterruptedException {
    RecordingHandler.Received m = handler.takeMessage();
    assertThat(m.session().authenticatedUser()).isEqualTo(USER);
    assertThat(m.session().isTls()).isTrue();
  }

  // ---------------------------------------------------------------- openssl s_client

  private ClientProcess.Result openssl(boolean startTls, String... lines) throws Exception {
    Requirements.tool("openssl");
    Path input = dir.resolve("input.txt");
    Files.writeString(input, String.join("\n", lines) + "\n");
    String command =
        "openssl s_client -connect 127.0.0.1:"
            + server.port()
            + (startTls ? " -starttls smtp" : "")
            + " -CAfile "
            + caFile
            + " -verify_return_error -verify_ip 127.0.0.1"
            + " -brief -quiet -crlf < "
            + input;
    return ClientProcess.run(dir, List.of("sh", "-c", command));
  }

  @Test
  void opensslStartTlsVerifiesTheServerAndAuthenticates() throws Exception {
    start(TlsMode.STARTTLS);
    ClientProcess.Result run =
        openssl(
            true,
            "EHLO client.test",
            "AUTH PLAIN " + plain(PASSWORD),
            "MAIL FROM:<alice@example.com>",
            "RCPT TO:<bob@example.com>",
            "DATA",
            "Subject: s_client",
            "",
            "hello",
            ".",
            "QUIT");
    assertThat(run.output())
        .as(run.describe())
        .contains("Verification: OK")
        .contains("Protocol version: TLSv1.3")
        .contains("250 AUTH SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5 XOAUTH2")
        .contains("235 2.7.0 Authentication successful")
        .contains("250 2.0.0 Ok: message accepted")
        .contains("221 2.0.0 Bye");
    assertDeliveredByAlice();
  }

  @Test
  void opensslImplicitTlsGetsTheGreetingOverTls() throws Exception {
    start(TlsMode.IMPLICIT);
    ClientProcess.Result run = openssl(false, "EHLO client.test", "QUIT");
    assertThat(run.output())
        .as(run.describe())
        .contains("Verification: OK")
        .contains("220 mx.test ESMTP ready")
        .contains("250 AUTH SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5 XOAUTH2")
        .doesNotContain("STARTTLS")
        .contains("221 2.0.0 Bye");
    assertThat(observer.events).containsExactly("tls:true");
  }

  // ---------------------------------------------------------------- Python smtplib

  private ClientProcess.Result python(String... args) throws Exception {
    Requirements.tool("python3");
    Path script = ClientProcess.resource(dir, "smtplib_tls_client.py");
    List<String> command = new ArrayList<>(List.of("python3", script.toString()));
    command.addAll(List.of("--port", String.valueOf(server.port()), "--cafile", caFile.toString()));
    command.addAll(List.of(args));
    return ClientProcess.run(dir, command);
  }

  @Test
  void smtplibStartTlsAndLoginDeliverAsTheUser() throws Exception {
    start(TlsMode.STARTTLS);
    ClientProcess.Result run = python("--user", USER, "--password", PASSWORD);
    assertThat(run.lines())
        .as(run.describe())
        .contains("auth 235 2.7.0 Authentication successful", "result ok");
    assertThat(run.lines()).as(run.describe()).anyMatch(l -> l.startsWith("tls TLSv1.3 "));
    assertDeliveredByAlice();
    // smtplib's login() prefers CRAM-MD5 among what the server offers
    assertThat(observer.events).containsExactly("tls:true", "auth:CRAM-MD5:true");
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "LOGIN"})
  void smtplibAuthWithEachPasswordMechanism(String mechanism) throws Exception {
    start(TlsMode.STARTTLS);
    ClientProcess.Result run =
        python("--user", USER, "--password", PASSWORD, "--mechanism", mechanism);
    assertThat(run.lines())
        .as(run.describe())
        .contains("auth 235 2.7.0 Authentication successful", "result ok");
    assertDeliveredByAlice();
    assertThat(observer.events).containsExactly("tls:true", "auth:" + mechanism + ":true");
  }

  @Test
  void smtplibWrongPasswordGets535AndNoMessage() throws Exception {
    start(TlsMode.STARTTLS);
    ClientProcess.Result run =
        python("--user", USER, "--password", "wrong", "--mechanism", "PLAIN");
    assertThat(run.lines())
        .as(run.describe())
        .contains("error SMTPAuthenticationError 535 5.7.8 Authentication credentials invalid");
    assertThat(handler.messages).isEmpty();
  }

  @Test
  void smtplibWithoutAuthIsRefusedByAuthRequired() throws Exception {
    start(TlsMode.STARTTLS);
    ClientProcess.Result run = python();
    assertThat(run.lines())
        .as(run.describe())
        .contains("error SMTPSenderRefused 530 5.7.0 Authentication required");
  }

  @Test
  void smtplibOverImplicitTls() throws Exception {
    start(TlsMode.IMPLICIT);
    ClientProcess.Result run = python("--implicit", "--user", USER, "--password", PASSWORD);
    assertThat(run.lines()).as(run.describe()).contains("result ok");
    assertDeliveredByAlice();
  }

  // ---------------------------------------------------------------- swaks

  private ClientProcess.Result swaks(String... args) throws Exception {
    Requirements.tool("swaks");
    Requirements.require(swaksHasTls, "swaks with TLS (Perl Net::SSLeay)");
    List<String> command =
        new ArrayList<>(
            List.of(
                "swaks",
                "--server",
                "127.0.0.1",
                "--port",
                String.valueOf(server.port()),
                "--helo",
                "client.test",
                "--from",
                "alice@example.com",
                "--to",
                "bob@example.com",
                "--tls-verify",
                "--tls-ca-path",
                caFile.toString(),
                "--auth-user",
                USER,
                "--auth-password",
                PASSWORD,
                "--timeout",
                "10"));
    command.addAll(List.of(args));
    return ClientProcess.run(dir, command);
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "LOGIN", "CRAM-MD5"})
  void swaksStartTlsAndAuthDeliver(String mechanism) throws Exception {
    start(TlsMode.STARTTLS);
    ClientProcess.Result run = swaks("--tls", "--auth", mechanism);
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertThat(run.output()).as(run.describe()).contains("<~  235 2.7.0 Authentication successful");
    assertDeliveredByAlice();
    assertThat(observer.events).containsExactly("tls:true", "auth:" + mechanism + ":true");
  }

  @Test
  void swaksTlsOnConnect() throws Exception {
    start(TlsMode.IMPLICIT);
    ClientProcess.Result run = swaks("--tls-on-connect", "--auth", "PLAIN");
    assertThat(run.exitCode()).as(run.describe()).isZero();
    assertDeliveredByAlice();
  }
}
