package io.smtpprotocol.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.smtpprotocol.auth.AuthResult;
import io.smtpprotocol.auth.Authenticator;
import io.smtpprotocol.demo.maildir.MaildirStore;
import io.smtpprotocol.demo.maildir.StoredMessage;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.spring.context.LocalSmtpServerPort;
import jakarta.mail.Message;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The wiring: the starter's server answers with the demo's listeners, which fill the store. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"smtp.server.port=0", "demo.domains=example.com"})
class DemoApplicationTests {

  private static Path dir;

  @DynamicPropertySource
  static void maildir(DynamicPropertyRegistry registry) throws IOException {
    dir = Files.createTempDirectory("demo-wiring");
    registry.add("demo.maildir", () -> dir.resolve("maildir").toString());
  }

  @AfterAll
  static void removeMaildir() throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  @LocalSmtpServerPort int smtpPort;

  @LocalServerPort int httpPort;

  @Autowired MaildirStore store;

  @Autowired SmtpServer server;

  @Autowired DemoProperties properties;

  @Autowired Authenticator authenticator;

  @BeforeEach
  void empty() throws IOException {
    store.clear();
  }

  private Session session() {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", "" + smtpPort);
    p.put("mail.smtp.connectiontimeout", "5000");
    p.put("mail.smtp.timeout", "10000");
    return Session.getInstance(p);
  }

  @Test
  void propertiesHaveTheDemoDefaultsWhereNotSet() {
    assertThat(properties.domains()).containsExactly("example.com");
    assertThat(properties.users()).containsExactly(java.util.Map.entry("demo", "demo"));
    assertThat(server.port()).isEqualTo(smtpPort);
  }

  @Test
  void theAuthenticatorChecksTheDemoUsers() {
    InetSocketAddress local = new InetSocketAddress("127.0.0.1", smtpPort);
    SessionInfo session =
        new SessionInfo(
            "t1",
            new InetSocketAddress("127.0.0.1", 40000),
            local,
            Instant.now(),
            null,
            null,
            null);
    assertThat(authenticator.password(session, "demo", "demo", "").toCompletableFuture().join())
        .isEqualTo(AuthResult.success("demo"));
    assertThat(
            authenticator
                .password(session, "demo", "Demo", "")
                .toCompletableFuture()
                .join()
                .success())
        .isFalse();
    assertThat(
            authenticator
                .password(session, "demo", "demo", "root")
                .toCompletableFuture()
                .join()
                .success())
        .isFalse();
    assertThat(
            authenticator
                .password(session, "nobody", "demo", "")
                .toCompletableFuture()
                .join()
                .success())
        .isFalse();
  }

  @Test
  void aMessageSentOverSmtpIsStoredAndServedOverHttp() throws Exception {
    MimeMessage mail = new MimeMessage(session());
    mail.setFrom(new InternetAddress("alice@example.org"));
    mail.setRecipients(Message.RecipientType.TO, "bob@example.com");
    mail.setSubject("wiring");
    mail.setText("hello");

    Transport.send(mail);

    List<StoredMessage> stored = store.list();
    assertThat(stored).hasSize(1);
    assertThat(stored.get(0).subject()).isEqualTo("wiring");
    assertThat(stored.get(0).recipients()).containsExactly("bob@example.com");
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/messages"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.body()).contains("\"id\":\"" + stored.get(0).id() + "\"");
  }

  @Test
  void theSmtpServerListensOnLoopbackByDefault() {
    assertThat(server.localAddress())
        .isInstanceOfSatisfying(
            InetSocketAddress.class,
            address -> assertThat(address.getAddress().isLoopbackAddress()).isTrue());
  }

  @Test
  void theServerIsGivenTheDemoDomains() {
    assertThat(server.config().acceptedDomains()).containsExactly("example.com");
  }

  @Test
  void recipientsOutsideTheDomainsAreRefused() throws Exception {
    MimeMessage mail = new MimeMessage(session());
    mail.setFrom(new InternetAddress("alice@example.org"));
    mail.setRecipients(Message.RecipientType.TO, "bob@localhost");
    mail.setText("x");

    assertThatExceptionOfType(SendFailedException.class)
        .isThrownBy(() -> Transport.send(mail))
        .satisfies(e -> assertThat(e.getInvalidAddresses()).hasSize(1));
    assertThat(store.list()).isEmpty();
  }
}
