package io.smtpprotocol.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A client that speaks SMTP line by line, for what a mail library hides. */
class RawSocketTests {

  private static final Duration WAIT = Duration.ofSeconds(5);

  @RegisterExtension static SmtpTestServer smtp = SmtpTestServer.create();

  private static Socket connect() throws Exception {
    Socket socket = new Socket(smtp.host(), smtp.port());
    socket.setSoTimeout((int) WAIT.toMillis());
    return socket;
  }

  @Test
  void pipelinedTransactionIsAnsweredInOrderAndRecordsTheSendersAddress() throws Exception {
    try (Socket socket = connect()) {
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = socket.getOutputStream();
      assertThat(in.readLine()).startsWith("220 localhost ESMTP");
      out.write("EHLO raw.test\r\n".getBytes(StandardCharsets.US_ASCII));
      String line;
      List<String> ehlo = new ArrayList<>();
      do {
        line = in.readLine();
        ehlo.add(line);
      } while (line.startsWith("250-"));
      assertThat(ehlo).contains("250-PIPELINING", "250-STARTTLS");

      out.write(
          ("MAIL FROM:<a@example.org>\r\n"
               + "RCPT TO:<b@example.com>\r\n"
               + "RCPT TO:<c@example.com>\r\n"
               + "DATA\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      assertThat(List.of(in.readLine(), in.readLine(), in.readLine(), in.readLine()))
          .extracting(l -> l.substring(0, 3))
          .containsExactly("250", "250", "250", "354");
      out.write(
          "Subject: raw\r\n\r\n..dot-stuffed line\r\n.\r\nQUIT\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      assertThat(in.readLine()).startsWith("250");
      assertThat(in.readLine()).startsWith("221");

      ReceivedMessage m = smtp.takeMessage(WAIT);
      assertThat(m.recipients()).containsExactly("b@example.com", "c@example.com");
      assertThat(m.rawString()).isEqualTo("Subject: raw\r\n\r\n.dot-stuffed line\r\n");
      assertThat(m.helo()).isEqualTo("raw.test");
      assertThat(m.clientAddress()).isEqualTo(socket.getLocalSocketAddress());
    }
  }

  @Test
  void moreThanFiftyConnectionsFromLoopbackAreServed() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 60; i++) {
        Socket socket = connect();
        sockets.add(socket);
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
        assertThat(in.readLine()).as("greeting on connection %d", i + 1).startsWith("220 ");
      }
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
