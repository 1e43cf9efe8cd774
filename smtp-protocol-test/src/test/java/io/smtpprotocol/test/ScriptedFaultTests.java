package io.smtpprotocol.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.handler.SmtpHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each scripted fault, observed from the sender's side (Jakarta Mail). */
class ScriptedFaultTests {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @RegisterExtension static SmtpTestServer smtp = SmtpTestServer.create();

  private static void send(String subject) throws MessagingException {
    Senders.send(Senders.plain(smtp), "a@example.org", "bob@example.com", subject, "x");
  }

  /** Jakarta Mail saw the connection end (an I/O error, or "[EOF]" with no reply code). */
  private static void connectionLostWithoutReply(Throwable e) {
    assertThat(e).isInstanceOf(MessagingException.class);
    if (e instanceof SMTPSendFailedException failed) {
      assertThat(failed.getReturnCode()).as("no SMTP reply was read").isEqualTo(-1);
      assertThat(failed.getMessage()).contains("[EOF]");
    } else {
      assertThat(e).hasRootCauseInstanceOf(IOException.class);
    }
  }

  @Test
  void aRejectedRecipientFailsTheSendWithTheScriptedReply() throws Exception {
    smtp.rejectRecipient("Bob@Example.com", 550, "5.1.1", "Bob moved away");

    assertThatThrownBy(() -> send("to bob"))
        .isInstanceOf(SendFailedException.class)
        .satisfies(
            e -> {
              SendFailedException failed = (SendFailedException) e;
              assertThat(failed.getInvalidAddresses())
                  .extracting(Object::toString)
                  .containsExactly("bob@example.com");
              assertThat(failed.getNextException())
                  .isInstanceOfSatisfying(
                      SMTPAddressFailedException.class,
                      a -> {
                        assertThat(a.getReturnCode()).isEqualTo(550);
                        assertThat(a.getMessage()).contains("5.1.1 Bob moved away");
                      });
            });
    assertThat(smtp.messages()).isEmpty();
  }

  @Test
  void withPartialSendTheOtherRecipientsStillGetTheMessage() throws Exception {
    smtp.rejectRecipient("bob@example.com");
    Properties p = Senders.plain(smtp);
    p.put("mail.smtp.sendpartial", "true");

    assertThatThrownBy(
            () ->
                Senders.send(
                    p, "a@example.org", "ann@example.com, bob@example.com", "partial", "x"))
        .isInstanceOf(SendFailedException.class);

    assertThat(smtp.takeMessage(WAIT).recipients()).containsExactly("ann@example.com");
  }

  @Test
  void theThirdMessageGetsA451AndTheOthersAreKept() throws Exception {
    smtp.replyToMessage(3, 451, "4.3.0", "Try again later");

    send("one");
    send("two");
    assertThatThrownBy(() -> send("three"))
        .isInstanceOfSatisfying(
            SMTPSendFailedException.class,
            e -> {
              assertThat(e.getReturnCode()).isEqualTo(451);
              assertThat(e.getMessage()).contains("4.3.0 Try again later");
            });
    send("three again");

    assertThat(smtp.messages())
        .extracting(ReceivedMessage::subject)
        .containsExactly("one", "two", "three again");
    assertThat(smtp.messages()).extracting(ReceivedMessage::number).containsExactly(1, 2, 4);
  }

  @Test
  void aPositiveScriptedReplyKeepsTheMessage() throws Exception {
    smtp.replyToMessage(1, 250, "2.0.0", "Queued as TEST123");

    send("queued");

    assertThat(smtp.takeMessage(WAIT).subject()).isEqualTo("queued");
  }

  @Test
  void aDroppedConnectionDuringDataFailsTheSenderAndKeepsNothing() throws Exception {
    smtp.dropConnectionDuringData(1);

    assertThatThrownBy(() -> send("lost"))
        .satisfies(ScriptedFaultTests::connectionLostWithoutReply);
    send("second try");

    assertThat(smtp.messages()).extracting(ReceivedMessage::subject).containsExactly("second try");
  }

  @Test
  void aDropInTheMiddleOfALargeMessageBreaksTheSendersWrite() throws Exception {
    smtp.dropConnectionDuringData(1);

    assertThatThrownBy(
            () ->
                Senders.send(
                    Senders.plain(smtp),
                    "a@example.org",
                    "bob@example.com",
                    "large",
                    "line of text\r\n".repeat(20_000)))
        .satisfies(ScriptedFaultTests::connectionLostWithoutReply);
    assertThat(smtp.messages()).isEmpty();
  }

