package io.smtpprotocol.server;

import static io.smtpprotocol.server.TestAuthenticator.b64;
import static io.smtpprotocol.server.TestAuthenticator.plain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.auth.SaslExchange;
import io.smtpprotocol.auth.SaslMechanism;
import io.smtpprotocol.auth.SaslStep;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.testing.RawClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/**
 * A SASL mechanism of the application's own, on the wire: offered after the built-in ones, driven
 * through its challenges, and held to the same AUTH policy.
 */
class OwnSaslMechanismTests {

  /**
   * X-RIDDLE: the server asks a riddle (or takes the answer as the initial response); the answer
   * "echo" authenticates as "riddler", anything else fails.
   */
  static final class Riddle implements SaslMechanism {

    final List<String> calls = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "X-RIDDLE";
    }

    @Override
    public SaslExchange start(SessionInfo session, Authenticator authenticator, String serverName) {
      calls.add("start " + serverName);
      return response -> {
        calls.add("respond " + (response == null ? "none" : text(response)));
        if (response == null) {
          return done(SaslStep.challenge(bytes("What answers without a mouth?")));
        }
        if (text(response).equals("boom")) {
          return CompletableFuture.failedStage(new IllegalStateException("riddle store down"));
        }
        return done(
            text(response).equals("echo") ? SaslStep.success("riddler") : SaslStep.failure());
      };
    }

    private static CompletionStage<SaslStep> done(SaslStep step) {
      return CompletableFuture.completedStage(step);
    }
  }

  private final Riddle riddle = new Riddle();
  private final RecordingObserver observer = new RecordingObserver();
  private final List<String> mailFrom = new CopyOnWriteArrayList<>();
  @AutoClose private @Nullable SmtpServer server;

  private SmtpServerBuilder builder() {
    return SmtpServer.builder()
        .domain("mx.test")
        .port(0)
        .observer(observer)
        .handler(
            new RecordingHandler() {
              @Override
              public CompletionStage<Decision> mailFrom(
                  SessionInfo session, ReversePath from, MailParameters parameters) {
                mailFrom.add(String.valueOf(session.authenticatedUser()));
                return Decision.acceptStage();
              }
            })
        .authenticator(new TestAuthenticator())
        .allowInsecureAuth(true)
        .authFailureDelay(Duration.ZERO)
        .saslMechanism(riddle);
  }

  private RawClient client(SmtpServerBuilder b) throws Exception {
    SmtpServer s = b.build().start();
    server = s;
    return RawClient.greeted(s.port());
  }

  @Test
  void theOwnMechanismIsOfferedAfterTheBuiltInOnes() throws Exception {
    try (RawClient c = client(builder())) {
      assertThat(c.command("EHLO client.test").lines())
          .contains("AUTH SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5 XOAUTH2 X-RIDDLE");
    }
  }

  @Test
  void theMechanismsListNamesTheOwnOneLikeABuiltInOne() throws Exception {
    try (RawClient c = client(builder().authMechanisms(List.of("x-riddle", "PLAIN")))) {
      assertThat(c.command("EHLO client.test").lines()).contains("AUTH X-RIDDLE PLAIN");
      assertThat(c.command("AUTH LOGIN").code()).isEqualTo(504);
    }
  }

  @Test
  void aChallengeAndAnAnswerAuthenticate() throws Exception {
    try (RawClient c = client(builder())) {
      c.command("EHLO client.test");
      RawClient.WireReply challenge = c.command("AUTH X-RIDDLE");
      assertThat(challenge.code()).isEqualTo(334);
      assertThat(TestAuthenticator.unb64(challenge.text()))
          .isEqualTo("What answers without a mouth?");
      assertThat(c.command(b64("echo")).line()).startsWith("235 2.7.0");
      assertThat(c.command("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
    }
    assertThat(riddle.calls).containsExactly("start mx.test", "respond none", "respond echo");
    assertThat(mailFrom).containsExactly("riddler");
    assertThat(observer.events).contains("auth:X-RIDDLE:true");
  }

  @Test
  void anInitialResponseReachesTheExchangeFirst() throws Exception {
    try (RawClient c = client(builder())) {
      c.command("EHLO client.test");
      assertThat(c.command("AUTH X-RIDDLE " + b64("echo")).code()).isEqualTo(235);
    }
    assertThat(riddle.calls).containsExactly("start mx.test", "respond echo");
  }

  @Test
  void aWrongAnswerFailsAndCountsLikeAnyOther() throws Exception {
    try (RawClient c = client(builder().maxAuthFailures(2))) {
      c.command("EHLO client.test");
      assertThat(c.command("AUTH X-RIDDLE " + b64("a shadow")).line()).startsWith("535 5.7.8");
      assertThat(c.command("AUTH PLAIN " + plain("nope")).code()).isEqualTo(535);
      assertThat(c.reply().code()).isEqualTo(421);
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(observer.events).contains("auth:X-RIDDLE:false");
  }

  @Test
  void aFailingExchangeIsATemporaryError() throws Exception {
    try (RawClient c = client(builder())) {
      c.command("EHLO client.test");
      assertThat(c.command("AUTH X-RIDDLE " + b64("boom")).line()).startsWith("454 4.7.0");
      assertThat(c.command("AUTH X-RIDDLE " + b64("echo")).code()).isEqualTo(235);
    }
  }

  @Test
  void theOwnMechanismKeepsToTheTlsPolicy() throws Exception {
    try (RawClient c = client(builder().allowInsecureAuth(false))) {
      List<String> ehlo = c.command("EHLO client.test").lines();
      assertThat(ehlo).noneMatch(line -> line.startsWith("AUTH"));
      assertThat(c.command("AUTH X-RIDDLE").code()).isEqualTo(538);
    }
    assertThat(riddle.calls).isEmpty();
  }

  @Test
  void aMechanismNeedsAValidNameOfItsOwn() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> builder().saslMechanism(named("PLAIN")).build())
        .withMessageContaining("PLAIN is already built in");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> builder().saslMechanism(named("X-RIDDLE")).build())
        .withMessageContaining("X-RIDDLE is already given");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> builder().saslMechanism(named("x-riddle-lower")).build())
        .withMessageContaining("not a SASL mechanism name");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> builder().saslMechanism(named("X-A-NAME-LONGER-THAN-20")).build())
        .withMessageContaining("not a SASL mechanism name");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> builder().authMechanisms(List.of("X-UNKNOWN")).build())
        .withMessageContaining("X-UNKNOWN")
        .withMessageContaining("X-RIDDLE");
  }

  private static SaslMechanism named(String name) {
    return new SaslMechanism() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public SaslExchange start(SessionInfo s, Authenticator a, String serverName) {
        return response -> CompletableFuture.completedStage(SaslStep.failure());
      }
    };
  }

  private static String text(byte[] octets) {
    return new String(octets, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
