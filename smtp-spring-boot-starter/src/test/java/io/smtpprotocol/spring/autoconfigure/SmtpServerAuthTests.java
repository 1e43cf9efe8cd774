package io.smtpprotocol.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.auth.SaslExchange;
import io.smtpprotocol.auth.SaslMechanism;
import io.smtpprotocol.auth.SaslStep;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpRejectException;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.spring.TestSslBundles;
import io.smtpprotocol.spring.listener.SmtpEvent;
import io.smtpprotocol.spring.listener.SmtpListener;
import io.smtpprotocol.testing.RawClient;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.TlsInfo;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.ssl.DefaultSslBundleRegistry;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** AUTH with an {@link Authenticator} bean and the {@code smtp.server.auth.*} properties. */
class SmtpServerAuthTests {

  private static final TestPki pki = TestPki.fresh();

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SmtpServerAutoConfiguration.class))
          .withBean(
              SslBundles.class,
              () -> new DefaultSslBundleRegistry("smtp", TestSslBundles.serverBundle(pki)))
          .withBean(
              Authenticator.class,
              () -> Authenticator.ofPasswords(Map.of("alice", "wonderland", "bob", "builder")))
          .withBean(SmtpServerCustomizer.class, () -> b -> b.authFailureDelay(Duration.ZERO))
          .withPropertyValues(
              "smtp.server.port=0", "smtp.server.address=127.0.0.1", "smtp.server.ssl.bundle=smtp");

  private static int port(AssertableApplicationContext context) {
    return context.getBean(SmtpServer.class).port();
  }

  private static String plain(String user, String password) {
    return Base64.getEncoder()
        .encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void authenticatorBeanTurnsAuthOnAfterStartTls() {
    runner.run(
        context -> {
          try (RawClient c = new RawClient(port(context))) {
            c.reply();
            assertThat(c.command("EHLO client.test").lines()).noneMatch(l -> l.startsWith("AUTH"));
            c.startTlsAndHandshake(pki.clientContext(null));
            assertThat(c.command("EHLO client.test").lines())
                .contains("AUTH SCRAM-SHA-256 PLAIN LOGIN");
            assertThat(c.command("AUTH PLAIN " + plain("alice", "nope")).code()).isEqualTo(535);
            assertThat(c.command("AUTH PLAIN " + plain("alice", "wonderland")).code())
                .isEqualTo(235);
          }
        });
  }

  /** SASL EXTERNAL (RFC 4422, appendix A): the identity is the client certificate's subject. */
  static final class External implements SaslMechanism {
    @Override
    public String name() {
      return "EXTERNAL";
    }

    @Override
    public SaslExchange start(SessionInfo session, Authenticator authenticator, String serverName) {
      TlsInfo tls = session.tls();
      Principal client = tls == null ? null : tls.peerPrincipal();
      return response -> {
        if (response == null) {
          return CompletableFuture.completedStage(SaslStep.challenge(new byte[0]));
        }
        String authzid = new String(response, StandardCharsets.UTF_8);
        boolean ok = client != null && (authzid.isEmpty() || authzid.equals(client.getName()));
        return CompletableFuture.completedStage(
            ok ? SaslStep.success(client.getName()) : SaslStep.failure());
      };
    }
  }

  static final class Senders {
    final BlockingQueue<String> users = new LinkedBlockingQueue<>();

    @SmtpListener(SmtpEvent.MAIL_FROM)
    void from(SessionInfo session) {
      users.add(String.valueOf(session.authenticatedUser()));
    }
  }

  @Test
  void saslMechanismBeansAreOfferedAfterTheBuiltInOnes() {
    runner
        .withBean(External.class)
        .withBean(Senders.class)
        .withPropertyValues("smtp.server.ssl.client-auth=want")
        .run(
            context -> {
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                c.startTlsAndHandshake(pki.clientContext(pki.client));
                assertThat(c.command("EHLO client.test").lines())
                    .contains("AUTH SCRAM-SHA-256 PLAIN LOGIN EXTERNAL");
                assertThat(c.command("AUTH EXTERNAL =").code()).isEqualTo(235);
                assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
              }
              assertThat(context.getBean(Senders.class).users.poll(5, TimeUnit.SECONDS))
                  .isEqualTo("CN=client.test");
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                c.startTlsAndHandshake(pki.clientContext(null));
                c.command("EHLO client.test");
                assertThat(c.command("AUTH EXTERNAL =").code()).isEqualTo(535);
              }
            });
  }

  @Test
  void allowInsecureOffersAuthWithoutTls() {
    runner
        .withPropertyValues("smtp.server.auth.allow-insecure=true")
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                c.reply();
                assertThat(c.command("EHLO client.test").lines())
                    .contains("AUTH SCRAM-SHA-256 PLAIN LOGIN");
                assertThat(c.command("AUTH PLAIN " + plain("alice", "wonderland")).code())
                    .isEqualTo(235);
              }
            });
  }

  @Test
  void failuresPerAddressPropertiesLimitGuessesAcrossConnections() {
    runner
        .withPropertyValues(
            "smtp.server.auth.allow-insecure=true",
            "smtp.server.auth.max-failures-per-address=2",
            "smtp.server.auth.failure-window=1h")
        .run(
            context -> {
              assertThat(context.getBean(SmtpServer.class).config().auth().addressFailureWindow())
                  .isEqualTo(Duration.ofHours(1));
              for (int i = 0; i < 2; i++) {
                try (RawClient c = new RawClient(port(context))) {
                  c.reply();
                  c.command("EHLO client.test");
                  assertThat(c.command("AUTH PLAIN " + plain("alice", "guess" + i)).code())
                      .isEqualTo(535);
                }
              }
              try (RawClient c = new RawClient(port(context))) {
                c.reply();
                c.command("EHLO client.test");
                assertThat(c.command("AUTH PLAIN " + plain("alice", "wonderland")).code())
                    .isEqualTo(454);
              }
            });
  }

  @Test
  void mechanismsPropertyChoosesWhatIsOffered() {
    runner
        .withPropertyValues(
            "smtp.server.auth.allow-insecure=true", "smtp.server.auth.mechanisms=login,plain")
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                c.reply();
                assertThat(c.command("EHLO client.test").lines()).contains("AUTH LOGIN PLAIN");
              }
            });
  }

  @Test
  void authRequiredRefusesMailUntilTheClientAuthenticates() {
    runner
        .withPropertyValues(
            "smtp.server.auth.required=true", "smtp.server.auth.allow-insecure=true")
        .run(
            context -> {
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(530);
                c.command("AUTH PLAIN " + plain("alice", "wonderland"));
                assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
              }
            });
  }

  @Test
  void authRequiredWithoutAnAuthenticatorFailsStartUp() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SmtpServerAutoConfiguration.class))
        .withPropertyValues("smtp.server.port=0", "smtp.server.auth.required=true")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessage("smtp.server.auth.required=true needs an Authenticator bean"));
  }

  @Test
  void authListenerCanRefuseAVerifiedIdentity() {
    runner
        .withBean(Gatekeeper.class)
        .withPropertyValues("smtp.server.auth.allow-insecure=true")
        .run(
            context -> {
              try (RawClient c = RawClient.afterEhlo(port(context))) {
                assertThat(c.command("AUTH PLAIN " + plain("bob", "builder")).toString())
                    .isEqualTo("535 5.7.8 Bob is on holiday");
                assertThat(c.command("AUTH PLAIN " + plain("alice", "wonderland")).code())
                    .isEqualTo(235);
              }
            });
  }

  static class Gatekeeper {
    @SmtpListener(SmtpEvent.AUTH)
    void auth(String identity) {
      if (identity.equals("bob")) {
        throw new SmtpRejectException(535, "5.7.8", "Bob is on holiday");
      }
    }
  }
}