  @Test
  void aDelayedReplyTripsTheSendersReadTimeout() throws Exception {
    smtp.delayReply(SmtpHandler.Event.MESSAGE, Duration.ofSeconds(2));
    Properties p = Senders.plain(smtp);
    p.put("mail.smtp.timeout", "300");

    assertThatThrownBy(() -> Senders.send(p, "a@example.org", "bob@example.com", "slow", "x"))
        .isInstanceOf(MessagingException.class)
        .hasRootCauseInstanceOf(SocketTimeoutException.class);
  }

  @Test
  void aDelayedGreetingIsWaitedForByAPatientSender() throws Exception {
    smtp.delayReply(SmtpHandler.Event.CONNECT, Duration.ofMillis(300));

    long start = System.nanoTime();
    send("patient");

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(smtp.takeMessage(WAIT).subject()).isEqualTo("patient");
  }

  @Test
  void aRefusedStartTlsFailsASenderThatRequiresIt() throws Exception {
    smtp.refuseStartTls();

    assertThatThrownBy(
            () ->
                Senders.send(Senders.startTls(smtp), "a@example.org", "bob@example.com", "s", "x"))
        .isInstanceOf(MessagingException.class)
        .hasMessageContaining("454");
    assertThat(smtp.messages()).isEmpty();
  }

  @Test
  void aFullStoreRefusesWith452UntilReset() throws Exception {
    try (SmtpTestServer small = SmtpTestServer.builder().maxMessages(2).build().start()) {
      Properties p = Senders.plain(small);
      Senders.send(p, "a@example.org", "b@example.com", "1", "x");
      Senders.send(p, "a@example.org", "b@example.com", "2", "x");

      assertThatThrownBy(() -> Senders.send(p, "a@example.org", "b@example.com", "3", "x"))
          .isInstanceOfSatisfying(
              SMTPSendFailedException.class, e -> assertThat(e.getReturnCode()).isEqualTo(452))
          .hasMessageContaining("4.3.1");
      assertThat(small.messages()).hasSize(2);

      small.reset();
      Senders.send(p, "a@example.org", "b@example.com", "4", "x");
      assertThat(small.takeMessage(WAIT).subject()).isEqualTo("4");
    }
  }

  @Test
  void retainedOctetsAreBoundedToo() throws Exception {
    try (SmtpTestServer small = SmtpTestServer.builder().maxRetainedSize(2000).build().start()) {
      Properties p = Senders.plain(small);
      Senders.send(p, "a@example.org", "b@example.com", "fits", "x".repeat(500));

      assertThatThrownBy(
              () -> Senders.send(p, "a@example.org", "b@example.com", "too much", "y".repeat(1500)))
          .isInstanceOfSatisfying(
              SMTPSendFailedException.class, e -> assertThat(e.getReturnCode()).isEqualTo(452));
      assertThat(small.messages()).extracting(ReceivedMessage::subject).containsExactly("fits");
    }
  }

  @Test
  void aMessageOverTheSizeLimitGets552() throws Exception {
    try (SmtpTestServer small = SmtpTestServer.builder().maxMessageSize(4096).build().start()) {
      assertThatThrownBy(
              () ->
                  Senders.send(
                      Senders.plain(small),
                      "a@example.org",
                      "b@example.com",
                      "big",
                      "z".repeat(8000)))
          .isInstanceOfSatisfying(
              SMTPSendFailedException.class, e -> assertThat(e.getReturnCode()).isEqualTo(552));
      assertThat(small.messages()).isEmpty();
    }
  }

  @Test
  void scriptsAreForgottenOnReset() throws Exception {
    smtp.rejectRecipient("bob@example.com").replyToMessage(1, 554, "5.7.1", "No").refuseStartTls();

    smtp.reset();
    Senders.send(Senders.startTls(smtp), "a@example.org", "bob@example.com", "clean", "x");

    assertThat(smtp.takeMessage(WAIT).isTls()).isTrue();
  }

  @Test
  void scriptArgumentsAreChecked() {
    assertThatThrownBy(() -> smtp.replyToMessage(0, 451, "4.3.0", "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("number");
    assertThatThrownBy(() -> smtp.rejectRecipient("a@example.com", 250, "2.0.0", "ok"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4xx or 5xx");
    assertThatThrownBy(() -> smtp.delayReply(SmtpHandler.Event.DATA, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> smtp.delayReply(SmtpHandler.Event.QUIT, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("QUIT");
  }
}
