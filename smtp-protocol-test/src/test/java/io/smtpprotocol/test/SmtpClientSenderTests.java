package io.smtpprotocol.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.client.MailEnvelope;
import io.smtpprotocol.client.MessageContent;
import io.smtpprotocol.client.SendResult;
import io.smtpprotocol.client.SmtpClient;
import io.smtpprotocol.client.SmtpConnectionException;
import io.smtpprotocol.client.SmtpReplyException;
import io.smtpprotocol.client.TlsPolicy;
import io.smtpprotocol.tls.SslContexts;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The project's own SMTP client as the sender under test: each scripted fault as it sees it. */
class SmtpClientSenderTests {

  @RegisterExtension static SmtpTestServer smtp = SmtpTestServer.create();

  private SmtpClient client;

  @BeforeEach
  void client() throws Exception {
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(smtp.trustStore());
    client =
        SmtpClient.builder()
            .tlsPolicy(TlsPolicy.REQUIRED)
            .sslContext(SslContexts.forClient(trust, null))
            .build();
  }

  @AfterEach
  void close() {
    client.close();
  }

  private SendResult send(MailEnvelope envelope, String content) throws Exception {
    return client
        .send(smtp.host(), smtp.port(), envelope, MessageContent.of(content))
        .toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
  }

  private static String message(String subject) {
    return "From: ann@example.org\r\nTo: bob@example.com\r\nSubject: "
        + subject
        + "\r\n\r\nHi.\r\n";
  }

  @Test
  void messageArrivesOverStartTlsWithItsEnvelope() throws Exception {
    SendResult result =
        send(
            MailEnvelope.of("ann@example.org", "bob@example.com", "cy@example.com"), message("Hi"));
    assertThat(result.message().code()).isEqualTo(250);

    ReceivedMessage m = smtp.takeMessage(Duration.ofSeconds(5));
    assertThat(m.recipients()).containsExactly("bob@example.com", "cy@example.com");
    assertThat(m.subject()).isEqualTo("Hi");
    assertThat(m.tls()).as("delivered over STARTTLS").isPresent();
  }

  @Test
  void refusedRecipientIsPartOfTheResultAndTheOthersGetTheMessage() throws Exception {
    smtp.rejectRecipient("gone@example.com");
    SendResult result =
        send(
            MailEnvelope.of("ann@example.org", "gone@example.com", "bob@example.com"),
            message("Hi"));
    assertThat(result.refused())
        .singleElement()
        .satisfies(r -> assertThat(r.reply().code()).isEqualTo(550));
    assertThat(smtp.takeMessage(Duration.ofSeconds(5)).recipients())
        .containsExactly("bob@example.com");
  }

  @Test
  void transientReplyToTheMessageFailsTheSendAsTransient() throws Exception {
    smtp.replyToMessage(1, 451, "4.3.0", "Try again later");
    assertThatThrownBy(
            () -> send(MailEnvelope.of("ann@example.org", "bob@example.com"), message("1")))
        .cause()
        .isInstanceOfSatisfying(
            SmtpReplyException.class,
            e -> {
              assertThat(e.isTransient()).isTrue();
              assertThat(e.reply().code()).isEqualTo(451);
            });
    // the retry is the second message: accepted
    assertThat(
            send(MailEnvelope.of("ann@example.org", "bob@example.com"), message("2"))
                .message()
                .code())
        .isEqualTo(250);
    assertThat(smtp.takeMessage(Duration.ofSeconds(5)).subject()).isEqualTo("2");
    assertThat(smtp.messages()).hasSize(1);
  }

  @Test
  void connectionDroppedDuringDataIsAConnectionFailure() {
    smtp.dropConnectionDuringData(1);
    assertThatThrownBy(
            () -> send(MailEnvelope.of("ann@example.org", "bob@example.com"), message("x")))
        .cause()
        .isInstanceOf(SmtpConnectionException.class);
    assertThat(smtp.messages()).isEmpty();
  }

  @Test
  void refusedStartTlsFailsASenderThatRequiresTls() {
    smtp.refuseStartTls();
    assertThatThrownBy(
            () -> send(MailEnvelope.of("ann@example.org", "bob@example.com"), message("x")))
        .cause()
        .isInstanceOfSatisfying(
            SmtpReplyException.class, e -> assertThat(e.reply().code()).isEqualTo(454));
    assertThat(smtp.messages()).isEmpty();
  }
}
