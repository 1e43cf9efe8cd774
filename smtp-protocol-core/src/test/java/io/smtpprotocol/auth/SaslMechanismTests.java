package io.smtpprotocol.auth;

import static io.smtpprotocol.auth.ScramSha256Tests.SESSION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Replies;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** PLAIN, LOGIN, CRAM-MD5 and XOAUTH2 exchanges without a server, with the RFCs' examples. */
class SaslMechanismTests {

  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final Authenticator authenticator =
      new Authenticator() {
        @Override
        public CompletionStage<AuthResult> password(
            SessionInfo session, String username, String password, String authorizationId) {
          calls.add(authorizationId + "|" + username + "|" + password);
          return (password.equals("tanstaaftanstaaf")
                  ? AuthResult.success(username)
                  : AuthResult.failure())
              .asStage();
        }

        @Override
        public CompletionStage<Optional<String>> clearTextPassword(
            SessionInfo session, String username) {
          return CompletableFuture.completedStage(
              username.equals("tim") ? Optional.of("tanstaaftanstaaf") : Optional.empty());
        }

        @Override
        public CompletionStage<AuthResult> token(
            SessionInfo session, String username, String token) {
          calls.add(username + "|" + token);
          return (token.equals("ya29.good") ? AuthResult.success(username) : AuthResult.failure())
              .asStage();
        }
      };

  private SaslExchange start(String mechanism) {
    return SaslMechanism.of(mechanism).orElseThrow().start(SESSION, authenticator, "mx.test");
  }

  private static SaslStep step(SaslExchange exchange, String response) {
    return exchange
        .respond(response == null ? null : response.getBytes(StandardCharsets.UTF_8))
        .toCompletableFuture()
        .join();
  }

  private static String challenge(SaslStep step) {
    assertThat(step).isInstanceOf(SaslStep.Challenge.class);
    return new String(((SaslStep.Challenge) step).data(), StandardCharsets.UTF_8);
  }

  @Test
  void plainRfc4616ExamplesReachTheAuthenticator() {
    assertThat(step(start("PLAIN"), "\0tim\0tanstaaftanstaaf")).isEqualTo(SaslStep.success("tim"));
    assertThat(step(start("plain"), "Ursel\0Kurt\0xipj3plmq")).isEqualTo(SaslStep.failure());
    assertThat(calls).containsExactly("|tim|tanstaaftanstaaf", "Ursel|Kurt|xipj3plmq");
  }

  @Test
  void plainWithoutInitialResponseSendsAnEmptyChallenge() {
    SaslExchange exchange = start("PLAIN");
    assertThat(challenge(step(exchange, null))).isEmpty();
    assertThat(step(exchange, "\0tim\0tanstaaftanstaaf")).isEqualTo(SaslStep.success("tim"));
  }

  @Test
  void plainWithoutTwoSeparatorsIsMalformed() {
    assertThat(step(start("PLAIN"), "tim\0tanstaaftanstaaf")).isEqualTo(SaslStep.malformed());
    assertThat(step(start("PLAIN"), "")).isEqualTo(SaslStep.malformed());
    assertThat(calls).isEmpty();
  }

  @Test
  void loginAsksForUserNameThenPassword() {
    SaslExchange exchange = start("LOGIN");
    assertThat(challenge(step(exchange, null))).isEqualTo("Username:");
    assertThat(challenge(step(exchange, "tim"))).isEqualTo("Password:");
    assertThat(step(exchange, "tanstaaftanstaaf")).isEqualTo(SaslStep.success("tim"));
  }

  @Test
  void loginTakesTheInitialResponseAsTheUserName() {
    SaslExchange exchange = start("LOGIN");
    assertThat(challenge(step(exchange, "tim"))).isEqualTo("Password:");
    assertThat(step(exchange, "wrong")).isEqualTo(SaslStep.failure());
    assertThat(calls).containsExactly("|tim|wrong");
  }

  @Test
  void cramMd5MatchesTheRfc2195Example() {
    byte[] digest =
        CramMd5Mechanism.hmacMd5(
            "tanstaaftanstaaf",
            "<1896.697170952@postoffice.reston.mci.net>".getBytes(StandardCharsets.US_ASCII));
    assertThat(HexFormat.of().formatHex(digest)).isEqualTo("b913a602c7eda7a495b4e6e7334d3890");
  }

