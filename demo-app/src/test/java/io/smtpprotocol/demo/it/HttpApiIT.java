package io.smtpprotocol.demo.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The HTTP side of the contract: the message API, health and metrics. */
@ExtendWith(SharedDemoApp.class)
class HttpApiIT {

  private final JsonMapper json = JsonMapper.builder().build();

  private JsonNode getJson(DemoApp app, String path) throws IOException {
    HttpResponse<String> response = app.get(path);
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("application/"));
    return json.readTree(response.body());
  }

  @Test
  void messagesAreListedNewestFirstWithTheirEnvelope(DemoApp app) throws IOException {
    String tag = UUID.randomUUID().toString();
    Instant before = Instant.now().minusSeconds(1);
    String first = Smtplib.send(app, "alice@example.org", "bob@example.com", "first " + tag, "one");
    String second =
        Smtplib.send(
            app, "carol@example.org", "dave@localhost", "second \u00e9t\u00e9 " + tag, "two");

    JsonNode list = getJson(app, "/api/messages");
    List<String> ids = list.valueStream().map(m -> m.get("id").asString()).toList();
    assertThat(ids).containsSubsequence(second, first);
    JsonNode newest = list.get(ids.indexOf(second));
    assertThat(newest.propertyNames())
        .containsExactlyInAnyOrder(
            "id",
            "from",
            "recipients",
            "size",
            "subject",
            "receivedAt",
            "remoteAddress",
            "remotePort",
            "tls",
            "authenticatedUser");
    assertThat(newest.get("from").asString()).isEqualTo("carol@example.org");
    assertThat(newest.get("recipients").valueStream().map(JsonNode::asString))
        .containsExactly("dave@localhost");
    assertThat(newest.get("subject").asString()).isEqualTo("second \u00e9t\u00e9 " + tag);
    assertThat(Instant.parse(newest.get("receivedAt").asString())).isAfter(before);
    assertThat(newest.get("remoteAddress").asString()).isEqualTo("127.0.0.1");
    assertThat(newest.get("remotePort").asInt()).isBetween(1, 65535);
    assertThat(newest.get("tls").asBoolean()).isFalse();
    assertThat(newest.get("authenticatedUser").isNull()).isTrue();
    byte[] raw = app.getBytes("/api/messages/" + second + "/raw").body();
    assertThat(newest.get("size").asLong()).isEqualTo(raw.length);

    assertThat(getJson(app, "/api/messages/" + second)).isEqualTo(newest);
  }

  @Test
  void unknownIdsGet404(DemoApp app) throws IOException {
    for (String path :
        List.of(
            "/api/messages/1700000000.M1P2Q3.nowhere",
            "/api/messages/1700000000.M1P2Q3.nowhere/raw")) {
      assertThat(app.get(path).statusCode()).as(path).isEqualTo(404);
    }
  }

  @Test
  void malformedIdsGet400(DemoApp app) throws IOException {
    for (String path :
        List.of(
            "/api/messages/not-an-id",
            "/api/messages/..%2e",
            "/api/messages/.hidden.M1.x/raw",
            "/api/messages/1700000000.M1P2Q3.host:2,S/raw",
            "/api/messages/1700000000.M1P2Q3.host%5C..")) {
      assertThat(app.get(path).statusCode()).as(path).isEqualTo(400);
    }
  }

  @Test
  void pathTricksNeverReachAFileOutsideTheMaildir(DemoApp app) throws IOException {
    Tools.assumeInstalled("curl");
    String id = Smtplib.send(app, "alice@example.org", "bob@example.com", "tricks", "x");
    for (String path :
        List.of(
            "/api/messages/../../../../etc/passwd",
            "/api/messages/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
            "/api/messages/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
            "/api/messages/" + id + "/../../../../../etc/passwd",
            "/api/messages/" + id + "%2F..%2F..%2Fenvelope/raw",
            "/api/messages/..;/..;/etc/passwd/raw",
            "/api/messages/%252e%252e%252fetc%252fpasswd/raw")) {
      Tools.Result result =
          Tools.run(
              List.of(
                  "curl",
                  "-sS",
                  "--path-as-is",
                  "-w",
                  "\nSTATUS %{http_code}",
                  app.baseUrl() + path));
      assertThat(result.output()).as(path).doesNotContain("root:").doesNotContain("\"from\"");
      assertThat(result.output()).as(path).containsPattern("STATUS (400|404)");
    }
  }

  @Test
  void deleteEmptiesTheStore(DemoApp app) throws IOException {
    Smtplib.send(app, "alice@example.org", "bob@example.com", "to be deleted", "x");

    assertThat(app.delete("/api/messages").statusCode()).isEqualTo(204);

    assertThat(getJson(app, "/api/messages").size()).isZero();
    assertThat(app.files("new")).isEmpty();
  }

  @Test
  void healthIsUpWithTheSmtpContributor(DemoApp app) throws IOException {
    JsonNode health = getJson(app, "/actuator/health");

    assertThat(health.get("status").asString()).isEqualTo("UP");
    assertThat(health.get("components").get("smtp").get("status").asString()).isEqualTo("UP");
    assertThat(health.get("components").get("smtp").get("details").get("port").asInt())
        .isEqualTo(app.smtpPort());
  }

  @Test
  void prometheusShowsTheSmtpMeters(DemoApp app) throws IOException {
    Smtplib.send(app, "alice@example.org", "bob@example.com", "metrics", "x");

    HttpResponse<String> response = app.get("/actuator/prometheus");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body())
        .contains("smtp_server_connections_active")
        .containsPattern("smtp_server_messages_total\\{[^}]*outcome=\"accepted\"[^}]*\\} [1-9]")
        .contains("smtp_server_message_size_bytes");
  }
}
