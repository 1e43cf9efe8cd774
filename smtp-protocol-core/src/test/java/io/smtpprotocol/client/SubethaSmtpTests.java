package io.smtpprotocol.client;

import static io.smtpprotocol.client.Servers.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smtpprotocol.testing.TestPki;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.auth.LoginFailedException;
import org.subethamail.smtp.helper.SimpleMessageListener;
import org.subethamail.smtp.server.SMTPServer;

/** The client against SubEthaSMTP (a Maven test dependency) with STARTTLS and AUTH required. */
class SubethaSmtpTests {

  private final List<String> delivered = new CopyOnWriteArrayList<>();

  @AutoClose("stop")
  private SMTPServer server;

  private final TestPki pki = TestPki.get();

  @BeforeEach
  void start() {
    server =
        SMTPServer.port(0)
            .bindAddress(InetAddress.getLoopbackAddress())
            .hostName("subetha.test")
            .simpleMessageListener(
                new SimpleMessageListener() {
                  @Override
                  public boolean accept(String from, String recipient) {
                    return !recipient.endsWith("@refused.test");
                  }

                  @Override
                  public void deliver(String from, String recipient, InputStream data)
                      throws IOException {
                    delivered.add(
                        from
                            + " -> "
                            + recipient
                            + "\n"
                            + new String(data.readAllBytes(), StandardCharsets.UTF_8));
                  }
                })
            .authenticationHandlerFactory(
                new EasyAuthenticationHandlerFactory(
                    (user, password, context) -> {
                      if (!user.equals("alice") || !password.equals("wonderland")) {
                        throw new LoginFailedException();
                      }
                    }))
            .insertReceivedHeaders(false)
            .enableTLS()
            .requireTLS()
            .requireAuth()
            .startTlsSocketFactory(pki.jdkServerContext())
            .build();
    server.start();
  }

  private SmtpClient client(Credentials credentials) {
    return Servers.client()
        .sslContext(pki.nettyClientContext())
        .tlsPolicy(TlsPolicy.REQUIRED)
        .credentials(credentials)
        .build();
  }

  @Test
  void sendsOverStartTlsWithAuthAndRefusedRecipientsInTheResult() {
    try (SmtpClient client = client(Credentials.of("alice", "wonderland"))) {
      SmtpConnection c = join(client.connect("localhost", server.getPortAllocated()));
      SendResult result =
          join(
              c.send(
                  MailEnvelope.of(
                      "alice@example.com",
                      "bob@example.org",
                      "x@refused.test",
                      "carol@example.org"),
                  MessageContent.of("Subject: subetha\n\n..dots\nend")));
      assertThat(c.isTls()).isTrue();
      assertThat(c.authenticatedUser()).contains("alice");
      assertThat(result.accepted()).hasSize(2);
      assertThat(result.refused())
          .singleElement()
          .satisfies(r -> assertThat(r.reply().code()).isEqualTo(553));
      join(c.quit());
      assertThat(delivered)
          .containsExactly(
              "alice@example.com -> bob@example.org\nSubject: subetha\r\n\r\n..dots\r\nend\r\n",
              "alice@example.com -> carol@example.org\nSubject: subetha\r\n\r\n..dots\r\nend\r\n");
    }
  }

  @Test
  void wrongPasswordIsRefusedByTheServer() {
    try (SmtpClient client = client(Credentials.of("alice", "nope"))) {
      SmtpConnection c = join(client.connect("localhost", server.getPortAllocated()));
      assertThatThrownBy(
              () ->
                  join(
                      c.send(
                          MailEnvelope.of("a@example.com", "b@example.org"),
                          MessageContent.of("x"))))
          .isInstanceOfSatisfying(
              SmtpReplyException.class, e -> assertThat(e.reply().code()).isEqualTo(535));
      assertThat(delivered).isEmpty();
    }
  }
}
