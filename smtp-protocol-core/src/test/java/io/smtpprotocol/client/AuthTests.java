package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.auth.AuthResult;
import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.auth.ScramCredential;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.server.SmtpServerObserver;
import io.smtpprotocol.testing.TestPki;
import io.smtpprotocol.tls.TlsMode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AUTH with every mechanism against our server, which shares the SASL code. */
class AuthTests {

  private static final List<String> ALL =
      List.of("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "SCRAM-SHA-256");

  private final Inbox inbox = new Inbox();
  private final List<String> mechanisms = new CopyOnWriteArrayList<>();
  @AutoClose private final Closer closing = new Closer();

  /** alice: password "wonderland", token "ya29.good". */
  static final class Users implements Authenticator {
    private final ScramCredential credential = ScramCredential.derive("wonderland");

    @Override
    public CompletionStage<AuthResult> password(
        SessionInfo s, String user, String password, String authzid) {
      return (user.equals("alice") && password.equals("wonderland")
              ? AuthResult.success("alice")
              : AuthResult.failure())
          .asStage();
    }

    @Override
    public CompletionStage<Optional<String>> clearTextPassword(SessionInfo s, String user) {
      return CompletableFuture.completedStage(
          user.equals("alice") ? Optional.of("wonderland") : Optional.empty());
    }

    @Override
    public CompletionStage<AuthResult> token(SessionInfo s, String user, String token) {
      return (user.equals("alice") && token.equals("ya29.good")
              ? AuthResult.success("alice")
              : AuthResult.failure())
          .asStage();
    }

    @Override
    public CompletionStage<Optional<ScramCredential>> scramCredential(SessionInfo s, String user) {
      return CompletableFuture.completedStage(
          user.equals("alice") ? Optional.of(credential) : Optional.empty());
    }
  }

  private SmtpServer start(List<String> offered) {
    SmtpServer server =
        Servers.builder(inbox)
            .authenticator(new Users())
            .authMechanisms(offered)
            .allowInsecureAuth(true)
            .observer(
                new SmtpServerObserver() {
                  @Override
                  public void auth(String mechanism, boolean success) {
                    mechanisms.add(mechanism + (success ? " ok" : " failed"));
                  }
                })
            .build()
            .start();
    closing.add(server);
    return server;
  }

  private SmtpConnection connect(SmtpServer server, SmtpClient.Builder builder) {
    SmtpClient client = builder.build();
    closing.add(client);
    SmtpConnection c = join(client.connect("127.0.0.1", server.port()));
    join(c.ehlo("client.test"));
    return c;
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "SCRAM-SHA-256"})
  void everyMechanismAuthenticates(String mechanism) {
    SmtpServer server = start(ALL);
    SmtpConnection c = connect(server, Servers.client().allowInsecureAuth(true));
    String secret = mechanism.equals("XOAUTH2") ? "ya29.good" : "wonderland";

    Reply reply = join(c.login("alice", secret, mechanism));

    assertThat(reply.code()).isEqualTo(235);
    assertThat(c.authenticatedUser()).contains("alice");
    assertThat(mechanisms).containsExactly(mechanism + " ok");
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "SCRAM-SHA-256"})
  void wrongSecretFailsWithTheServersReply(String mechanism) {
    SmtpServer server = start(ALL);
    SmtpConnection c = connect(server, Servers.client().allowInsecureAuth(true));

    assertThatThrownBy(() -> join(c.login("alice", "wrong", mechanism)))
        .isInstanceOfSatisfying(
            SmtpReplyException.class, e -> assertThat(e.reply().code()).isEqualTo(535));
    assertThat(c.authenticatedUser()).isEmpty();
    // the session goes on
    assertThat(join(c.noop()).code()).isEqualTo(250);
  }

  @Test
  void strongestOfferedMechanismIsPicked() {
    SmtpServer server = start(List.of("PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256"));
    SmtpConnection c = connect(server, Servers.client().allowInsecureAuth(true));
    join(c.login("alice", "wonderland"));
    assertThat(mechanisms).containsExactly("SCRAM-SHA-256 ok");
  }

  @Test
  void secretIsNotSentInClearOverPlaintextUnlessAllowed() {
    SmtpServer server = start(List.of("PLAIN", "LOGIN"));
    SmtpConnection c = connect(server, Servers.client());
    assertThatThrownBy(() -> c.login("alice", "wonderland", "PLAIN"))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> c.login("alice", "wonderland"))
        .isInstanceOf(IllegalStateException.class);
    assertThat(mechanisms).isEmpty();
  }

  @Test
  void sendAuthenticatesWithTheClientsCredentialsOverStartTls() throws Exception {
    TestPki pki = TestPki.get();
    SmtpServer server =
        Servers.builder(inbox)
            .tls(TlsMode.STARTTLS, pki::serverContext)
            .authenticator(new Users())
            .authMechanisms(List.of("PLAIN", "LOGIN"))
            .authRequired(true)
            .build()
            .start();
    closing.add(server);
    SmtpClient client =
        Servers.client()
            .sslContext(pki.nettyClientContext())
            .tlsPolicy(TlsPolicy.REQUIRED)
            .credentials(Credentials.of("alice", "wonderland"))
            .build();
    closing.add(client);

    join(
        client.send(
            "localhost",
            server.port(),
            MailEnvelope.of("alice@example.com", "b@example.org"),
            MessageContent.of("authed")));

    Inbox.Received received = inbox.take();
    assertThat(received.session().authenticatedUser()).isEqualTo("alice");
    assertThat(received.session().isTls()).isTrue();
  }

  @Test
  void scramServerWhoseSignatureDoesNotVerifyIsRefused() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            peer -> {
              peer.send("220 scripted.test\r\n");
              peer.expect("EHLO");
              peer.send(ScriptedServer.ehlo("AUTH SCRAM-SHA-256"));
              String first = decode(peer.expect("AUTH SCRAM-SHA-256 ").substring(19));
              String nonce = first.substring(first.indexOf("r=") + 2);
              String salt =
                  Base64.getEncoder()
                      .encodeToString("salt-salt-salt".getBytes(StandardCharsets.US_ASCII));
              peer.send("334 " + encode("r=" + nonce + "server,s=" + salt + ",i=4096") + "\r\n");
              peer.read(); // client-final
              peer.send(
                  "334 "
                      + encode("v=" + Base64.getEncoder().encodeToString(new byte[32]))
                      + "\r\n");
              peer.expect("*");
              peer.send("501 5.7.0 cancelled\r\n");
              peer.expect("NOOP");
              peer.send("250 ok\r\n");
            })) {
      SmtpClient client = Servers.client().build();
      closing.add(client);
      SmtpConnection c = join(client.connect("127.0.0.1", server.port()));
      join(c.ehlo("client.test"));
      assertThatThrownBy(() -> join(c.login("alice", "wonderland")))
          .isInstanceOf(SmtpConnectionException.class)
          .hasMessageContaining("does not verify");
      assertThat(c.authenticatedUser()).isEmpty();
      assertThat(join(c.noop()).code()).isEqualTo(250);
      server.join();
      assertThat(server.failure.get()).isNull();
    }
  }

  @Test
  void scramSuccessWithoutTheServersProofClosesTheConnection() throws Exception {
    try (ScriptedServer server =
        new ScriptedServer(
            peer -> {
              peer.send("220 scripted.test\r\n");
              peer.expect("EHLO");
              peer.send(ScriptedServer.ehlo("AUTH SCRAM-SHA-256"));
              String first = decode(peer.expect("AUTH SCRAM-SHA-256 ").substring(19));
              String nonce = first.substring(first.indexOf("r=") + 2);
              String salt =
                  Base64.getEncoder()
                      .encodeToString("salt-salt-salt".getBytes(StandardCharsets.US_ASCII));
              peer.send("334 " + encode("r=" + nonce + "server,s=" + salt + ",i=4096") + "\r\n");
              peer.read();
              peer.send("235 2.7.0 trust me\r\n");
              peer.read();
            })) {
      SmtpClient client = Servers.client().build();
      closing.add(client);
      SmtpConnection c = join(client.connect("127.0.0.1", server.port()));
      join(c.ehlo("client.test"));
      assertThatThrownBy(() -> join(c.login("alice", "wonderland", "SCRAM-SHA-256")))
          .isInstanceOf(SmtpConnectionException.class)
          .hasMessageContaining("without proving itself");
      assertThat(c.authenticatedUser()).isEmpty();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(5))
          .until(() -> !c.isOpen());
    }
  }

  private static String encode(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String decode(String s) {
    return new String(Base64.getDecoder().decode(s.strip()), StandardCharsets.UTF_8);
  }
}
