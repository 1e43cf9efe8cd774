package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TrustedAddressesTests {

  private static final TrustedAddresses TRUSTED =
      TrustedAddresses.of(
          List.of("127.0.0.1", "10.1.0.0/16", "::1", "2001:db8::/32", " 192.0.2.7/32 "));

  @ParameterizedTest
  @CsvSource({
    "127.0.0.1, true",
    "127.0.0.2, false",
    "10.1.255.9, true",
    "10.2.0.1, false",
    "::1, true",
    "2001:db8:ffff::25, true",
    "2001:db9::1, false",
    "192.0.2.7, true",
    "192.0.2.8, false",
  })
  void matchesAddressesAndBlocks(String address, boolean trusted) {
    assertThat(TRUSTED.contains(new InetSocketAddress(address, 25))).isEqualTo(trusted);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "localhost",
        "example.org/24",
        "10.0.0.0/33",
        "::/129",
        "10.0.0.0/",
        "10.0.0.0/-1",
        "1.2.3"
      })
  void refusesWhatIsNotALiteral(String entry) {
    assertThatIllegalArgumentException().isThrownBy(() -> TrustedAddresses.of(List.of(entry)));
  }

  @ParameterizedTest
  @CsvSource({"unix, true", "127.0.0.1, false"})
  void unixSocketPeersOnlyWhenNamed(String entry, boolean trusted) {
    assertThat(
            TrustedAddresses.of(List.of(entry)).contains(new DomainSocketAddress("/run/smtp.sock")))
        .isEqualTo(trusted);
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "0.0.0.0"})
  void noneTrustsNobody(String address) {
    assertThat(TrustedAddresses.none().isEmpty()).isTrue();
    assertThat(TrustedAddresses.of(List.of()).contains(new InetSocketAddress(address, 25)))
        .isFalse();
    assertThat(TrustedAddresses.none().contains(new InetSocketAddress(address, 25))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0.0.0/0", "::/0"})
  void aZeroPrefixTrustsTheWholeFamily(String entry) {
    TrustedAddresses all = TrustedAddresses.of(List.of(entry));
    boolean v4 = entry.contains(".");
    assertThat(all.contains(new InetSocketAddress("203.0.113.5", 25))).isEqualTo(v4);
    assertThat(all.contains(new InetSocketAddress("2001:db8::5", 25))).isEqualTo(!v4);
  }
}
