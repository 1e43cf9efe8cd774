package io.smtpprotocol.demo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A message that is not acknowledged leaves nothing in the Maildir. */
@ExtendWith(SharedDemoApp.class)
class NothingStoredIT {

  @Test
  void aMessageInterruptedByADroppedConnectionIsNotStored(DemoApp app) throws IOException {
    assertThat(app.files("tmp")).isEmpty();
    int before = app.files("new").size();

    try (Socket socket = new Socket("127.0.0.1", app.smtpPort())) {
      socket.setSoTimeout(10_000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = new BufferedOutputStream(socket.getOutputStream());
      assertThat(reply(in)).startsWith("220 ");
      for (String[] step :
          List.of(
              new String[] {"EHLO client.example.org", "250 "},
              new String[] {"MAIL FROM:<alice@example.org>", "250 "},
              new String[] {"RCPT TO:<bob@example.com>", "250 "},
              new String[] {"DATA", "354 "})) {
        out.write((step[0] + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(reply(in)).as(step[0]).startsWith(step[1]);
      }
      out.write("Subject: cut short\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      byte[] line = "half a message\r\n".getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 50_000; i++) {
        out.write(line);
      }
      out.flush();
      // the store is writing this very message: the connection drops in the middle of it
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(() -> assertThat(app.files("tmp")).isNotEmpty());
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(app.files("tmp")).isEmpty());
    // and nothing turns up afterwards
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(app.files("tmp")).isEmpty();
              assertThat(app.files("new")).hasSize(before);
            });
  }

  /** The last line of one reply, multi-line included. */
  private static String reply(BufferedReader in) throws IOException {
    while (true) {
      String line = in.readLine();
      assertThat(line).as("a reply").isNotNull();
      if (line.length() < 4 || line.charAt(3) != '-') {
        return line;
      }
    }
  }

  @Test
  void dataWithoutAnAcceptedRecipientStoresNothing(DemoApp app) throws IOException {
    Tools.assumeInstalled("python3");
    int before = app.files("new").size();

    Tools.Result result =
        Tools.python(
            """
            import smtplib, sys
            s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
            s.ehlo("client.example.org")
            s.mail("alice@example.org")
            print("RCPT", s.rcpt("nobody@example.net")[0])
            try:
                print("DATA", *s.data(b"Subject: nobody\\r\\n\\r\\nx\\r\\n"))
            except smtplib.SMTPDataError as e:
                print("DATA", e.smtp_code)
            s.quit()
            """,
            "" + app.smtpPort());

    assertThat(result.output()).contains("RCPT 550").containsPattern("DATA 5\\d\\d");
    assertThat(app.files("new")).hasSize(before);
    assertThat(app.files("tmp")).isEmpty();
  }
}
