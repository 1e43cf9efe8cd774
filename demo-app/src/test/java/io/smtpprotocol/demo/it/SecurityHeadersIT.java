package io.smtpprotocol.demo.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The security headers, read from real responses of the jar: no MIME sniffing, no framing, no
 * referrer, and a Content-Security-Policy that allows only this origin's scripts and styles; a
 * received message is served as a file to save, under a sandbox policy.
 */
@ExtendWith(SharedDemoApp.class)
class SecurityHeadersIT {

  /** The directives of a policy, each with its source list. */
  static Map<String, List<String>> directives(String policy) {
    Map<String, List<String>> directives = new LinkedHashMap<>();
    for (String directive : policy.split(";")) {
      List<String> words = Arrays.asList(directive.trim().split("\\s+"));
      if (!words.get(0).isEmpty()) {
        directives.put(words.get(0).toLowerCase(), List.copyOf(words.subList(1, words.size())));
      }
    }
    return directives;
  }

  private static String only(HttpHeaders headers, String name) {
    assertThat(headers.allValues(name)).as(name).hasSize(1);
    return headers.firstValue(name).orElseThrow();
  }

  private static void assertProtected(String path, HttpHeaders headers) {
    assertThat(only(headers, "X-Content-Type-Options")).as(path).isEqualTo("nosniff");
    assertThat(only(headers, "X-Frame-Options")).as(path).isEqualTo("DENY");
    assertThat(only(headers, "Referrer-Policy")).as(path).isEqualTo("no-referrer");
  }

  private static void assertPagePolicy(String path, HttpHeaders headers) {
    String policy = only(headers, "Content-Security-Policy");
    Map<String, List<String>> directives = directives(policy);
    assertThat(directives)
        .as(path + ": " + policy)
        .containsEntry("default-src", List.of("'none'"))
        .containsEntry("script-src", List.of("'self'"))
        .containsEntry("style-src", List.of("'self'"))
        .containsEntry("connect-src", List.of("'self'"))
        .containsEntry("frame-ancestors", List.of("'none'"))
        .containsEntry("base-uri", List.of("'none'"));
    assertThat(policy).as(path).doesNotContain("unsafe-", "*", "data:", "http:");
  }

  @Test
  void thePageAndItsFilesForbidSniffingFramingAndInlineCode(DemoApp app) throws IOException {
    for (String path : List.of("/", "/index.html", "/app.js", "/style.css")) {
      HttpResponse<String> response = app.get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      assertProtected(path, response.headers());
      assertPagePolicy(path, response.headers());
    }
  }

  @Test
  void theApiForbidsSniffingAndFraming(DemoApp app) throws IOException {
    String id = Smtplib.send(app, "alice@example.org", "bob@example.com", "headers", "x");
    for (String path :
        List.of(
            "/api/messages",
            "/api/messages?limit=1",
            "/api/messages/" + id,
            "/api/messages/" + id + "/content",
            "/actuator/health")) {
      HttpResponse<String> response = app.get(path);
      assertThat(response.statusCode()).as(path).isEqualTo(200);
      assertProtected(path, response.headers());
      assertPagePolicy(path, response.headers());
    }
  }

  @Test
  void errorsForbidSniffingAndFramingToo(DemoApp app) throws IOException {
    for (String path :
        List.of(
            "/api/messages/1700000000.M1P2Q3.nowhere",
            "/api/messages/1700000000.M1P2Q3.nowhere/raw",
            "/api/messages/not-an-id/raw",
            "/no-such-page")) {
      HttpResponse<String> response = app.get(path);
      assertThat(response.statusCode()).as(path).isBetween(400, 404);
      assertProtected(path, response.headers());
      assertPagePolicy(path, response.headers());
    }
  }

  @Test
  void theRawMessageIsAnAttachmentUnderASandboxPolicy(DemoApp app) throws IOException {
    String html = "<script>fetch('/api/messages', {method: 'DELETE'})</script>";
    String id = Smtplib.send(app, "mallory@example.org", "bob@example.com", "<b>raw</b>", html);
    String path = "/api/messages/" + id + "/raw";

    HttpResponse<byte[]> response = app.getBytes(path);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(new String(response.body(), StandardCharsets.UTF_8)).contains(html);
    HttpHeaders headers = response.headers();
    assertProtected(path, headers);
    assertThat(only(headers, "Content-Type")).isEqualTo("message/rfc822");
    assertThat(only(headers, "Content-Disposition"))
        .isEqualTo("attachment; filename=\"" + id + ".eml\"");
    Map<String, List<String>> policy = directives(only(headers, "Content-Security-Policy"));
    assertThat(policy)
        .containsEntry("sandbox", List.of())
        .containsEntry("default-src", List.of("'none'"))
        .containsEntry("frame-ancestors", List.of("'none'"));
  }
}
