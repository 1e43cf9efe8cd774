package io.smtpprotocol.test.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.test.ReceivedMessage;
import io.smtpprotocol.test.SmtpTestServer;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.mail.MailSendException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;

/** Spring Boot's auto-configured JavaMailSender against the annotation's server. */
@SpringBootTest(classes = JavaMailSenderTests.MailApp.class)
@AutoConfigureSmtpTestServer
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class JavaMailSenderTests {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class MailApp {}

  @Autowired JavaMailSender mailSender;
  @Autowired SmtpTestServer smtp;

  @Value("${spring.mail.port}")
  int mailPort;

  @Test
  @Order(1)
  void theMailSenderSendsToTheTestServer() throws Exception {
    SimpleMailMessage welcome = new SimpleMailMessage();
    welcome.setFrom("shop@example.org");
    welcome.setTo("ann@example.com");
    welcome.setSubject("Welcome");
    welcome.setText("Hello Ann");

    mailSender.send(welcome);

    ReceivedMessage m = smtp.takeMessage(WAIT);
    assertThat(m.recipients()).containsExactly("ann@example.com");
    assertThat(m.subject()).isEqualTo("Welcome");
    assertThat(m.text()).isEqualTo("Hello Ann");
    assertThat(mailPort).isEqualTo(smtp.port());
  }

  @Test
  @Order(2)
  void eachTestStartsWithAnEmptyServer() throws Exception {
    assertThat(smtp.messages()).isEmpty();

    var mime = mailSender.createMimeMessage();
    MimeMessageHelper helper = new MimeMessageHelper(mime, true, "UTF-8");
    helper.setFrom("shop@example.org");
    helper.setTo("ann@example.com");
    helper.setSubject("Ihre Bestellung");
    helper.setText("Danke!", "<p>Danke!</p>");
    mailSender.send(mime);

    ReceivedMessage m = smtp.takeMessage(WAIT);
    assertThat(m.number()).isEqualTo(1);
    assertThat(m.text()).isEqualTo("Danke!");
    assertThat(m.html()).isEqualTo("<p>Danke!</p>");
  }

  @Test
  @Order(3)
  void aScriptedRejectionSurfacesAsMailSendException() {
    smtp.rejectRecipient("gone@example.com");
    SimpleMailMessage m = new SimpleMailMessage();
    m.setFrom("shop@example.org");
    m.setTo("gone@example.com");
    m.setSubject("Hello");
    m.setText("x");

    assertThatThrownBy(() -> mailSender.send(m))
        .isInstanceOf(MailSendException.class)
        .hasMessageContaining("550 5.1.1 No such user");
  }
}
