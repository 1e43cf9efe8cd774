package io.smtpprotocol.test;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprotocol.testing.RawClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A client that speaks SMTP line by line, for what a mail library hides. */
class RawSocketTests {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @RegisterExtension static SmtpTestServer smtp = SmtpTestServer.create();

  private static RawClient connect() throws Exception {
    return new RawClient(smtp.port(), (int) WAIT.toMillis());
  }

  @Test
  void pipelinedTransactionIsAnsweredInOrderAndRecordsTheSendersAddress() throws Exception {
    try (RawClient c = connect()) {
      assertThat(c.readLine()).startsWith("220 localhost ESMTP");
      c.send("EHLO raw.test\r\n");
      String line;
      List<String> ehlo = new ArrayList<>();
      do {
        line = c.readLine();
        ehlo.add(line);
      } while (line.startsWith("250-"));
      assertThat(ehlo).contains("250-PIPELINING", "250-STARTTLS");

      c.send(
          "MAIL FROM:<a@example.org>\r\n"
              + "RCPT TO:<b@example.com>\r\n"
              + "RCPT TO:<c@example.com>\r\n"
              + "DATA\r\n");
      assertThat(List.of(c.readLine(), c.readLine(), c.readLine(), c.readLine()))
          .extracting(l -> l.substring(0, 3))
          .containsExactly("250", "250", "250", "354");
      c.send("Subject: raw\r\n\r\n..dot-stuffed line\r\n.\r\nQUIT\r\n");
      assertThat(c.readLine()).startsWith("250");
      assertThat(c.readLine()).startsWith("221");

      ReceivedMessage m = smtp.takeMessage(WAIT);
      assertThat(m.recipients()).containsExactly("b@example.com", "c@example.com");
      assertThat(m.rawString()).isEqualTo("Subject: raw\r\n\r\n.dot-stuffed line\r\n");
      assertThat(m.helo()).isEqualTo("raw.test");
      assertThat(m.clientAddress()).isEqualTo(c.localAddress());
    }
  }

  @Test
  void moreThanFiftyConnectionsFromLoopbackAreServed() throws Exception {
    List<RawClient> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 60; i++) {
        RawClient c = connect();
        clients.add(c);
        assertThat(c.readLine()).as("greeting on connection %d", i + 1).startsWith("220 ");
      }
    } finally {
      for (RawClient c : clients) {
        c.close();
      }
    }
  }
}
