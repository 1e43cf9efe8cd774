package io.smtpprotocol.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.handler.SessionInfo;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** SCRAM-SHA-256 against the test vector of RFC 7677 section 3. */
class ScramSha256Tests {

  private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
  private static final String CLIENT_FIRST = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
  private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  private static final String SERVER_FIRST =
      "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
  private static final String CLIENT_FINAL =
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
          + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
  private static final String SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

  static final SessionInfo SESSION =
      new SessionInfo(
          "t", new InetSocketAddress(0), new InetSocketAddress(0), Instant.now(), null, null, null);

  private final ScramCredential pencil = ScramCredential.derive("pencil", SALT, 4096);
  private final Authenticator authenticator =
      new Authenticator() {
        @Override
        public CompletionStage<Optional<ScramCredential>> scramCredential(
            SessionInfo s, String user) {
          return CompletableFuture.completedStage(
              user.equals("user") ? Optional.of(pencil) : Optional.empty());
        }
      };

  private SaslExchange exchange() {
    return new ScramSha256Mechanism(() -> SERVER_NONCE).start(SESSION, authenticator, "mx.test");
  }

  private static SaslStep step(SaslExchange exchange, String response) {
    return exchange.respond(response.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join();
  }

  private static String challenge(SaslStep step) {
    assertThat(step).isInstanceOf(SaslStep.Challenge.class);
    return new String(((SaslStep.Challenge) step).data(), StandardCharsets.UTF_8);
  }

  @Test
  void rfc7677ExchangeSucceedsAndTheServerProvesItself() {
    SaslExchange exchange = exchange();
    assertThat(challenge(step(exchange, CLIENT_FIRST))).isEqualTo(SERVER_FIRST);
    assertThat(challenge(step(exchange, CLIENT_FINAL))).isEqualTo(SERVER_FINAL);
    assertThat(step(exchange, "")).isEqualTo(SaslStep.success("user"));
  }

  @Test
  void wrongProofFails() {
    SaslExchange exchange = exchange();
    challenge(step(exchange, CLIENT_FIRST));
    String forged =
        CLIENT_FINAL.substring(0, CLIENT_FINAL.indexOf(",p=") + 3)
            + Base64.getEncoder().encodeToString(new byte[32]);
    assertThat(step(exchange, forged)).isEqualTo(SaslStep.failure());
  }

  @Test
  void anotherNonceInTheFinalMessageFails() {
    SaslExchange exchange = exchange();
    challenge(step(exchange, CLIENT_FIRST));
    assertThat(step(exchange, CLIENT_FINAL.replace("k0,p=", "k1,p=")))
        .isEqualTo(SaslStep.failure());
  }

  @Test
  void channelBindingIsNotOffered() {
    assertThat(step(exchange(), "p=tls-unique,,n=user,r=abc")).isEqualTo(SaslStep.failure());
  }

  @Test
  void mismatchedGs2HeaderInTheFinalMessageFails() {
    SaslExchange exchange = exchange();
    challenge(step(exchange, CLIENT_FIRST));
    // c=eSws is "y,,": the client claims another header than it sent
    assertThat(step(exchange, CLIENT_FINAL.replace("c=biws", "c=eSws")))
        .isEqualTo(SaslStep.failure());
  }

  @Test
  void unknownUserGetsAStableDecoySaltAndThenFails() {
    ScramSha256Mechanism mechanism = new ScramSha256Mechanism(() -> SERVER_NONCE);
    String first =
        challenge(step(mechanism.start(SESSION, authenticator, "mx"), "n,,n=nobody,r=abc"));
    String again =
        challenge(step(mechanism.start(SESSION, authenticator, "mx"), "n,,n=nobody,r=abc"));
    assertThat(first)
        .startsWith("r=abc" + SERVER_NONCE + ",s=")
        .endsWith(",i=4096")
        .isEqualTo(again);
    SaslExchange exchange = mechanism.start(SESSION, authenticator, "mx");
    challenge(step(exchange, "n,,n=nobody,r=abc"));
    String finalMessage =
        "c=biws,r=abc" + SERVER_NONCE + ",p=" + Base64.getEncoder().encodeToString(new byte[32]);
    assertThat(step(exchange, finalMessage)).isEqualTo(SaslStep.failure());
  }

  @Test
  void malformedClientFirstMessagesAreRefused() {
    assertThat(step(exchange(), "n,,r=abc")).isEqualTo(SaslStep.malformed());
    assertThat(step(exchange(), "x,,n=user,r=abc")).isEqualTo(SaslStep.malformed());
    assertThat(step(exchange(), "n,,m=ext,n=user,r=abc")).isEqualTo(SaslStep.malformed());
    assertThat(step(exchange(), "n,,n=us=5Aer,r=abc")).isEqualTo(SaslStep.malformed());
  }

  @Test
  void authorizationIdentityOtherThanTheUserFails() {
    assertThat(step(exchange(), "n,a=admin,n=user,r=abc")).isEqualTo(SaslStep.failure());
  }

  @Test
  void saslNamesDecodeCommaAndEquals() {
    assertThat(ScramSha256Mechanism.saslName("a=2Cb=3Dc")).isEqualTo("a,b=c");
    assertThat(ScramSha256Mechanism.saslName("a=2")).isNull();
  }

  @Test
  void credentialKeysMatchTheRfcVector() {
    ScramCredential c = ScramCredential.derive("pencil", SALT, 4096);
    // The server signature of the RFC exchange can only come from the right ServerKey, and the
    // client proof verifies only against the right StoredKey: both are checked above. Here the
    // text form round-trips.
    assertThat(ScramCredential.parse(c.encode())).isEqualTo(c);
    assertThat(c.encode()).startsWith("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$");
    assertThat(c.matches("pencil")).isTrue();
    assertThat(c.matches("pencil ")).isFalse();
    assertThat(c.toString()).doesNotContain(Base64.getEncoder().encodeToString(c.storedKey()));
  }

  @Test
  void derivedCredentialsUseFreshSalts() {
    ScramCredential a = ScramCredential.derive("secret");
    ScramCredential b = ScramCredential.derive("secret");
    assertThat(a.salt()).isNotEqualTo(b.salt());
    assertThat(a.iterations()).isEqualTo(ScramCredential.DEFAULT_ITERATIONS);
    assertThat(a.matches("secret")).isTrue();
    assertThat(b.matches("secret")).isTrue();
  }

  @Test
  void malformedCredentialTextIsRefused() {
    assertThatThrownBy(() -> ScramCredential.parse("SCRAM-SHA-1$4096:abc$def:ghi"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ScramCredential.parse("SCRAM-SHA-256$x:abc$def:ghi"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
