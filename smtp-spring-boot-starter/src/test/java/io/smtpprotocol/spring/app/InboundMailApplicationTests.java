package io.smtpprotocol.spring.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.smtpprotocol.spring.context.LocalSmtpServerPort;
import io.smtpprotocol.testing.RawClient;
import io.smtpprotocol.testing.Requirements;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.health.registry.HealthContributorRegistry;
import org.springframework.boot.test.context.SpringBootTest;

/** The whole starter in a Spring Boot application, driven by real SMTP clients. */
@SpringBootTest(
    properties = {
      "smtp.server.port=0",
      "smtp.server.address=127.0.0.1",
      "smtp.server.domain=mx.test"
    })
class InboundMailApplicationTests {

  @LocalSmtpServerPort int port;

  @Autowired Mailroom mailroom;

  @Autowired MeterRegistry meters;

  @Autowired HealthContributorRegistry health;

  @Test
  void jakartaMailDeliversAndIsToldOfRejects() throws Exception {
    double accepted = count("smtp.server.messages", "outcome", "accepted");
    double refusedSenders = commands("MAIL", "5xx");
    Session session = session();

    Transport.send(message(session, "alice@example.org", "inbox@example.com", "from jakarta"));
    assertThat(mailroom.take())
        .isEqualTo(
            new Mailroom.Stored("alice@example.org", "inbox@example.com", "from jakarta", "hello"));

    assertThatExceptionOfType(MessagingException.class)
        .isThrownBy(
            () -> Transport.send(message(session, "bob@spam.test", "inbox@example.com", "blocked")))
        .withStackTraceContaining("550 5.7.1 Sender blocked");
    assertThatExceptionOfType(MessagingException.class)
        .isThrownBy(
            () ->
                Transport.send(
                    message(session, "alice@example.org", "nobody@elsewhere.test", "astray")))
        .withStackTraceContaining("550 5.1.1 Recipient rejected");

    await()
        .untilAsserted(
            () -> {
              assertThat(count("smtp.server.messages", "outcome", "accepted"))
                  .isEqualTo(accepted + 1);
              assertThat(commands("MAIL", "5xx")).isEqualTo(refusedSenders + 1);
            });
  }

  @Test
  void pythonSmtplibDeliversAndIsToldOfRejects() throws Exception {
    double accepted = count("smtp.server.messages", "outcome", "accepted");
    String script =
        String.join(
            "\n",
            "import smtplib, sys",
            "from email.message import EmailMessage",
            "m = EmailMessage()",
            "m['From'] = 'py@example.org'",
            "m['To'] = 'inbox@example.com'",
            "m['Subject'] = 'from python'",
            "m.set_content('hello from smtplib')",
            "with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), 'python.test', timeout=10) as s:",
            "    s.send_message(m)",
            "    try:",
            "        s.sendmail('py@example.org', ['nobody@elsewhere.test'], 'Subject: x\\r\\n\\r\\ny')",
            "        print('NOT REFUSED')",
            "    except smtplib.SMTPRecipientsRefused as e:",
            "        print('REFUSED', e.recipients['nobody@elsewhere.test'][0])",
            "print('DONE')");
    String python3 = Requirements.tool("python3").toString();
    Process process =
        new ProcessBuilder(python3, "-c", script, Integer.toString(port))
            .redirectErrorStream(true)
            .start();
    try {
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.exitValue()).as(output).isZero();
      assertThat(output).contains("REFUSED 550").contains("DONE").doesNotContain("NOT REFUSED");
    } finally {
      process.destroyForcibly();
    }
    assertThat(mailroom.take())
        .isEqualTo(
            new Mailroom.Stored(
                "py@example.org", "inbox@example.com", "from python", "hello from smtplib"));
    await()
        .untilAsserted(
            () ->
                assertThat(count("smtp.server.messages", "outcome", "accepted"))
                    .isEqualTo(accepted + 1));
  }

  @Test
  void healthIsUpWithThePort() {
    Health smtp = ((HealthIndicator) health.getContributor("smtp")).health(true);
    assertThat(smtp.getStatus()).isEqualTo(Status.UP);
    assertThat(smtp.getDetails()).containsEntry("port", port).containsEntry("tls", "none");
  }

  @Test
  void activeSessionsAreGaugedAndCommandsCounted() throws Exception {
    double ehlo = commands("EHLO", "2xx");
    try (RawClient c = RawClient.afterEhlo(port)) {
      assertThat(meters.get("smtp.server.connections.active").gauge().value()).isEqualTo(1);
      assertThat(commands("EHLO", "2xx")).isEqualTo(ehlo + 1);
    }
    await()
        .untilAsserted(
            () ->
                assertThat(meters.get("smtp.server.connections.active").gauge().value()).isZero());
  }

  private Session session() {
    Properties properties = new Properties();
    properties.put("mail.smtp.host", "127.0.0.1");
    properties.put("mail.smtp.port", Integer.toString(port));
    properties.put("mail.smtp.localhost", "jakarta.test");
    properties.put("mail.smtp.connectiontimeout", "5000");
    properties.put("mail.smtp.timeout", "10000");
    return Session.getInstance(properties);
  }

  private static MimeMessage message(Session session, String from, String to, String subject)
      throws MessagingException {
    MimeMessage message = new MimeMessage(session);
    message.setFrom(new InternetAddress(from));
    message.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
    message.setSubject(subject);
    message.setText("hello");
    return message;
  }

  private double count(String name, String tag, String value) {
    RequiredSearch search = meters.get(name).tag(tag, value);
    return search.counter().count();
  }

  private double commands(String verb, String status) {
    var counter =
        meters.find("smtp.server.commands").tags("command", verb, "status", status).counter();
    return counter == null ? 0 : counter.count();
  }
}
