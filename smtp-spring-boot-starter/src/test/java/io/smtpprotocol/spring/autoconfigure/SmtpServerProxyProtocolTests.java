package io.smtpprotocol.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.spring.listener.SmtpEvent;
import io.smtpprotocol.spring.listener.SmtpListener;
import io.smtpprotocol.testing.RawClient;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.StandardEnvironment;

/** {@code smtp.server.proxy-protocol.*}: a server behind HAProxy. */
class SmtpServerProxyProtocolTests {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SmtpServerAutoConfiguration.class))
          .withPropertyValues("smtp.server.port=0", "smtp.server.address=127.0.0.1");

  private static int port(AssertableApplicationContext context) {
    return context.getEnvironment().getRequiredProperty("local.smtp.server.port", Integer.class);
  }

  /** Records the client address each MAIL FROM comes from. */
  static class Clients {
    final BlockingQueue<SocketAddress> seen = new LinkedBlockingQueue<>();

    @SmtpListener(SmtpEvent.MAIL_FROM)
    void sender(SessionInfo session) {
      seen.add(session.remoteAddress());
    }
  }

  @Test
  void proxyProtocolIsOffByDefault() {
    SmtpServerProperties.ProxyProtocol defaults =
        Binder.get(new StandardEnvironment())
            .bindOrCreate("smtp.server", SmtpServerProperties.class)
            .proxyProtocol();
    assertThat(defaults.enabled()).isFalse();
    assertThat(defaults.trustedProxies()).isNull();
    assertThat(defaults.headerTimeout()).isEqualTo(Duration.ofSeconds(5));
    runner.run(
        context -> {
          try (RawClient c = new RawClient(port(context))) {
            assertThat(c.reply().code()).isEqualTo(220);
          }
        });
  }

  @Test
  void listenersSeeTheClientTheHeaderNames() {
    runner
        .withPropertyValues(
            "smtp.server.proxy-protocol.enabled=true",
            "smtp.server.proxy-protocol.trusted-proxies=10.0.0.0/8, 127.0.0.1")
        .withBean(Clients.class)
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                c.send("PROXY TCP4 192.0.2.10 198.51.100.1 40001 25\r\n");
                assertThat(c.reply().code()).isEqualTo(220);
                c.command("EHLO client.test");
                assertThat(c.command("MAIL FROM:<a@example.com>").code()).isEqualTo(250);
              }
              assertThat(context.getBean(Clients.class).seen.poll(5, TimeUnit.SECONDS))
                  .isEqualTo(new InetSocketAddress(InetAddress.getByName("192.0.2.10"), 40001));
            });
  }

  @Test
  void connectionWithoutAHeaderIsClosedWithoutAGreeting() {
    runner
        .withPropertyValues(
            "smtp.server.proxy-protocol.enabled=true",
            "smtp.server.proxy-protocol.trusted-proxies=127.0.0.1")
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                c.send("EHLO client.test\r\n");
                assertThat(c.closedByServer()).isTrue();
              }
            });
  }

  @Test
  void headerTimeoutClosesAConnectionThatSendsNothing() {
    runner
        .withPropertyValues(
            "smtp.server.proxy-protocol.enabled=true",
            "smtp.server.proxy-protocol.trusted-proxies=127.0.0.1",
            "smtp.server.proxy-protocol.header-timeout=200ms")
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                assertThat(c.closedByServer()).isTrue();
              }
            });
  }

  @Test
  void peerOutsideTheTrustedProxiesIsClosedWithoutAGreeting() {
    runner
        .withPropertyValues(
            "smtp.server.proxy-protocol.enabled=true",
            "smtp.server.proxy-protocol.trusted-proxies=10.0.0.0/8")
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                c.send("PROXY TCP4 192.0.2.10 198.51.100.1 40001 25\r\n");
                assertThat(c.closedByServer()).isTrue();
              }
            });
  }

  @Test
  void enabledWithoutTrustedProxiesFailsStartUp() {
    runner
        .withPropertyValues("smtp.server.proxy-protocol.enabled=true")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessage(
                        "smtp.server.proxy-protocol.enabled=true needs the proxies' addresses: set"
                            + " smtp.server.proxy-protocol.trusted-proxies (IP addresses or CIDR"
                            + " blocks)"));
  }

  @Test
  void trustedProxyThatIsNotAnAddressFailsStartUpNamingIt() {
    runner
        .withPropertyValues(
            "smtp.server.proxy-protocol.enabled=true",
            "smtp.server.proxy-protocol.trusted-proxies=haproxy.example.com")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .hasRootCauseInstanceOf(IllegalArgumentException.class)
                    .rootCause()
                    .hasMessageContaining("'haproxy.example.com'"));
  }

  @Test
  void trustedProxiesAreIgnoredWhileDisabled() {
    runner
        .withPropertyValues("smtp.server.proxy-protocol.trusted-proxies=127.0.0.1")
        .run(
            context -> {
              try (RawClient c = new RawClient(port(context))) {
                assertThat(c.reply().code()).isEqualTo(220);
              }
            });
  }

  @Test
  void metadataDescribesEachProperty() throws Exception {
    String json;
    try (InputStream in =
        getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      assertThat(in).isNotNull();
      json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<Map<String, Object>> properties =
        JsonPath.read(json, "$.properties[?(@.name =~ /smtp\\.server\\.proxy-protocol\\..*/)]");
    assertThat(properties)
        .extracting(p -> p.get("name"))
        .containsExactlyInAnyOrder(
            "smtp.server.proxy-protocol.enabled",
            "smtp.server.proxy-protocol.trusted-proxies",
            "smtp.server.proxy-protocol.header-timeout");
    assertThat(properties).allSatisfy(p -> assertThat((String) p.get("description")).isNotBlank());
    assertThat(properties)
        .filteredOn(p -> p.get("name").equals("smtp.server.proxy-protocol.header-timeout"))
        .singleElement()
        .satisfies(p -> assertThat(p.get("defaultValue")).isEqualTo("5s"));
  }
}
