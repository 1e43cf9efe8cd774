package io.smtpprotocol.test;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What two of GreenMail's documented examples check, written for this server: "testing your sending
 * code" (one text message, its subject) and the "advanced" example without a rule (a plain and a
 * two-part message sent from another thread, waited for, then read part by part). The third,
 * GreenMail's Spring Boot example, is {@code spring.GreenMailSpringBootEquivalentTests}.
 */
class GreenMailEquivalentTests {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @RegisterExtension static SmtpTestServer smtp = SmtpTestServer.create();

  @Test
  void sendingCodeDeliversATextMessage() throws Exception {
    Senders.send(Senders.plain(smtp), "from@example.org", "to@example.com", "subject", "body");

    ReceivedMessage m = smtp.takeMessage(WAIT);
    assertThat(m.subject()).isEqualTo("subject");
    assertThat(m.text()).isEqualTo("body");
  }

  @Test
  void aPlainAndATwoPartMessageSentInTheBackgroundArriveInOrder() throws Exception {
    String subject = UUID.randomUUID().toString();
    String body = UUID.randomUUID().toString();

    CompletableFuture<Void> sending =
        CompletableFuture.runAsync(
            () -> {
              try {
                Senders.send(
                    Senders.plain(smtp), "from@example.org", "to@example.com", subject, body);
                Session session = Session.getInstance(Senders.plain(smtp));
                MimeMultipart parts = new MimeMultipart();
                for (String text : List.of("first part", "second part")) {
                  MimeBodyPart part = new MimeBodyPart();
                  part.setContent(text, "text/plain");
                  parts.addBodyPart(part);
                }
                MimeMessage two =
                    Senders.message(
                        session, "from@example.org", "to@example.com", subject + " (2)", "");
                two.setContent(parts);
                Transport.send(two);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });

    List<ReceivedMessage> both = smtp.awaitMessages(2, WAIT);
    sending.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(both.get(0).subject()).isEqualTo(subject);
    assertThat(both.get(0).text()).isEqualTo(body);
    assertThat(both.get(1).subject()).isEqualTo(subject + " (2)");
    MimeMultipart received = (MimeMultipart) both.get(1).mimeMessage().getContent();
    assertThat(received.getCount()).isEqualTo(2);
    assertThat(received.getBodyPart(0).getContent()).isEqualTo("first part");
    assertThat(received.getBodyPart(1).getContent()).isEqualTo("second part");
    assertThat(both.get(1).text()).isEqualTo("first part");
  }
}
