package io.smtpprotocol.demo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * STARTTLS with the dev certificate and AUTH with the demo users, through swaks, curl and Jakarta
 * Mail.
 */
@ExtendWith(SharedDemoApp.class)
class TlsAndAuthIT {

  @TempDir Path dir;

  private final JsonMapper json = JsonMapper.builder().build();

  /** The stored message with this subject. */
  private JsonNode message(DemoApp app, String subject) throws IOException {
    JsonNode list = json.readTree(app.get("/api/messages").body());
    return list.valueStream()
        .filter(m -> m.get("subject").asString().equals(subject))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no message with subject " + subject + " in " + list));
  }

  private static String subject(String client) {
    return client + " " + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void afterStartTlsEhloOffersAuthPlainLoginAndNoLongerStartTls(DemoApp app) throws IOException {
    Tools.assumeInstalled("python3");

    Tools.Result result =
        Tools.python(
            """
            import smtplib, ssl, sys
            s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
            s.ehlo("client.example.org")
            print("STARTTLS", s.starttls(context=ssl._create_unverified_context())[0])
            code, ehlo = s.ehlo("client.example.org")
            print("EHLO", code)
            print(ehlo.decode())
            s.quit()
            """,
            "" + app.smtpPort());

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output().lines())
        .contains("STARTTLS 220", "EHLO 250", "AUTH PLAIN LOGIN", "SIZE 10485760", "8BITMIME")
        .doesNotContain("STARTTLS");
  }

  @Test
  void swaksSendsOverStartTlsWithAuthPlain(DemoApp app) throws IOException {
    Tools.assumeInstalled("swaks");
    String subject = subject("swaks");

    Tools.Result result =
        Tools.run(
            List.of(
                "swaks",
                "--server",
                "127.0.0.1:" + app.smtpPort(),
                "--tls",
                "--auth",
                "PLAIN",
                "--auth-user",
                "demo",
                "--auth-password",
                "demo",
                "--from",
                "alice@example.org",
                "--to",
                "bob@example.com",
                "--header",
                "Subject: " + subject,
                "--timeout",
                "30"));

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("<~  235 ").contains("<~  250 2.0.0 Ok: stored as");
    JsonNode stored = message(app, subject);
    assertThat(stored.get("tls").asBoolean()).isTrue();
    assertThat(stored.get("authenticatedUser").asString()).isEqualTo("demo");
  }

