package io.smtpprotocol.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MailParametersTests {

  @Test
  void emptyTextGivesNoParameters() {
    assertThat(MailParameters.parse("")).contains(MailParameters.EMPTY);
    assertThat(MailParameters.parse("   ")).contains(MailParameters.EMPTY);
    assertThat(MailParameters.EMPTY.isEmpty()).isTrue();
  }

  @Test
  void keywordsAreUpperCasedAndValuesKept() {
    MailParameters p = MailParameters.parse("size=1000 Body=8bitmime SMTPUTF8").orElseThrow();
    assertThat(p.values())
        .containsExactly(
            Map.entry("SIZE", "1000"), Map.entry("BODY", "8bitmime"), Map.entry("SMTPUTF8", ""));
    assertThat(p.has("smtputf8")).isTrue();
    assertThat(p.has("AUTH")).isFalse();
    assertThat(p.value("body")).contains("8bitmime");
    assertThat(p.value("SMTPUTF8")).contains("");
    assertThat(p.value("AUTH")).isEmpty();
    assertThat(p).hasToString("SIZE=1000 BODY=8bitmime SMTPUTF8");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SIZE=1 SIZE=1",
        "SIZE=1 size=2",
        "SMTPUTF8 smtputf8",
        "=1",
        "SIZE=",
        "-SIZE=1",
        "SI_ZE=1",
        "SIZE=1=2",
        "SIZE=\u0001",
        "SIZE=\u007f",
        "S\u00edZE=1"
      })
  void malformedOrRepeatedParametersAreRefused(String text) {
    assertThat(MailParameters.parse(text)).isEmpty();
  }

  @Test
  void valuesMayBeUtf8() {
    assertThat(MailParameters.parse("X-NAME=J\u00f6rg").orElseThrow().value("x-name"))
        .contains("J\u00f6rg");
  }

  @ParameterizedTest
  @ValueSource(strings = {"SIZE=abc", "SIZE=-1", "SIZE=1e3", "SIZE=123456789012345678901", "SIZE"})
  void sizeIsEmptyWhenItIsNotANumber(String text) {
    MailParameters p = MailParameters.parse(text).orElseThrow();
    assertThat(p.has("SIZE")).isTrue();
    assertThat(p.size()).isEmpty();
  }

  @Test
  void sizeIsReadAsANumber() {
    assertThat(MailParameters.parse("SIZE=10485760").orElseThrow().size()).hasValue(10485760);
    assertThat(MailParameters.EMPTY.size()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({
    "SIZE=1234567890123456789, 1234567890123456789",
    "SIZE=9223372036854775808, 9223372036854775807",
    "SIZE=99999999999999999999, 9223372036854775807"
  })
  void sizeOfNineteenOrTwentyDigitsIsValidAndAtMostLongMax(String text, long expected) {
    assertThat(MailParameters.parse(text).orElseThrow().size()).hasValue(expected);
  }

  @Test
  void sizeOfLongMaxIsExact() {
    assertThat(MailParameters.parse("SIZE=9223372036854775807").orElseThrow().size())
        .hasValue(Long.MAX_VALUE);
    assertThat(MailParameters.parse("SIZE=9223372036854775806").orElseThrow().size())
        .hasValue(Long.MAX_VALUE - 1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a+\u0664\u0661b", "a+\uff14\uff11b", "a+4gb", "a+4", "a+"})
  void xtextHexIsOnlyAsciiUpperCase(String text) {
    // RFC 3461: hexchar = "+" ( %x30-39 / %x41-46 ) twice; other scripts' digits are not hex
    assertThat(MailParameters.decodeXtext(text)).isEmpty();
  }

  @Test
  void xtextDecodesAsciiHex() {
    assertThat(MailParameters.decodeXtext("a+2Bb+3Dc")).contains("a+b=c");
  }

  @Test
  void withoutRemovesOneKeyword() {
    MailParameters p = MailParameters.parse("SIZE=1 BODY=7BIT").orElseThrow();
    assertThat(p.without("size").values()).containsExactly(Map.entry("BODY", "7BIT"));
    assertThat(p.values()).hasSize(2);
  }

  @Test
  void constructorCopiesAndUpperCases() {
    Map<String, String> source = new LinkedHashMap<>();
    source.put("size", "5");
    MailParameters p = new MailParameters(source);
    source.put("body", "7BIT");
    assertThat(p.values()).containsExactly(Map.entry("SIZE", "5"));
    assertThatExceptionOfType(UnsupportedOperationException.class)
        .isThrownBy(() -> p.values().put("X", "y"));
  }
}
