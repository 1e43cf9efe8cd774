package io.smtpprotocol.auth;

import static io.smtpprotocol.auth.ScramSha256Tests.SESSION;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.smtpprotocol.handler.SessionInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Fuzz target for the built-in SASL mechanisms' parsing of client responses. The normal build
 * replays the seeds in {@code SaslFuzzTestsInputs}; {@code JAZZER_FUZZ=1 mvn test
 * -Dtest=SaslFuzzTests} fuzzes.
 *
 * <p>An input is a control octet and the client's responses separated by {@code 0xFF}: the low
 * three bits of the control octet choose the mechanism, and bit 3 sends the first response as the
 * AUTH command's initial response (else the exchange starts without one). Whatever the client
 * sends, every step completes without throwing, an exchange ends after a few challenges, and only
 * the right credentials succeed, as the one known user.
 */
class SaslFuzzTests {

  private static final String USER = "tim";
  private static final String PASSWORD = "tanstaaftanstaaf";
  private static final String TOKEN = "ya29.good";
  private static final ScramCredential CREDENTIAL =
      ScramCredential.derive(
          PASSWORD, Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ=="), 4096);

  private static final Authenticator AUTHENTICATOR =
      new Authenticator() {
        @Override
        public CompletionStage<AuthResult> password(
            SessionInfo session, String username, String password, String authorizationId) {
          // compared as text: deriving a SCRAM key for each guess would slow the fuzzer down
          boolean right =
              username.equals(USER)
                  && password.equals(PASSWORD)
                  && (authorizationId.isEmpty() || authorizationId.equals(USER));
          return (right ? AuthResult.success(username) : AuthResult.failure()).asStage();
        }

        @Override
        public CompletionStage<Optional<String>> clearTextPassword(
            SessionInfo session, String username) {
          return CompletableFuture.completedStage(
              username.equals(USER) ? Optional.of(PASSWORD) : Optional.empty());
        }

        @Override
        public CompletionStage<AuthResult> token(
            SessionInfo session, String username, String token) {
          return (username.equals(USER) && token.equals(TOKEN)
                  ? AuthResult.success(username)
                  : AuthResult.failure())
              .asStage();
        }

        @Override
        public CompletionStage<Optional<ScramCredential>> scramCredential(
            SessionInfo session, String username) {
          return CompletableFuture.completedStage(
              username.equals(USER) ? Optional.of(CREDENTIAL) : Optional.empty());
        }
      };

  /** More challenges than any built-in mechanism sends (LOGIN and SCRAM-SHA-256 send two). */
  private static final int MAX_CHALLENGES = 3;

  @FuzzTest(maxDuration = "10m")
  void exchangesEndAndOnlyTheRightCredentialsSucceed(byte[] input) {
    int control = input.length == 0 ? 0 : input[0] & 0xff;
    String mechanism = SaslMechanism.STANDARD.get((control & 7) % SaslMechanism.STANDARD.size());
    List<byte[]> responses = responses(input);
    SaslExchange exchange =
        SaslMechanism.of(mechanism).orElseThrow().start(SESSION, AUTHENTICATOR, "mx.test");

    int challenges = 0;
    SaslStep step = null;
    int next = 0;
    boolean initial = (control & 8) != 0;
    while (true) {
      byte[] response;
      if (step == null && !initial) {
        response = null;
      } else if (next < responses.size()) {
        response = responses.get(next++);
      } else {
        break; // the client has nothing more to say: the exchange stays open
      }
      CompletableFuture<SaslStep> reply = exchange.respond(response).toCompletableFuture();
      assertThat(reply)
          .as("%s answers at once with a synchronous authenticator", mechanism)
          .isDone();
      step = reply.join();
      assertThat(step).isNotNull();
      if (!(step instanceof SaslStep.Challenge)) {
        break;
      }
      challenges++;
      assertThat(challenges).as("%s challenges", mechanism).isLessThanOrEqualTo(MAX_CHALLENGES);
    }
    if (step instanceof SaslStep.Success success) {
      assertThat(success.identity()).isEqualTo(USER);
      assertThat(mechanism).isNotEqualTo("CRAM-MD5").isNotEqualTo("SCRAM-SHA-256");
    }
  }

  private static List<byte[]> responses(byte[] input) {
    List<byte[]> responses = new ArrayList<>();
    int from = 1;
    for (int i = 1; i <= input.length; i++) {
      if (i == input.length || input[i] == (byte) 0xff) {
        if (from <= input.length) {
          responses.add(Arrays.copyOfRange(input, Math.min(from, input.length), i));
        }
        from = i + 1;
      }
    }
    return responses;
  }
}
