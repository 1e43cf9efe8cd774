package io.smtpprotocol.demo.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The SMTP side of the contract, through Python's smtplib. */
@ExtendWith(SharedDemoApp.class)
class SmtpConversationIT {

  private static String run(DemoApp app, String script) throws IOException {
    Tools.assumeInstalled("python3");
    Tools.Result result =
        Tools.python(
            "import smtplib, sys\nport = int(sys.argv[1])\n" + script, "" + app.smtpPort());
    assertThat(result.exitCode()).as(result.output()).isZero();
    return result.output();
  }

  @Test
  void greetingAndEhloAdvertiseTheContractExtensions(DemoApp app) throws IOException {
    String out =
        run(
            app,
            """
            s = smtplib.SMTP()
            code, banner = s.connect("127.0.0.1", port)
            print("GREETING", code, banner.decode())
            code, ehlo = s.ehlo("client.example.org")
            print("EHLO", code)
            print(ehlo.decode())
            s.quit()
            """);

    assertThat(out).containsPattern("GREETING 220 \\S+ ESMTP");
    assertThat(out.lines())
        .contains(
            "EHLO 250",
            "PIPELINING",
            "SIZE 10485760",
            "8BITMIME",
            "ENHANCEDSTATUSCODES",
            "SMTPUTF8",
            "CHUNKING",
            "STARTTLS");
    assertThat(out).doesNotContain("AUTH");
  }

  @Test
  void recipientsOutsideTheDemoDomainsAreRefusedWith550(DemoApp app) throws IOException {
    String out =
        run(
            app,
            """
            s = smtplib.SMTP("127.0.0.1", port)
            s.ehlo("client.example.org")
            s.mail("alice@example.org")
            print("LOCAL", *s.rcpt("postmaster@localhost"))
            print("EXAMPLE", *s.rcpt("Bob@EXAMPLE.COM"))
            print("OTHER", *s.rcpt("bob@example.net"))
            s.quit()
            """);

    assertThat(out).contains("LOCAL 250").contains("EXAMPLE 250");
    assertThat(out).containsPattern("OTHER 550 b'5\\.1\\.1 ");
  }

  @Test
  void theHundredAndFirstRecipientIsRefusedWith452(DemoApp app) throws IOException {
    String out =
        run(
            app,
            """
            s = smtplib.SMTP("127.0.0.1", port)
            s.ehlo("client.example.org")
            s.mail("alice@example.org")
            codes = [s.rcpt("r%d@example.com" % i)[0] for i in range(100)]
            print("FIRST100", set(codes))
            print("NEXT", *s.rcpt("r100@example.com"))
            s.rset()
            s.quit()
            """);

    assertThat(out).contains("FIRST100 {250}");
    assertThat(out).containsPattern("NEXT 452 b'4\\.5\\.3 ");
  }

  @Test
  void aMessageOverTenMebibytesIsRefusedWith552AndNotStored(DemoApp app) throws IOException {
    int before = app.files("new").size();
    String out =
        run(
            app,
            """
            s = smtplib.SMTP("127.0.0.1", port)
            s.ehlo("client.example.org")
            line = b"x" * 998 + b"\\r\\n"
            body = b"Subject: too big\\r\\n\\r\\n" + line * (10 * 1024 * 1024 // len(line) + 10)
            s.mail("alice@example.org")
            s.rcpt("bob@example.com")
            try:
                print("DATA", *s.data(body))
            except smtplib.SMTPDataError as e:
                print("DATA", e.smtp_code, e.smtp_error)
            s.quit()
            """);

    assertThat(out).containsPattern("DATA 552 b'5\\.3\\.4 ");
    assertThat(app.files("new")).hasSize(before);
    assertThat(app.files("tmp")).isEmpty();
  }

  @Test
  void aDeclaredSizeOverTheLimitIsRefusedAtMailFrom(DemoApp app) throws IOException {
    String out =
        run(
            app,
            """
            s = smtplib.SMTP("127.0.0.1", port)
            s.ehlo("client.example.org")
            print("MAIL", *s.mail("alice@example.org", ["SIZE=20000000"]))
            s.quit()
            """);

    assertThat(out).containsPattern("MAIL 552 b'5\\.3\\.4 ");
  }
}
