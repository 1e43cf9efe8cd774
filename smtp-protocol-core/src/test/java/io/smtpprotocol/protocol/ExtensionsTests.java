package io.smtpprotocol.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExtensionsTests {

  @Test
  void keywordsAndParametersFromAnEhloReply() {
    Extensions e =
        Extensions.parse(
            Reply.multiline(
                250,
                List.of(
                    "mx.example.com Hello client",
                    "PIPELINING",
                    "SIZE 10240000",
                    "auth PLAIN login CRAM-MD5",
                    "AUTH=LOGIN PLAIN",
                    "8BITMIME",
                    "SMTPUTF8",
                    "CHUNKING",
                    "DSN",
                    "ENHANCEDSTATUSCODES",
                    "STARTTLS")));
    assertThat(e.domain()).isEqualTo("mx.example.com");
    assertThat(e.maxSize()).hasValue(10240000);
    assertThat(e.authMechanisms()).containsExactly("PLAIN", "LOGIN", "CRAM-MD5");
    assertThat(e.pipelining()).isTrue();
    assertThat(e.eightBitMime()).isTrue();
    assertThat(e.smtpUtf8()).isTrue();
    assertThat(e.chunking()).isTrue();
    assertThat(e.dsn()).isTrue();
    assertThat(e.enhancedStatusCodes()).isTrue();
    assertThat(e.startTls()).isTrue();
    assertThat(e.has("pipelining")).isTrue();
    assertThat(e.has("BINARYMIME")).isFalse();
  }

  @Test
  void sizeWithoutOrWithZeroLimitHasNoMaximum() {
    assertThat(Extensions.parse(Reply.multiline(250, List.of("mx", "SIZE"))).maxSize()).isEmpty();
    assertThat(Extensions.parse(Reply.multiline(250, List.of("mx", "SIZE 0"))).maxSize()).isEmpty();
    assertThat(Extensions.parse(Reply.multiline(250, List.of("mx", "SIZE 0"))).has("SIZE"))
        .isTrue();
  }

  @Test
  void singleLineReplyHasNoExtensions() {
    Extensions e = Extensions.parse(Reply.of(250, "mx.example.com"));
    assertThat(e.keywords()).isEmpty();
    assertThat(e.authMechanisms()).isEmpty();
  }
}
