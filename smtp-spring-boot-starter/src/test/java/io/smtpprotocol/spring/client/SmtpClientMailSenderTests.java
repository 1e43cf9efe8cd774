package io.smtpprotocol.spring.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.spring.autoconfigure.SmtpClientAutoConfiguration;
import io.smtpprotocol.spring.autoconfigure.SmtpClientMailSenderAutoConfiguration;
import io.smtpprotocol.spring.autoconfigure.SmtpServerAutoConfiguration;
import io.smtpprotocol.spring.listener.SmtpEvent;
import io.smtpprotocol.spring.listener.SmtpListener;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.mail.autoconfigure.MailSenderAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.mail.MailSendException;
import org.springframework.mail.MailSender;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;

/** The JavaMailSender over the client, end to end into our own server bean in the same context. */
class SmtpClientMailSenderTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  SmtpClientAutoConfiguration.class,
                  SmtpClientMailSenderAutoConfiguration.class,
                  MailSenderAutoConfiguration.class));

  /** Keeps what the server receives. */
  static class Received {
    record Mail(Envelope envelope, String content) {}

    final BlockingQueue<Mail> mail = new LinkedBlockingQueue<>();

    @SmtpListener(SmtpEvent.MESSAGE)
    void message(Envelope envelope, InputStream body) throws IOException {
      mail.add(new Mail(envelope, new String(body.readAllBytes(), StandardCharsets.UTF_8)));
    }

    Mail take() throws InterruptedException {
      Mail m = mail.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("a message within 10 seconds").isNotNull();
      return m;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void mimeMessagesGoThroughThePoolIntoTheServerInTheSameContext() throws Exception {
    int port = freePort();
    runner
        .withConfiguration(AutoConfigurations.of(SmtpServerAutoConfiguration.class))
        .withBean(Received.class)
        .withPropertyValues(
            "smtp.server.address=127.0.0.1",
            "smtp.server.port=" + port,
            "smtp.server.domain=mx.test",
            "smtp.client.host=127.0.0.1",
            "smtp.client.port=" + port)
        .run(
            context -> {
              JavaMailSender sender = context.getBean(JavaMailSender.class);
              assertThat(sender).isInstanceOf(SmtpClientMailSender.class);
              Received received = context.getBean(Received.class);

              MimeMessage message = sender.createMimeMessage();
              MimeMessageHelper helper = new MimeMessageHelper(message, false, "UTF-8");
              helper.setFrom("app@example.com");
              helper.setTo("bob@example.org");
              helper.setCc("carol@example.org");
              helper.setBcc("hidden@example.org");
              helper.setSubject("Grüße");
              helper.setText("Hello Bob.\n.a line with a leading dot\n");
              sender.send(message);

              Received.Mail mail = received.take();
              assertThat(mail.envelope().from().address()).isEqualTo("app@example.com");
              assertThat(mail.envelope().mailboxes())
                  .extracting(Mailbox::address)
                  .containsExactlyInAnyOrder(
                      "bob@example.org", "carol@example.org", "hidden@example.org");
              assertThat(mail.content())
                  .contains("To: bob@example.org\r\n")
                  .contains("Cc: carol@example.org\r\n")
                  .doesNotContain("hidden@example.org")
                  .contains("Message-ID: ")
                  .contains("\r\n.a line with a leading dot\r\n");
              MimeMessage parsed =
                  sender.createMimeMessage(
                      new java.io.ByteArrayInputStream(
                          mail.content().getBytes(StandardCharsets.UTF_8)));
              assertThat(parsed.getSubject()).isEqualTo("Grüße");
              assertThat(parsed.getRecipients(Message.RecipientType.BCC)).isNull();

              SimpleMailMessage simple = new SimpleMailMessage();
              simple.setFrom("app@example.com");
              simple.setTo("dave@example.org");
              simple.setSubject("simple");
              simple.setText("plain text");
              sender.send(simple);
              Received.Mail second = received.take();
              assertThat(second.envelope().mailboxes())
                  .extracting(Mailbox::address)
                  .containsExactly("dave@example.org");
              assertThat(second.content()).contains("Subject: simple\r\n").contains("plain text");
            });
  }

  @Test
  void failureIsASpringMailSendException() throws Exception {
    int closedPort = freePort();
    runner
        .withPropertyValues(
            "smtp.client.host=127.0.0.1",
            "smtp.client.port=" + closedPort,
            "smtp.client.connect-timeout=2s")
        .run(
            context -> {
              SimpleMailMessage simple = new SimpleMailMessage();
              simple.setFrom("app@example.com");
              simple.setTo("dave@example.org");
              simple.setText("x");
              assertThatThrownBy(() -> context.getBean(JavaMailSender.class).send(simple))
                  .isInstanceOf(MailSendException.class);
            });
  }

  @Test
  void springBootsOwnMailSenderBacksOffForTheClients() {
    runner
        .withPropertyValues(
            "spring.mail.host=smtp.example.com", "smtp.client.host=smtp.example.com")
        .run(
            context ->
                assertThat(context)
                    .getBeans(MailSender.class)
                    .hasSize(1)
                    .allSatisfy(
                        (name, bean) -> assertThat(bean).isInstanceOf(SmtpClientMailSender.class)));
  }

  @Test
  void propertyLeavesSpringBootsMailSenderInPlace() {
    runner
        .withPropertyValues(
            "spring.mail.host=smtp.example.com",
            "smtp.client.host=smtp.example.com",
            "smtp.client.mail-sender.enabled=false")
        .run(
            context ->
                assertThat(context)
                    .getBeans(MailSender.class)
                    .hasSize(1)
                    .allSatisfy(
                        (name, bean) -> assertThat(bean).isInstanceOf(JavaMailSenderImpl.class)));
  }

  @Test
  void noSenderWithoutAHostOrWhenTheApplicationHasOne() {
    runner.run(context -> assertThat(context).doesNotHaveBean(MailSender.class));
    runner
        .withPropertyValues("smtp.client.host=smtp.example.com")
        .withBean(JavaMailSenderImpl.class)
        .run(context -> assertThat(context).doesNotHaveBean(SmtpClientMailSender.class));
  }
}
