package io.smtpprotocol.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MailboxTests {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "user@example.com | user | example.com",
        "first.last@Sub.Example.com | first.last | Sub.Example.com",
        "\"john doe\"@example.com | \"john doe\" | example.com",
        "user@[192.0.2.1] | user | [192.0.2.1]",
        "user@[IPv6:2001:db8::1] | user | [IPv6:2001:db8::1]",
        "j\u00f6rg@b\u00fccher.example | j\u00f6rg | b\u00fccher.example"
      })
  void parseSplitsLocalPartAndDomain(String address, String local, String domain) {
    Mailbox m = Mailbox.parse(address);
    assertThat(m.localPart()).isEqualTo(local);
    assertThat(m.domain()).isEqualTo(domain);
    assertThat(m.address()).isEqualTo(address);
    assertThat(m).hasToString(address);
    assertThat(Mailbox.tryParse(address)).contains(m);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "user",
        "@example.com",
        "user@",
        "<user@example.com>",
        "user@example.com ",
        "user@@example.com",
        "a b@example.com",
        "user@exa mple.com",
        "user@example.com\r\nRCPT TO:<x@y>"
      })
  void parseRefusesWhatIsNotAMailbox(String text) {
    assertThat(Mailbox.tryParse(text)).isEmpty();
    assertThatIllegalArgumentException().isThrownBy(() -> Mailbox.parse(text));
  }

  @Test
  void asciiAndUtf8AddressesAreTold() {
    assertThat(Mailbox.parse("user@example.com").isAscii()).isTrue();
    assertThat(Mailbox.parse("j\u00f6rg@example.com").isAscii()).isFalse();
    assertThat(Mailbox.parse("user@b\u00fccher.example").isAscii()).isFalse();
  }

  @Test
  void domainLowerCaseIsForComparisons() {
    assertThat(Mailbox.parse("User@Example.COM").domainLowerCase()).isEqualTo("example.com");
    assertThat(Mailbox.parse("User@Example.COM").localPart()).isEqualTo("User");
  }

  @Test
  void isPostmasterOnlyForTheBarePostmaster() {
    assertThat(new Mailbox("Postmaster", "").isPostmaster()).isTrue();
    assertThat(new Mailbox("postmaster", "").isPostmaster()).isTrue();
    assertThat(Mailbox.parse("postmaster@example.com").isPostmaster()).isFalse();
    assertThat(Mailbox.parse("bob@example.com").isPostmaster()).isFalse();
  }

  @Test
  void onlyPostmasterMayGoWithoutDomain() {
    assertThat(new Mailbox("Postmaster", "").address()).isEqualTo("Postmaster");
    assertThatIllegalArgumentException().isThrownBy(() -> new Mailbox("user", ""));
    assertThatIllegalArgumentException().isThrownBy(() -> new Mailbox("", "example.com"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\r", "a\n", "a\u0000", "a\u007f", "a\tb"})
  void controlCharactersAreRefusedInEitherPart(String bad) {
    assertThatIllegalArgumentException().isThrownBy(() -> new Mailbox(bad, "example.com"));
    assertThatIllegalArgumentException().isThrownBy(() -> new Mailbox("user", bad));
  }

  @Test
  void nullReversePathIsTheEmptyPath() {
    assertThat(ReversePath.NULL.isNull()).isTrue();
    assertThat(ReversePath.NULL.sender()).isEmpty();
    assertThat(ReversePath.NULL.address()).isEmpty();
    assertThat(ReversePath.NULL).hasToString("<>");
    assertThat(new ReversePath(null)).isEqualTo(ReversePath.NULL);
  }

  @Test
  void reversePathOfAMailboxCarriesIt() {
    Mailbox m = Mailbox.parse("a@example.com");
    ReversePath p = ReversePath.of(m);
    assertThat(p.isNull()).isFalse();
    assertThat(p.sender()).contains(m);
    assertThat(p.address()).isEqualTo("a@example.com");
    assertThat(p).hasToString("<a@example.com>");
  }
}
