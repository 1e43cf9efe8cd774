package io.smtpprotocol.test.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.test.ReceivedMessage;
import io.smtpprotocol.test.SmtpTestServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;

/**
 * What GreenMail's Spring Boot example checks, written for this server: the application's
 * JavaMailSender, configured with a user, sends a message that the test then reads. GreenMail's
 * example needs an extension with a user, SMTP host and credentials in {@code
 * application.properties}, and an IMAP session to read the message back; here the annotation sets
 * the properties and the message is read directly.
 */
@SpringBootTest(classes = GreenMailSpringBootEquivalentTests.MailApp.class)
@AutoConfigureSmtpTestServer(users = "foo:foo-pwd", authRequired = true)
class GreenMailSpringBootEquivalentTests {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class MailApp {}

  @Autowired JavaMailSender mailSender;
  @Autowired SmtpTestServer smtp;

  @Test
  void theConfiguredSenderAuthenticatesAndDelivers() throws Exception {
    SimpleMailMessage message = new SimpleMailMessage();
    message.setFrom("foo@example.org");
    message.setTo("foo@example.org");
    message.setSubject("Hello from Spring Boot");
    message.setText("I'm a test");

    mailSender.send(message);

    ReceivedMessage m = smtp.takeMessage(Duration.ofSeconds(5));
    assertThat(m.subject()).isEqualTo("Hello from Spring Boot");
    assertThat(m.text()).isEqualTo("I'm a test");
    assertThat(m.authenticatedUser()).contains("foo");
    assertThat(smtp.messages()).hasSize(1);
  }
}
