package io.smtpprotocol.demo.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Sends mail with Python's smtplib. */
final class Smtplib {

  private static final Pattern STORED_AS = Pattern.compile("stored as (\\S+)");

  private Smtplib() {}

  /** Sends a short text message; returns the message id from the 250 reply. */
  static String send(DemoApp app, String from, String to, String subject, String text)
      throws IOException {
    Tools.assumeInstalled("python3");
    Tools.Result result =
        Tools.python(
            """
            import smtplib, sys
            from email.message import EmailMessage
            port, sender, recipient, subject, text = sys.argv[1:]
            m = EmailMessage()
            m["From"] = sender
            m["To"] = recipient
            m["Subject"] = subject
            m.set_content(text)
            s = smtplib.SMTP("127.0.0.1", int(port))
            s.ehlo("client.example.org")
            s.mail(sender, ["SMTPUTF8"] if not subject.isascii() else [])
            s.rcpt(recipient)
            code, reply = s.data(m.as_bytes(policy=m.policy.clone(linesep="\\r\\n", utf8=True)))
            print(code, reply.decode())
            s.quit()
            """,
            "" + app.smtpPort(),
            from,
            to,
            subject,
            text);
    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output()).startsWith("250 ");
    Matcher m = STORED_AS.matcher(result.output());
    assertThat(m.find()).as(result.output()).isTrue();
    return m.group(1);
  }
}
