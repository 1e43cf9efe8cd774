package io.smtpprotocol.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class VerbTests {

  @ParameterizedTest
  @EnumSource(Verb.class)
  void everyVerbIsFoundByItsName(Verb verb) {
    assertThat(Verb.of(verb.name())).isSameAs(verb);
  }

  @ParameterizedTest
  @EnumSource(
      value = Verb.class,
      names = {"UNKNOWN", "INVALID"},
      mode = EnumSource.Mode.EXCLUDE)
  void everyCommandVerbParsesToACommandOfThatKind(Verb verb) {
    Command c = CommandParser.parse(verb.name() + " x");
    assertThat(c.kind()).isSameAs(verb);
    assertThat(c.verb()).isEqualTo(verb.name());
  }

  @ParameterizedTest
  @ValueSource(strings = {"UNKNOWN", "INVALID", "XYZZY", "mail", ""})
  void aNameThatIsNoCommandVerbIsUnknown(String name) {
    assertThat(Verb.command(name)).isSameAs(Verb.UNKNOWN);
  }

  @Test
  void unknownAndInvalidCommandsAreCountedByTheirKind() {
    assertThat(CommandParser.parse("XYZZY").kind()).isSameAs(Verb.UNKNOWN);
    assertThat(CommandParser.parse("MAIL TO:<a@b>").kind()).isSameAs(Verb.MAIL);
    assertThat(CommandParser.parse("FOO\u0001").kind()).isSameAs(Verb.UNKNOWN);
    assertThat(Verb.of("OTHER")).isNull();
  }
}
