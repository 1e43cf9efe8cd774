package io.smtpprotocol.demo.maildir;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MessageIdsTests {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1735689600.M123456P4242Q7R0a1b2c3d.mail-host.example",
        "1700000000.M1P2Q3.host",
        "1700000000.12345_1.localhost"
      })
  void maildirUniqueNamesAreValid(String id) {
    assertThat(MessageIds.isValid(id)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ".",
        "..",
        "../etc/passwd",
        "1700000000.M1P2Q3.host/../../x",
        "1700000000.M1P2Q3.host:2,S",
        ".1700000000.M1P2Q3.host",
        "1700000000.M1P2Q3",
        "abc.M1.host",
        "1700000000.M1P2Q3.ho st",
        "1700000000.M1P2Q3.h\u00f6st",
        "1700000000.M1P2Q3.host\\x",
        "1700000000.M1P2Q3.host%2f",
        "1700000000.M1P2Q3.host*"
      })
  void anythingElseIsMalformed(String id) {
    assertThat(MessageIds.isValid(id)).isFalse();
  }

  @org.junit.jupiter.api.Test
  void overlongIdsAreMalformed() {
    assertThat(MessageIds.isValid("1700000000.M1P2Q3." + "h".repeat(400))).isFalse();
  }

  @org.junit.jupiter.api.Test
  void infoSuffixIsStrippedFromFileNames() {
    assertThat(MessageIds.uniqueName("1700000000.M1P2Q3.host:2,RS"))
        .isEqualTo("1700000000.M1P2Q3.host");
    assertThat(MessageIds.uniqueName("1700000000.M1P2Q3.host")).isEqualTo("1700000000.M1P2Q3.host");
  }
}
