package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The per-address table of failed AUTH attempts: its budget, its window and its bound. */
class AddressFailuresTests {

  private static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  @Test
  void addressIsExhaustedAfterItsBudgetOfFailures() throws Exception {
    AddressFailures failures = new AddressFailures(3, Duration.ofMinutes(10), 100);
    InetAddress a = ip("192.0.2.1");
    for (int i = 0; i < 3; i++) {
      assertThat(failures.exhausted(a)).isFalse();
      failures.failed(a);
    }
    assertThat(failures.exhausted(a)).isTrue();
    assertThat(failures.exhausted(ip("192.0.2.2"))).isFalse();
  }

  @Test
  void ipv6AddressesCountByTheirSlash64() throws Exception {
    AddressFailures failures = new AddressFailures(2, Duration.ofMinutes(10), 100);
    failures.failed(ip("2001:db8:1:2::1"));
    failures.failed(ip("2001:db8:1:2:ffff::9"));
    assertThat(failures.exhausted(ip("2001:db8:1:2::77"))).isTrue();
    assertThat(failures.exhausted(ip("2001:db8:1:3::1"))).isFalse();
  }

  @Test
  void failuresAreForgottenWhenTheirWindowHasPassed() throws Exception {
    AddressFailures failures = new AddressFailures(1, Duration.ofNanos(1), 100);
    InetAddress a = ip("192.0.2.1");
    failures.failed(a);
    long start = System.nanoTime();
    while (System.nanoTime() - start < 1_000) {
      Thread.onSpinWait(); // longer than the window
    }
    assertThat(failures.exhausted(a)).isFalse();
    assertThat(failures.size()).isZero();
  }

  @Test
  void tableHoldsAtMostItsCapacityForgettingTheLeastRecent() throws Exception {
    AddressFailures failures = new AddressFailures(1, Duration.ofMinutes(10), 3);
    for (int i = 1; i <= 5; i++) {
      failures.failed(ip("192.0.2." + i));
    }
    assertThat(failures.size()).isEqualTo(3);
    assertThat(failures.exhausted(ip("192.0.2.1"))).isFalse();
    assertThat(failures.exhausted(ip("192.0.2.5"))).isTrue();
  }

  @Test
  void unknownAddressIsNeverExhausted() {
    AddressFailures failures = new AddressFailures(1, Duration.ofMinutes(10), 3);
    failures.failed(null);
    assertThat(failures.exhausted(null)).isFalse();
  }
}
