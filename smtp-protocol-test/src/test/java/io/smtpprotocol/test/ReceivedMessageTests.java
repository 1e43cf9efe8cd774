package io.smtpprotocol.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.activation.DataHandler;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a received message offers, sent by Jakarta Mail (Angus). */
class ReceivedMessageTests {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @RegisterExtension static SmtpTestServer smtp = SmtpTestServer.create();

  @Test
  void takeMessageReturnsEnvelopeAndDecodedHeaders() throws Exception {
    Session session = Session.getInstance(Senders.plain(smtp));
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress("shop@example.org", "Shop"));
    m.setRecipients(Message.RecipientType.TO, "ann@example.com, Bob <bob@example.com>");
    m.setRecipients(Message.RecipientType.CC, "carl@example.com");
    m.setSubject("Grüße aus Köln", "UTF-8");
    m.setText("Willkommen, Ann!", "UTF-8");
    Transport.send(m, InternetAddress.parse("ann@example.com, bob@example.com, dora@example.net"));

    ReceivedMessage r = smtp.takeMessage(WAIT);

    assertThat(r.number()).isEqualTo(1);
    assertThat(r.mailFrom()).isEqualTo("shop@example.org");
    assertThat(r.recipients())
        .containsExactly("ann@example.com", "bob@example.com", "dora@example.net");
    assertThat(r.subject()).isEqualTo("Grüße aus Köln");
    assertThat(r.header("Subject")).isEqualTo("Grüße aus Köln");
    assertThat(r.from()).isEqualTo("shop@example.org");
    assertThat(r.to()).containsExactly("ann@example.com", "bob@example.com");
    assertThat(r.cc()).containsExactly("carl@example.com");
    assertThat(r.text()).isEqualTo("Willkommen, Ann!");
    assertThat(r.html()).isNull();
    assertThat(r.attachments()).isEmpty();
    assertThat(r.parseError()).isEmpty();
    assertThat(r.helo()).isEqualTo("client.test");
    assertThat(r.isTls()).isFalse();
    assertThat(r.authenticatedUser()).isEmpty();
    assertThat(r.rawString()).contains("Subject: =?UTF-8?").endsWith("\r\n");
    assertThat(r.size()).isEqualTo(r.raw().length);
    assertThat(r.mimeMessage().getSubject()).isEqualTo("Grüße aus Köln");
  }

  @Test
  void textHtmlAndAttachmentsAreSeparated() throws Exception {
    Session session = Session.getInstance(Senders.plain(smtp));
    MimeMultipart alternative = new MimeMultipart("alternative");
    MimeBodyPart plain = new MimeBodyPart();
    plain.setText("Your invoice is attached.", "UTF-8");
    MimeBodyPart html = new MimeBodyPart();
    html.setContent("<p>Your invoice is <b>attached</b>.</p>", "text/html; charset=UTF-8");
    alternative.addBodyPart(plain);
    alternative.addBodyPart(html);
    MimeBodyPart body = new MimeBodyPart();
    body.setContent(alternative);

    byte[] pdf = new byte[3000];
    for (int i = 0; i < pdf.length; i++) {
      pdf[i] = (byte) i;
    }
    MimeBodyPart invoice = new MimeBodyPart();
    invoice.setDataHandler(new DataHandler(new ByteArrayDataSource(pdf, "application/pdf")));
    invoice.setFileName("Rechnung-März.pdf");
    MimeBodyPart notes = new MimeBodyPart();
    notes.setText("line one\r\nline two\r\n", "UTF-8");
    notes.setFileName("notes.txt");
    notes.setDisposition(MimeBodyPart.ATTACHMENT);

    MimeMultipart mixed = new MimeMultipart("mixed");
    mixed.addBodyPart(body);
    mixed.addBodyPart(invoice);
    mixed.addBodyPart(notes);
    MimeMessage m =
        Senders.message(session, "billing@example.org", "ann@example.com", "Invoice", "x");
    m.setContent(mixed);
    Transport.send(m);

    ReceivedMessage r = smtp.takeMessage(WAIT);

    assertThat(r.subject()).isEqualTo("Invoice");
    assertThat(r.text()).isEqualTo("Your invoice is attached.");
    assertThat(r.html()).isEqualTo("<p>Your invoice is <b>attached</b>.</p>");
    assertThat(r.attachments())
        .containsExactly(
            new ReceivedMessage.Attachment("Rechnung-März.pdf", "application/pdf", 3000),
            new ReceivedMessage.Attachment(
                "notes.txt",
                "text/plain",
                "line one\r\nline two\r\n".getBytes(StandardCharsets.UTF_8).length));
  }

  @Test
  void awaitMessagesWaitsForTheCountAndKeepsOrder() throws Exception {
    Thread sender =
        new Thread(
            () -> {
              try {
                for (int i = 1; i <= 3; i++) {
                  Senders.send(
                      Senders.plain(smtp), "a@example.org", "b@example.com", "n" + i, "body " + i);
                }
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    sender.start();

    List<ReceivedMessage> three = smtp.awaitMessages(3, WAIT);
    sender.join(WAIT.toMillis());

    assertThat(three).extracting(ReceivedMessage::subject).containsExactly("n1", "n2", "n3");
    assertThat(three).extracting(ReceivedMessage::number).containsExactly(1, 2, 3);
    assertThat(smtp.messages()).hasSize(3);
    assertThat(smtp.takeMessage(WAIT).subject()).isEqualTo("n1");
    assertThat(smtp.takeMessage(WAIT).subject()).isEqualTo("n2");
  }

  @Test
  void concurrentSendersEachGetTheirOwnNumber() throws Exception {
    List<CompletableFuture<Void>> senders = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      String from = "sender" + t + "@example.org";
      senders.add(
          CompletableFuture.runAsync(
              () -> {
                try {
                  for (int i = 0; i < 5; i++) {
                    Senders.send(Senders.plain(smtp), from, "b@example.com", from + " " + i, "x");
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }));
    }

    List<ReceivedMessage> all = smtp.awaitMessages(20, WAIT);
    CompletableFuture.allOf(senders.toArray(CompletableFuture[]::new))
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(all)
        .extracting(ReceivedMessage::number)
        .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, 20).boxed().toList());
    assertThat(all).extracting(ReceivedMessage::subject).doesNotHaveDuplicates();
    assertThat(smtp.messages()).hasSize(20);
  }

  @Test
  void internationalAddressesArriveOverSmtpUtf8() throws Exception {
    Properties p = Senders.plain(smtp);
    p.put("mail.mime.allowutf8", "true");

    Senders.send(p, "jürgen@bücher.example", "zoë@example.com", "Grüße", "Hallo Zoë");

    ReceivedMessage m = smtp.takeMessage(WAIT);
    assertThat(m.mailFrom()).isEqualTo("jürgen@bücher.example");
    assertThat(m.recipients()).containsExactly("zoë@example.com");
    assertThat(m.session().hello()).isNotNull();
    assertThat(m.from()).isEqualTo("jürgen@bücher.example");
    assertThat(m.text()).isEqualTo("Hallo Zoë");
  }

  @Test
  void takeMessageFailsTheTestWhenNothingArrives() {
    assertThatThrownBy(() -> smtp.takeMessage(Duration.ofMillis(100)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("no message arrived within PT0.1S");
  }

  @Test
  void awaitMessagesFailsWithTheCountSoFar() throws Exception {
    Senders.send(Senders.plain(smtp), "a@example.org", "b@example.com", "only one", "x");

    assertThatThrownBy(() -> smtp.awaitMessages(2, Duration.ofMillis(200)))
        .isInstanceOf(AssertionError.class)
        .hasMessage("expected 2 messages within PT0.2S, got 1");
  }

  @Test
  void resetForgetsMessagesAndRestartsTheCount() throws Exception {
    Senders.send(Senders.plain(smtp), "a@example.org", "b@example.com", "before", "x");
    smtp.awaitMessages(1, WAIT);

    smtp.reset();
    Senders.send(Senders.plain(smtp), "a@example.org", "b@example.com", "after", "x");

    ReceivedMessage r = smtp.takeMessage(WAIT);
    assertThat(r.subject()).isEqualTo("after");
    assertThat(r.number()).isEqualTo(1);
    assertThat(smtp.messages()).containsExactly(r);
  }

  @Test
  void contentThatIsNotMimeIsKeptRaw() throws Exception {
    String raw =
        "From: a@example.org\r\n"
            + "To: b@example.com\r\n"
            + "Subject: broken\r\n"
            + "Content-Type: multipart/mixed; boundary=\"never-used\"\r\n\r\n"
            + "no boundary anywhere\r\n";
    Session session = Session.getInstance(Senders.plain(smtp));
    MimeMessage m =
        new MimeMessage(session, new ByteArrayInputStream(raw.getBytes(StandardCharsets.US_ASCII)));
    try (Transport transport = session.getTransport("smtp")) {
      transport.connect();
      transport.sendMessage(m, m.getAllRecipients()); // as is: Transport.send would parse it first
    }

    ReceivedMessage r = smtp.takeMessage(WAIT);

    assertThat(r.rawString()).contains("no boundary anywhere");
    assertThat(r.subject()).isEqualTo("broken");
    assertThat(r.parseError()).hasValueSatisfying(e -> assertThat(e).contains("boundary"));
  }
}
