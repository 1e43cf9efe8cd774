package io.smtpprotocol.demo.maildir;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class EnvelopeJsonTests {

  private final JsonMapper json = JsonMapper.builder().build();

  @Test
  void writtenEnvelopeReadsBackEqual() {
    StoredMessage message =
        new StoredMessage(
            "1700000000.M1P2Q3.host",
            "\"quoted\\local\"@example.org",
            List.of("b\u00f6b@example.com", "tab\there@localhost"),
            123456789L,
            "line\r\nbreak \u0001 \u2028 \uD83D\uDE00 and a lone \uD800 half",
            Instant.parse("2025-06-07T08:09:10.123456789Z"),
            "::1",
            true,
            null);

    StoredMessage read = json.readValue(EnvelopeJson.toJson(message), StoredMessage.class);

    assertThat(read.id()).isEqualTo(message.id());
    assertThat(read.from()).isEqualTo(message.from());
    assertThat(read.recipients()).isEqualTo(message.recipients());
    assertThat(read.size()).isEqualTo(message.size());
    assertThat(read.subject())
        .isEqualTo("line\r\nbreak \u0001 \u2028 \uD83D\uDE00 and a lone \uD800 half");
    assertThat(read.receivedAt()).isEqualTo(message.receivedAt());
    assertThat(read.remoteAddress()).isEqualTo("::1");
    assertThat(read.tls()).isTrue();
    assertThat(read.authenticatedUser()).isNull();
  }

  @Test
  void authenticatedUserIsWrittenWhenPresent() {
    StoredMessage message =
        new StoredMessage(
            "1.M1.h", "", List.of(), 0, "", Instant.EPOCH, "127.0.0.1", false, "demo");

    assertThat(new String(EnvelopeJson.toJson(message), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"authenticatedUser\":\"demo\"")
        .contains("\"from\":\"\"");
    assertThat(json.readValue(EnvelopeJson.toJson(message), StoredMessage.class))
        .isEqualTo(message);
  }

  @Test
  void clientPortIsWrittenAndReadBackAndNullWhenUnknown() {
    StoredMessage withPort =
        new StoredMessage(
            "1.M1.h", "", List.of(), 0, "", Instant.EPOCH, "192.0.2.7", 40123, false, null);
    StoredMessage withoutPort =
        new StoredMessage("1.M2.h", "", List.of(), 0, "", Instant.EPOCH, "", false, null);

    assertThat(new String(EnvelopeJson.toJson(withPort), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"remoteAddress\":\"192.0.2.7\",\"remotePort\":40123,");
    assertThat(json.readValue(EnvelopeJson.toJson(withPort), StoredMessage.class))
        .isEqualTo(withPort);
    assertThat(
            new String(EnvelopeJson.toJson(withoutPort), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"remotePort\":null,");
    assertThat(json.readValue(EnvelopeJson.toJson(withoutPort), StoredMessage.class).remotePort())
        .isNull();
  }

  @Test
  void recordsWrittenBeforeThePortWasKeptReadBackWithoutOne() {
    String earlier =
        "{\"id\":\"1.M3.h\",\"from\":\"\",\"recipients\":[],\"size\":0,\"subject\":\"\","
            + "\"receivedAt\":\"1970-01-01T00:00:00Z\",\"remoteAddress\":\"10.0.0.1\",\"tls\":false,"
            + "\"authenticatedUser\":null}";

    StoredMessage read = json.readValue(earlier, StoredMessage.class);

    assertThat(read.remoteAddress()).isEqualTo("10.0.0.1");
    assertThat(read.remotePort()).isNull();
  }
}
