package io.smtpprotocol.demo.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A message that is not acknowledged leaves nothing in the Maildir. */
@ExtendWith(SharedDemoApp.class)
class NothingStoredIT {

  @Test
  void aMessageInterruptedByADroppedConnectionIsNotStored(DemoApp app) throws IOException {
    Tools.assumeInstalled("python3");
    int before = app.files("new").size();

    Tools.Result result =
        Tools.python(
            """
            import socket, sys
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
            f = s.makefile("rb")
            def reply():
                lines = []
                while True:
                    line = f.readline().decode()
                    lines.append(line.strip())
                    if line[3:4] != "-":
                        return lines[-1]
            print(reply())
            for command in ["EHLO client.example.org", "MAIL FROM:<alice@example.org>",
                            "RCPT TO:<bob@example.com>", "DATA"]:
                s.sendall(command.encode() + b"\\r\\n")
                print(reply())
            s.sendall(b"Subject: cut short\\r\\n\\r\\n" + b"half a message\\r\\n" * 50000)
            s.close()
            """,
            "" + app.smtpPort());

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).contains("354");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(app.files("tmp")).isEmpty());
    assertThat(app.files("new")).hasSize(before);
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
