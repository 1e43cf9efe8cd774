package io.smtpprotocol.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.AuthenticationFailedException;
import java.time.Duration;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AUTH for the server's users, seen from Jakarta Mail. */
class AuthTests {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @RegisterExtension
  static SmtpTestServer smtp = SmtpTestServer.builder().user("ann", "s3cret").build();

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "LOGIN"})
  void aUserAuthenticatesOverStartTls(String mechanism) throws Exception {
    Properties p = Senders.startTls(smtp);
    p.put("mail.smtp.auth.mechanisms", mechanism);

    Senders.send(p, "ann", "s3cret", "ann@example.org", "bob@example.com", "authenticated");

    ReceivedMessage m = smtp.takeMessage(WAIT);
    assertThat(m.authenticatedUser()).contains("ann");
    assertThat(m.isTls()).isTrue();
  }

  @Test
  void authWorksWithoutTlsOnTheLoopbackTestServer() throws Exception {
    Senders.send(
        Senders.plain(smtp), "ann", "s3cret", "ann@example.org", "bob@example.com", "plain auth");

    ReceivedMessage m = smtp.takeMessage(WAIT);
    assertThat(m.authenticatedUser()).contains("ann");
    assertThat(m.isTls()).isFalse();
  }

  @Test
  void aWrongPasswordFailsTheSender() {
    assertThatThrownBy(
            () ->
                Senders.send(
                    Senders.startTls(smtp),
                    "ann",
                    "wrong",
                    "ann@example.org",
                    "bob@example.com",
                    "x"))
        .isInstanceOf(AuthenticationFailedException.class)
        .hasMessageContaining("535");
    assertThat(smtp.messages()).isEmpty();
  }

  @Test
  void usersAddedDuringATestAreForgottenOnReset() throws Exception {
    smtp.addUser("carl", "pw");
    Senders.send(
        Senders.startTls(smtp), "carl", "pw", "carl@example.org", "bob@example.com", "carl");
    assertThat(smtp.takeMessage(WAIT).authenticatedUser()).contains("carl");

    smtp.reset();

    assertThatThrownBy(
            () ->
                Senders.send(
                    Senders.startTls(smtp),
                    "carl",
                    "pw",
                    "carl@example.org",
                    "bob@example.com",
                    "x"))
        .isInstanceOf(AuthenticationFailedException.class);
  }

  @Test
  void requireAuthRefusesMailFromAnUnauthenticatedSender() throws Exception {
    smtp.requireAuth();

    assertThatThrownBy(
            () ->
                Senders.send(
                    Senders.startTls(smtp), "a@example.org", "bob@example.com", "no auth", "x"))
        .isInstanceOfSatisfying(
            SMTPSendFailedException.class, e -> assertThat(e.getReturnCode()).isEqualTo(530))
        .hasMessageContaining("5.7.0 Authentication required");

    Senders.send(
        Senders.startTls(smtp), "ann", "s3cret", "ann@example.org", "bob@example.com", "with auth");
    assertThat(smtp.takeMessage(WAIT).subject()).isEqualTo("with auth");
  }

  @Test
  void authRequiredAtBuildHoldsForTheServersLife() throws Exception {
    try (SmtpTestServer strict =
        SmtpTestServer.builder().user("ann", "pw").authRequired(true).build().start()) {
      strict.reset();

      assertThatThrownBy(
              () ->
                  Senders.send(
                      Senders.startTls(strict), "a@example.org", "bob@example.com", "x", "x"))
          .isInstanceOfSatisfying(
              SMTPSendFailedException.class, e -> assertThat(e.getReturnCode()).isEqualTo(530));
    }
  }
}