  @Test
  void swaksWithAWrongPasswordGets535(DemoApp app) throws IOException {
    Tools.assumeInstalled("swaks");

    Tools.Result result =
        Tools.run(
            List.of(
                "swaks",
                "--server",
                "127.0.0.1:" + app.smtpPort(),
                "--tls",
                "--auth",
                "LOGIN",
                "--auth-user",
                "demo",
                "--auth-password",
                "wrong",
                "--from",
                "alice@example.org",
                "--to",
                "bob@example.com",
                "--timeout",
                "30"));

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).containsPattern("<~\\* +535 5\\.7\\.8");
  }

  @Test
  void authIsNotOfferedBeforeTls(DemoApp app) throws IOException {
    Tools.assumeInstalled("swaks");

    Tools.Result result =
        Tools.run(
            List.of(
                "swaks",
                "--server",
                "127.0.0.1:" + app.smtpPort(),
                "--auth",
                "PLAIN",
                "--auth-user",
                "demo",
                "--auth-password",
                "demo",
                "--from",
                "alice@example.org",
                "--to",
                "bob@example.com",
                "--timeout",
                "30"));

    assertThat(result.exitCode()).isNotZero();
    assertThat(result.output()).contains("Host did not advertise authentication");
  }

  @Test
  void curlSendsOverStartTlsWithAuth(DemoApp app) throws IOException {
    Tools.assumeInstalled("curl");
    String subject = subject("curl");
    Path mail =
        Files.writeString(
            dir.resolve("curl.eml"),
            "From: alice@example.org\r\nTo: bob@example.com\r\nSubject: "
                + subject
                + "\r\n\r\nvia curl\r\n");

    Tools.Result result =
        Tools.run(
            List.of(
                "curl",
                "-sS",
                "--ssl-reqd",
                "--insecure",
                "--user",
                "demo:demo",
                "--url",
                "smtp://127.0.0.1:" + app.smtpPort(),
                "--mail-from",
                "alice@example.org",
                "--mail-rcpt",
                "bob@example.com",
                "--upload-file",
                mail.toString()));

    assertThat(result.exitCode()).as(result.output()).isZero();
    JsonNode stored = message(app, subject);
    assertThat(stored.get("tls").asBoolean()).isTrue();
    assertThat(stored.get("authenticatedUser").asString()).isEqualTo("demo");
    assertThat(app.getBytes("/api/messages/" + stored.get("id").asString() + "/raw").body())
        .isEqualTo(Files.readAllBytes(mail));
  }

  private static Session jakartaSession(DemoApp app, String user, String password) {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", "" + app.smtpPort());
    p.put("mail.smtp.starttls.enable", "true");
    p.put("mail.smtp.starttls.required", "true");
    p.put("mail.smtp.ssl.trust", "*");
    p.put("mail.smtp.auth", "true");
    p.put("mail.smtp.connectiontimeout", "10000");
    p.put("mail.smtp.timeout", "10000");
    return Session.getInstance(
        p,
        new jakarta.mail.Authenticator() {
          @Override
          protected jakarta.mail.PasswordAuthentication getPasswordAuthentication() {
            return new jakarta.mail.PasswordAuthentication(user, password);
          }
        });
  }

  @Test
  void jakartaMailSendsOverStartTlsWithAuth(DemoApp app) throws Exception {
    String subject = subject("jakarta \u00e9t\u00e9");
    MimeMessage mail = new MimeMessage(jakartaSession(app, "demo", "demo"));
    mail.setFrom(new InternetAddress("alice@example.org"));
    mail.setRecipients(Message.RecipientType.TO, "bob@example.com, carol@localhost");
    mail.setSubject(subject, "UTF-8");
    mail.setText("sent by Jakarta Mail", "UTF-8");

    Transport.send(mail);

    JsonNode stored = message(app, subject);
    assertThat(stored.get("tls").asBoolean()).isTrue();
    assertThat(stored.get("authenticatedUser").asString()).isEqualTo("demo");
    assertThat(stored.get("recipients").valueStream().map(JsonNode::asString))
        .containsExactly("bob@example.com", "carol@localhost");
    JsonNode content =
        json.readTree(app.get("/api/messages/" + stored.get("id").asString() + "/content").body());
    assertThat(content.get("text").asString()).isEqualToIgnoringNewLines("sent by Jakarta Mail");
  }

  @Test
  void jakartaMailWithAWrongPasswordFailsAuthentication(DemoApp app) {
    MimeMessage mail = new MimeMessage(jakartaSession(app, "demo", "nope"));

    assertThatExceptionOfType(AuthenticationFailedException.class)
        .isThrownBy(
            () -> {
              mail.setFrom(new InternetAddress("alice@example.org"));
              mail.setRecipients(Message.RecipientType.TO, "bob@example.com");
              mail.setText("x");
              Transport.send(mail);
            });
  }

  @Test
  void startTlsPresentsTheMarkedDevelopmentCertificate(DemoApp app) throws IOException {
    Tools.assumeInstalled("openssl");

    Tools.Result result =
        Tools.run(
            List.of(
                "openssl",
                "s_client",
                "-starttls",
                "smtp",
                "-connect",
                "127.0.0.1:" + app.smtpPort(),
                "-servername",
                "localhost"),
            Map.of(),
            "QUIT\r\n".getBytes(StandardCharsets.US_ASCII));

    assertThat(result.output()).contains("DEVELOPMENT ONLY - NOT FOR PRODUCTION");
    assertThat(result.output()).containsPattern("(Protocol *: *|New, )TLSv1\\.[23]");
  }
}
