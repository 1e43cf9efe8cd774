package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.smtpprotocol.protocol.Mailbox;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Recipient domains the engine answers for itself, without a handler call. */
@Timeout(20)
class AcceptedDomainsTests {

  private final Queue<String> asked = new ConcurrentLinkedQueue<>();
  private final RecordingHandler handler = new RecordingHandler();

  AcceptedDomainsTests() {
    handler.recipientFilter =
        to -> {
          asked.add(to.address());
          return true;
        };
  }

  private SessionHarness inTransaction(List<String> domains) {
    SmtpServerBuilder server = TestServers.builder(handler).acceptedDomains(domains);
    SessionHarness c = SessionHarness.greeted(server);
    c.ehlo();
    assertThat(c.command("MAIL FROM:<a@sender.test>").code()).isEqualTo(250);
    return c;
  }

  @Test
  void recipientOfAnotherDomainGets550AndNeverReachesTheHandler() throws Exception {
    try (SessionHarness c = inTransaction(List.of("example.com"))) {
      assertThat(c.command("RCPT TO:<bob@other.test>").line())
          .isEqualTo("550 5.1.1 No such mailbox here: domain not served");
      assertThat(c.command("RCPT TO:<carol@Example.COM>").line()).startsWith("250 2.1.5 ");
      assertThat(c.command("DATA").code()).isEqualTo(354);
      c.write("Subject: t\r\n\r\nbody\r\n.\r\n");
      assertThat(c.reply().code()).isEqualTo(250);
    }
    assertThat(asked).containsExactly("carol@Example.COM");
    assertThat(handler.takeMessage().envelope().mailboxes())
        .extracting(Mailbox::address)
        .containsExactly("carol@Example.COM");
  }

  @Test
  void barePostmasterIsAlwaysAccepted() throws Exception {
    try (SessionHarness c = inTransaction(List.of("example.com"))) {
      assertThat(c.command("RCPT TO:<Postmaster>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<postmaster@other.test>").code()).isEqualTo(550);
    }
    assertThat(asked).containsExactly("Postmaster");
  }

  @Test
  void subdomainsAndAddressLiteralsMatchOnlyAsListed() throws Exception {
    try (SessionHarness c = inTransaction(List.of(" example.com ", "[192.0.2.1]"))) {
      assertThat(c.command("RCPT TO:<a@mail.example.com>").code()).isEqualTo(550);
      assertThat(c.command("RCPT TO:<a@[192.0.2.1]>").code()).isEqualTo(250);
      assertThat(c.command("RCPT TO:<a@[192.0.2.2]>").code()).isEqualTo(550);
    }
    assertThat(asked).containsExactly("a@[192.0.2.1]");
  }

  @Test
  void everyDomainIsAcceptedWhenNoneAreListed() throws Exception {
    try (SessionHarness c = inTransaction(List.of())) {
      assertThat(c.command("RCPT TO:<a@anything.test>").code()).isEqualTo(250);
    }
    assertThat(asked).containsExactly("a@anything.test");
  }

  @Test
  void emptyDomainNamesAreRefusedByTheBuilder() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> SmtpServer.builder().acceptedDomains(List.of("example.com", " ")))
        .withMessageContaining("empty domain");
  }
}
