package io.smtpprotocol.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Fuzz target for {@link MailParameters}, the text after the path of MAIL FROM and RCPT TO. The
 * normal build replays the seeds in {@code MailParametersFuzzTestsInputs}; {@code JAZZER_FUZZ=1 mvn
 * test -Dtest=MailParametersFuzzTests} fuzzes.
 */
class MailParametersFuzzTests {

  private static final Pattern KEYWORD = Pattern.compile("[A-Z0-9][A-Z0-9-]*");
  private static final Pattern DIGITS = Pattern.compile("[0-9]{1,20}");

  @FuzzTest(maxDuration = "10m")
  void parseAcceptsOnlyWellFormedParametersAndRoundTrips(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    Optional<MailParameters> parsed = MailParameters.parse(text);
    if (parsed.isEmpty()) {
      return;
    }
    MailParameters parameters = parsed.get();
    parameters
        .values()
        .forEach(
            (keyword, value) -> {
              assertThat(keyword).matches(KEYWORD);
              assertThat(value.chars().boxed().toList())
                  .noneMatch(c -> c <= ' ' || c == '=' || c == 0x7f);
            });
    // what was accepted is written out as it was read, and reads back the same
    assertThat(MailParameters.parse(parameters.toString())).contains(parameters);
    assertThat(parameters.values().keySet())
        .allMatch(parameters::has)
        .allMatch(k -> parameters.without(k).values().size() == parameters.values().size() - 1);

    String size = parameters.values().get("SIZE");
    OptionalLong declared = parameters.size();
    if (size != null && DIGITS.matcher(size).matches()) {
      // RFC 1870: 1*20DIGIT; sizes past Long.MAX_VALUE are given as Long.MAX_VALUE
      java.math.BigInteger exact = new java.math.BigInteger(size);
      assertThat(declared)
          .hasValue(exact.min(java.math.BigInteger.valueOf(Long.MAX_VALUE)).longValueExact());
    } else {
      assertThat(declared).isEmpty();
    }
    parameters.auth(); // never throws, whatever the xtext
  }
}
