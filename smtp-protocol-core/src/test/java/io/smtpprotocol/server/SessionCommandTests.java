package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Commands whose work is done by the session's collaborators, without a socket. */
class SessionCommandTests {

  private static String plain(String user, String password) {
    byte[] response = ("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8);
    return Base64.getEncoder().encodeToString(response);
  }

  private static SmtpServerBuilder withAuth() {
    return SessionPhaseTests.server()
        .authenticator(new TestAuthenticator())
        .allowInsecureAuth(true)
        .authFailureDelay(Duration.ofSeconds(1))
        .maxAuthFailures(2);
  }

  @Test
  void authPlainWithTheRightPasswordSucceeds() {
    try (SessionHarness s = new SessionHarness(withAuth())) {
      s.send("EHLO client.test\r\n");
      String line = "AUTH PLAIN " + plain(TestAuthenticator.USER, TestAuthenticator.PASSWORD);
      assertThat(s.send(line + "\r\n")).containsExactly("235");
      assertThat(s.session.info().authenticatedUser()).isEqualTo(TestAuthenticator.USER);
      assertThat(s.send("AUTH PLAIN\r\n")).containsExactly("503");
    }
  }

  @Test
  void wrongPasswordIsAnsweredLaterEachTimeAndTheLastFailureCloses() {
    try (SessionHarness s = new SessionHarness(withAuth())) {
      s.send("EHLO client.test\r\n");
      String wrong = "AUTH PLAIN " + plain(TestAuthenticator.USER, "guess") + "\r\n";
      assertThat(s.send(wrong)).isEmpty();
      assertThat(s.advance(1_000)).containsExactly("535");
      assertThat(s.send(wrong)).isEmpty();
      assertThat(s.advance(1_000)).isEmpty(); // the second failure waits twice as long
      assertThat(s.advance(1_000)).containsExactly("535", "421");
      assertThat(s.phase()).isEqualTo(Phase.CLOSED);
    }
  }

  @Test
  void authExchangeTakesItsResponsesAsLinesAndCanBeCancelled() {
    try (SessionHarness s = new SessionHarness(withAuth())) {
      s.send("EHLO client.test\r\n");
      assertThat(s.send("AUTH PLAIN\r\n")).containsExactly("334");
      assertThat(s.send("*\r\n")).containsExactly("501");
      assertThat(s.send("NOOP\r\n")).containsExactly("250");
    }
  }

  @Test
  void commandHookAnswersInsteadOfTheEngine() {
    RecordingHandler hooked =
        new RecordingHandler() {
          @Override
          public CompletionStage<Optional<Reply>> command(
              SessionInfo session, String verb, String argument) {
            Optional<Reply> reply =
                verb.equals("XCLIENT")
                    ? Optional.of(Reply.of(250, "2.0.0", "ok"))
                    : Optional.empty();
            return CompletableFuture.completedFuture(reply);
          }
        };
    try (SessionHarness s = new SessionHarness(SessionPhaseTests.server().handler(hooked))) {
      s.replies();
      assertThat(s.send("XCLIENT ADDR=192.0.2.1\r\nXYZZY\r\nNOOP\r\n"))
          .containsExactly("250", "500", "250");
    }
  }

  @Test
  void vrfyIsAnsweredByTheHandlerOr252() {
    RecordingHandler verifying =
        new RecordingHandler() {
          @Override
          public CompletionStage<Decision> verify(SessionInfo session, String argument) {
            return (argument.equals("alice") ? Decision.accept() : Decision.reject()).asStage();
          }
        };
    try (SessionHarness s = new SessionHarness(SessionPhaseTests.server())) {
      s.replies();
      assertThat(s.send("VRFY alice\r\n")).containsExactly("252");
    }
    try (SessionHarness s = new SessionHarness(SessionPhaseTests.server().handler(verifying))) {
      s.replies();
      assertThat(s.send("VRFY alice\r\nVRFY bob\r\n")).containsExactly("252", "550");
    }
  }
}
