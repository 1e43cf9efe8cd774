package io.smtpprotocol.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.spring.autoconfigure.SmtpServerProperties;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo behind a proxy, configured the way the scale-out compose file does it (environment
 * variables): the client a PROXY header names is what the API shows for the message, address and
 * port, not the proxy's.
 */
class ProxiedClientTests {

  private static Path dir;
  private static ConfigurableApplicationContext context;

  @BeforeAll
  static void start() throws IOException {
    dir = Files.createTempDirectory("demo-proxied");
    // named like the system environment, so that Spring maps it as it maps environment variables
    Map<String, Object> environment =
        Map.of(
            "SMTP_SERVER_PORT", "0",
            "SERVER_PORT", "0",
            "DEMO_MAILDIR", dir.resolve("maildir").toString(),
            "SMTP_SERVER_PROXYPROTOCOL_ENABLED", "true",
            "SMTP_SERVER_PROXYPROTOCOL_TRUSTEDPROXIES", "127.0.0.1,::1");
    context =
        new SpringApplicationBuilder(DemoApplication.class)
            .initializers(
                c ->
                    c.getEnvironment()
                        .getPropertySources()
                        .addFirst(
                            new SystemEnvironmentPropertySource(
                                "test-systemEnvironment", environment)))
            .run();
  }

  @AfterAll
  static void stop() throws IOException {
    if (context != null) {
      context.close();
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  @Test
  void environmentVariablesTurnThePROXYProtocolOnWithBothTrustedProxies() {
    SmtpServerProperties.ProxyProtocol proxy =
        context.getBean(SmtpServerProperties.class).proxyProtocol();

    assertThat(proxy.enabled()).isTrue();
    assertThat(proxy.trustedProxies()).containsExactly("127.0.0.1", "::1");
  }

  @Test
  void theApiShowsTheClientThePROXYHeaderNamed() throws Exception {
    int smtpPort = context.getBean(SmtpServer.class).port();
    String subject = "proxied " + UUID.randomUUID();
    String id;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", smtpPort), 5_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      send(out, "PROXY TCP4 192.0.2.7 127.0.0.1 40123 25\r\n");
      assertThat(in.readLine()).startsWith("220 ");
      send(out, "HELO client.example.org\r\n");
      assertThat(in.readLine()).startsWith("250 ");
      send(out, "MAIL FROM:<alice@example.org>\r\n");
      assertThat(in.readLine()).startsWith("250 ");
      send(out, "RCPT TO:<bob@example.com>\r\n");
      assertThat(in.readLine()).startsWith("250 ");
      send(out, "DATA\r\n");
      assertThat(in.readLine()).startsWith("354 ");
      send(out, "Subject: " + subject + "\r\n\r\nhello\r\n.\r\n");
      String reply = in.readLine();
      assertThat(reply).startsWith("250 2.0.0 Ok: stored as ");
      id = reply.substring("250 2.0.0 Ok: stored as ".length());
      send(out, "QUIT\r\n");
      assertThat(in.readLine()).startsWith("221 ");
    }

    int httpPort = ((WebServerApplicationContext) context).getWebServer().getPort();
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/api/messages/" + id))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode message = JsonMapper.builder().build().readTree(response.body());
    assertThat(message.get("subject").asString()).isEqualTo(subject);
    assertThat(message.get("remoteAddress").asString()).isEqualTo("192.0.2.7");
    assertThat(message.get("remotePort").asInt()).isEqualTo(40123);
  }

  @Test
  void aConnectionWithoutTheHeaderIsClosedWithoutAGreeting() throws IOException {
    int smtpPort = context.getBean(SmtpServer.class).port();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", smtpPort), 5_000);
      socket.setSoTimeout(15_000);
      send(socket.getOutputStream(), "HELO client.example.org\r\n");

      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    }
  }

  private static void send(OutputStream out, String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }
}