  @Test
  void cramMd5ChecksTheDigestOfItsOwnChallenge() {
    SaslExchange exchange = start("CRAM-MD5");
    String sent = challenge(step(exchange, null));
    assertThat(sent).startsWith("<").endsWith("@mx.test>");
    String digest =
        HexFormat.of()
            .formatHex(
                CramMd5Mechanism.hmacMd5(
                    "tanstaaftanstaaf", sent.getBytes(StandardCharsets.US_ASCII)));
    assertThat(step(exchange, "tim " + digest)).isEqualTo(SaslStep.success("tim"));
  }

  @Test
  void cramMd5RefusesAReplayedDigestAndAnInitialResponse() {
    String replay = "tim b913a602c7eda7a495b4e6e7334d3890";
    SaslExchange exchange = start("CRAM-MD5");
    challenge(step(exchange, null));
    assertThat(step(exchange, replay)).isEqualTo(SaslStep.failure());
    assertThat(step(start("CRAM-MD5"), replay))
        .isEqualTo(SaslStep.failure(Replies.AUTH_INITIAL_RESPONSE_NOT_ALLOWED));
  }

  @Test
  void xoauth2PassesUserAndBearerToken() {
    assertThat(
            step(start("XOAUTH2"), "user=tim@example.com\u0001auth=Bearer ya29.good\u0001\u0001"))
        .isEqualTo(SaslStep.success("tim@example.com"));
    assertThat(calls).containsExactly("tim@example.com|ya29.good");
  }

  @Test
  void xoauth2RefusalSendsAJsonErrorChallengeThenFails() {
    SaslExchange exchange = start("XOAUTH2");
    String error =
        challenge(step(exchange, "user=tim@example.com\u0001auth=Bearer expired\u0001\u0001"));
    assertThat(error).contains("\"status\":\"401\"");
    assertThat(step(exchange, "")).isEqualTo(SaslStep.failure());
  }

  @Test
  void passwordDefaultsToCheckingTheScramCredential() {
    Authenticator users = Authenticator.ofPasswords(Map.of("alice", "wonderland"));
    assertThat(users.password(SESSION, "alice", "wonderland", "").toCompletableFuture().join())
        .isEqualTo(AuthResult.success("alice"));
    assertThat(users.password(SESSION, "alice", "wrong", "").toCompletableFuture().join())
        .isEqualTo(AuthResult.failure());
    assertThat(users.password(SESSION, "alice", "wonderland", "bob").toCompletableFuture().join())
        .isEqualTo(AuthResult.failure());
    assertThat(users.password(SESSION, "nobody", "x", "").toCompletableFuture().join())
        .isEqualTo(AuthResult.failure());
  }

  @Test
  void offeredMechanismsFollowWhatTheAuthenticatorImplements() {
    assertThat(settings(authenticator).offeredMechanisms())
        .containsExactly("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2");
    assertThat(settings(Authenticator.ofPasswords(Map.of("a", "b"))).offeredMechanisms())
        .containsExactly("SCRAM-SHA-256", "PLAIN", "LOGIN");
    assertThat(
            new AuthSettings(
                    authenticator,
                    List.of("login", "PLAIN"),
                    false,
                    false,
                    3,
                    java.time.Duration.ZERO)
                .offeredMechanisms())
        .containsExactly("LOGIN", "PLAIN");
    assertThatThrownBy(
            () ->
                new AuthSettings(
                    authenticator, List.of("DIGEST-MD5"), false, false, 3, java.time.Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DIGEST-MD5");
  }

  private static AuthSettings settings(Authenticator a) {
    return new AuthSettings(a, List.of(), false, false, 3, java.time.Duration.ZERO);
  }

  @Test
  void saslPrepMapsAndNormalizesLikeRfc4013() {
    assertThat(SaslPrep.prepare("I\u00ADX")).isEqualTo("IX");
    assertThat(SaslPrep.prepare("user")).isEqualTo("user");
    assertThat(SaslPrep.prepare("\u00AA")).isEqualTo("a");
    assertThat(SaslPrep.prepare("\u2168")).isEqualTo("IX");
    assertThat(SaslPrep.prepare("a\u00A0b")).isEqualTo("a b");
    assertThatThrownBy(() -> SaslPrep.prepare("\u0007"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
